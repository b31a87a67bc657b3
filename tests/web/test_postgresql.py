"""The same ads on SQLite and PostgreSQL give the same answers (every other web test runs on both
backends through the parametrized fixtures of conftest.py; this one compares the two). The
stores are this test's own: the shared ones change as other tests write to them, in an order
that differs between backends and test processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adtrace.web.app import create_app
from tests.postgres import create_database
from tests.web.conftest import login
from tests.web.seed import obfuscated, seed_store

SEARCHES = (
    {"q": "real", "sort": "oldest"},
    {"city": "mont", "q": "new"},
    {"q": "real", "min_score": "1", "sort": "score"},
    {"site": "site-a.example", "from": "2024-01-01", "to": "2024-06-30"},
    {"q": "zoé"},
    {"q": "' OR 1=1 --"},
)


def _answers(client: TestClient, phone: str) -> dict[str, Any]:
    """What an analyst reads: search totals and first pages in order, and the sizes of the
    dashboard's clusters (both stores ingested the same files in the same order)."""
    out: dict[str, Any] = {}
    for params in (*SEARCHES, {"phone": obfuscated(phone)}):
        found = client.get("/api/search", params=params).json()
        hits = [(hit["ad_id"], hit["site"], hit["title"], hit["score"]) for hit in found["hits"]]
        out[repr(params)] = (found["paging"]["total"], hits)
    dashboard = client.get("/api/dashboard").json()
    out["clusters"] = sorted(c["n_ads"] for c in dashboard["clusters"])
    return out


@pytest.mark.postgresql
def test_search_and_clusters_agree_on_sqlite_and_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    answers = []
    for backend, url in (
        ("sqlite", f"sqlite:///{tmp_path / 'store.db'}"),
        ("postgresql", create_database(postgres_url)),
    ):
        folder = tmp_path / backend
        folder.mkdir()
        seeded = seed_store(url, folder, n_ads=150)
        with TestClient(create_app(seeded.engine), base_url="http://127.0.0.1") as client:
            login(client, *seeded.analyst)
            answers.append(_answers(client, seeded.phone))
        seeded.engine.dispose()
    lite, pg = answers
    assert lite.keys() == pg.keys()
    for key in lite:
        assert lite[key] == pg[key], key
    assert any(total > 0 for total, _hits in (lite[k] for k in lite if k != "clusters"))
