"""The audit log in the store, on both backends: appending and reading events, the append-only
triggers, and the key of the search-term hashes (never in the database)."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError

from adtrace.store.audit import (
    KEY_BYTES,
    AuditFilter,
    AuditKeyError,
    AuditWriter,
    NewEvent,
    actions,
    count_events,
    iter_events,
    key_file_for,
    key_for_url,
    keyed_hash,
    list_events,
    read_key_file,
    record_event,
    store_key,
)
from adtrace.store.engine import open_store
from adtrace.store.schema import audit_log

KEY = bytes(range(32))


@pytest.fixture
def engine(store_url: str) -> Engine:
    return open_store(store_url)


def _fill(engine: Engine) -> list[int]:
    digest = keyed_hash("phone:+16135550142", key=KEY)
    with engine.begin() as conn:
        return [
            record_event(
                conn, username="ana", action="search", details={"terms": {"phone": [digest]}}
            ),
            record_event(
                conn, username="ana", action="view_ad", target="ad:17", address="10.0.0.1"
            ),
            record_event(conn, username="bob", action="view_cluster", target="cluster:r2-62"),
            record_event(conn, username=None, action="sign_in_failed", details={"name": "x"}),
        ]


def test_events_are_appended_and_read_newest_first(engine: Engine) -> None:
    ids = _fill(engine)
    assert ids == sorted(ids) and len(set(ids)) == 4
    with engine.connect() as conn:
        found = list_events(conn, AuditFilter())
        assert [e.event_id for e in found] == ids[::-1]
        first = found[-1]
        assert first.username == "ana" and first.action == "search"
        assert first.at.tzinfo is not None and abs(datetime.now(UTC) - first.at) < timedelta(1)
        assert found[2].target == "ad:17" and found[2].address == "10.0.0.1"
        assert count_events(conn, AuditFilter()) == 4
        assert actions(conn) == ["search", "sign_in_failed", "view_ad", "view_cluster"]


def test_filters_narrow_the_events(engine: Engine) -> None:
    ids = _fill(engine)
    digest = keyed_hash("phone:+16135550142", key=KEY)
    other = keyed_hash("phone:+16135550143", key=KEY)
    now = datetime.now(UTC)
    cases = {
        AuditFilter(username="ana"): ids[:2],
        AuditFilter(action="view_cluster"): [ids[2]],
        AuditFilter(target="ad:17"): [ids[1]],
        AuditFilter(term_hashes=(digest,)): [ids[0]],
        AuditFilter(term_hashes=(digest, other)): [],
        AuditFilter(since=now + timedelta(hours=1)): [],
        AuditFilter(since=now - timedelta(hours=1), until=now + timedelta(hours=1)): ids,
        AuditFilter(until=now - timedelta(hours=1)): [],
    }
    with engine.connect() as conn:
        for where, expected in cases.items():
            assert sorted(e.event_id for e in list_events(conn, where)) == expected, where
            assert count_events(conn, where) == len(expected), where


def test_pages_and_iteration_by_id(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = [
            record_event(conn, username="u", action="view_ad", target=f"ad:{n}") for n in range(7)
        ]
    with engine.connect() as conn:
        page2 = list_events(conn, AuditFilter(), limit=3, offset=3)
        assert [e.event_id for e in page2] == ids[::-1][3:6]
        assert [e.event_id for e in iter_events(conn, AuditFilter(), chunk=2)] == ids[::-1]
        assert [e.event_id for e in iter_events(conn, AuditFilter(), chunk=7)] == ids[::-1]


def test_the_log_is_append_only(engine: Engine) -> None:
    """The triggers of migration 0008 refuse UPDATE and DELETE, on both stores, even in SQL
    written by hand."""
    ids = _fill(engine)
    refused = [
        update(audit_log).values(username="mallory"),
        update(audit_log).where(audit_log.c.event_id == ids[0]).values(details={}),
        delete(audit_log),
        delete(audit_log).where(audit_log.c.event_id == ids[1]),
        text("DELETE FROM audit_log"),
    ]
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.event_id, audit_log.c.username)).all()
    assert sorted(rows) == [(ids[0], "ana"), (ids[1], "ana"), (ids[2], "bob"), (ids[3], None)]
    with engine.begin() as conn:  # appending still works after the refusals
        assert record_event(conn, username="ana", action="view_ad") > ids[-1]


def test_long_fields_are_cut_to_the_columns(engine: Engine) -> None:
    with engine.begin() as conn:
        record_event(conn, username="u", action="a" * 50, target="t" * 300, address="1" * 80)
    with engine.connect() as conn:
        event = list_events(conn, AuditFilter())[0]
    assert (len(event.action), len(event.target or ""), len(event.address or "")) == (40, 200, 64)


# --- keyed hashes and the key ----------------------------------------------------------------


@given(st.text(max_size=40), st.text(max_size=40))
def test_keyed_hash_is_deterministic_and_keyed(a: str, b: str) -> None:
    digest = keyed_hash(a, key=KEY)
    assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
    assert keyed_hash(a, key=KEY) == digest
    assert keyed_hash(a, key=KEY[::-1]) != digest
    assert (keyed_hash(b, key=KEY) == digest) == (a == b)


def test_key_file_is_made_once_beside_the_sqlite_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    path = key_file_for(url)
    assert path == tmp_path / "store.db.key" and not path.exists()
    key = key_for_url(url)
    assert len(key) == KEY_BYTES and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_for_url(url) == key
    assert store_key(open_store(url)) == key
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_server_store_key_lives_beside_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADTRACE_CONFIG", str(tmp_path / "conf" / "adtrace.toml"))
    url = "postgresql+psycopg://adtrace@db.example/adtrace"
    assert key_file_for(url) == tmp_path / "conf" / "adtrace.key"
    assert key_file_for("sqlite://") == tmp_path / "conf" / "adtrace.key"


def test_a_secret_setting_wins_and_must_be_long(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    secret = "s" * 32
    assert key_for_url(url, secret) == secret.encode()
    assert not key_file_for(url).exists()
    with pytest.raises(AuditKeyError, match="at least 32 characters"):
        key_for_url(url, "short")


def test_default_key_follows_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADTRACE_DB", f"sqlite:///{tmp_path / 'cli.db'}")
    made = keyed_hash("phone:+16135550142")
    assert made == keyed_hash(
        "phone:+16135550142", key=key_for_url(f"sqlite:///{tmp_path / 'cli.db'}")
    )
    monkeypatch.setenv("ADTRACE_SECRET_KEY", "k" * 40)
    assert keyed_hash("phone:+16135550142") == keyed_hash("phone:+16135550142", key=b"k" * 40)


def test_a_bad_key_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "store.db.key"
    path.write_text("not a key\n", encoding="ascii")
    with pytest.raises(AuditKeyError, match=r"store\.db\.key"):
        read_key_file(path)


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "race.key"
    keys: list[bytes] = []
    threads = [threading.Thread(target=lambda: keys.append(read_key_file(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert sorted(os.listdir(tmp_path)) == ["race.key"]


# --- the writer --------------------------------------------------------------------------------


def test_the_writer_queues_while_sqlite_is_busy_and_keeps_the_order(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    engine = open_store(f"sqlite:///{path}", busy_timeout_ms=200)
    writer = AuditWriter(engine, quick_wait_ms=50)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        for n in range(5):
            writer.append(NewEvent(username="u", action="view_ad", target=f"ad:{n}"))
        assert writer.pending() == 5
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert writer.flush(10.0)
    writer.append(NewEvent(username="u", action="view_ad", target="ad:5"))
    with engine.connect() as conn:
        found = list(iter_events(conn, AuditFilter()))[::-1]
    assert [e.target for e in found] == [f"ad:{n}" for n in range(6)]
    assert [e.at for e in found] == sorted(e.at for e in found)
    writer.close()
    engine.dispose()


def test_events_the_writer_cannot_keep_are_logged_at_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "store.db"
    engine = open_store(f"sqlite:///{path}", busy_timeout_ms=100)
    writer = AuditWriter(engine, quick_wait_ms=50, max_pending=2)
    digest = keyed_hash("phone:+16135550142", key=KEY)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.ERROR, logger="adtrace.store.audit"):
            for _ in range(3):  # the third finds the queue full
                writer.append(NewEvent(username="u", action="search", details={"h": [digest]}))
            writer.close(timeout=0.3)  # the two queued ones cannot be written in time
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3 and all("audit event NOT recorded" in e for e in errors)
    assert all(digest in e and '"action": "search"' in e for e in errors)
    assert "2 events already wait" in errors[0] and "stopped" in errors[2]
    with engine.connect() as conn:
        assert count_events(conn, AuditFilter()) == 0
    writer.append(NewEvent(username="u", action="search"))  # usable again after close
    with engine.connect() as conn:
        assert count_events(conn, AuditFilter()) == 1
    engine.dispose()


def test_the_writer_writes_at_once_on_both_stores(engine: Engine) -> None:
    writer = AuditWriter(engine)
    writer.append(NewEvent(username="u", action="view_case", target="case:1", address="::1"))
    assert writer.pending() == 0
    with engine.connect() as conn:
        (event,) = list_events(conn, AuditFilter())
    assert (event.username, event.action, event.target, event.address) == (
        "u",
        "view_case",
        "case:1",
        "::1",
    )
