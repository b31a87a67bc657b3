"""The record of exports on both stores, and the same dossier from SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adtrace.export import gather_cluster
from adtrace.export.formats import json_object
from adtrace.store.engine import open_store
from adtrace.store.exports import count_exports, list_exports, record_export
from tests.web.seed import seed_store

WHEN = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)


def test_record_and_list_exports(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.begin() as conn:
        for i, (subject, subject_id, fmt) in enumerate(
            [("cluster", "r1-1", "csv"), ("case", "7", "pdf"), ("cluster", "r1-1", "json")]
        ):
            record_export(
                conn,
                subject=subject,
                subject_id=subject_id,
                fmt=fmt,
                redacted=fmt == "pdf",
                link_run=3,
                n_ads=10 + i,
                data=f"bytes {i}".encode(),
                by="analyst",
                at=WHEN + timedelta(minutes=i),
            )
        with pytest.raises(ValueError, match="cannot record"):
            record_export(
                conn,
                subject="ad",
                subject_id="1",
                fmt="csv",
                redacted=False,
                link_run=None,
                n_ads=1,
                data=b"",
                by="x",
            )
    with engine.connect() as conn:
        every = list_exports(conn)
        assert [e.format for e in every] == ["json", "pdf", "csv"]
        assert every[1].redacted and every[1].subject == "case" and every[1].subject_id == "7"
        assert every[0].sha256 == hashlib.sha256(b"bytes 2").hexdigest()
        assert every[0].created_at == WHEN + timedelta(minutes=2)
        assert every[0].link_run == 3 and every[0].n_ads == 12 and every[0].created_by == "analyst"
        assert [e.format for e in list_exports(conn, subject="cluster", subject_id="r1-1")] == [
            "json",
            "csv",
        ]
        assert count_exports(conn) == 3 and count_exports(conn, subject="case") == 1
        assert [e.format for e in list_exports(conn, limit=1, offset=1)] == ["pdf"]


def comparable(found: dict[str, Any]) -> dict[str, Any]:
    """The JSON export without what depends on when the store was built."""
    found = {**found, "link_run": {**found["link_run"], "finished_at": None}}
    found["ads"] = [{**a, "first_seen": None} for a in found["ads"]]
    return found


def test_the_same_dossier_from_sqlite_and_postgresql(tmp_path: Path, postgres_url: str) -> None:
    from tests.postgres import create_database

    dossiers = []
    for name, url in (
        ("sqlite", f"sqlite:///{tmp_path / 'store.db'}"),
        ("postgresql", create_database(postgres_url)),
    ):
        folder = tmp_path / name
        folder.mkdir()
        seeded = seed_store(url, folder, n_ads=80)
        with seeded.engine.connect() as conn:
            found = gather_cluster(conn, seeded.cluster_id, by="analyst", now=WHEN)
        dossiers.append(comparable(json_object(found)))
        seeded.engine.dispose()
    assert dossiers[0]["n_ads"] >= 2 and dossiers[0]["links"]
    assert dossiers[0] == dossiers[1]
