"""A store filled at the previous schema (0007) survives `adtrace db upgrade` on both backends,
and `adtrace db backup` gives a copy that opens with the same rows.

Today's code reads whole rows of tables that 0008 widened (``batches.undone_by``), so it cannot
write to a 0007 store. The store is therefore filled at head through the code paths 0007 had
(ingest, extract, link, score, search index, users, case work: label, note, tag, case;
escalations with a comment, an export record, a browser import job) and migrated DOWN to 0007
(0008's tables and column dropped, SQLite rebuilding ``batches`` with its rows): that is a 0007
store with data. After the CLI upgrade every table of 0007 holds the same rows, the data reads
back, and the tables of 0008 take rows (the audit log stays append-only).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, Table, func, insert, inspect, select, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.pipeline import IngestOptions, extract_store, ingest_file, link_store
from adtrace.pipeline.score import score_store
from adtrace.store import casework, clusters, escalations, exports, import_jobs, migrate
from adtrace.store.engine import create_store_engine, open_store
from adtrace.store.schema import (
    ad_versions,
    app_settings,
    audit_log,
    batches,
    login_failures,
    metadata,
    purges,
    users,
)
from adtrace.store.search_index import rebuild_index
from adtrace.synth import generate_ads, write_ads
from adtrace.web.auth import add_user, check_password

PREVIOUS = "0007"
NEW_TABLES = ("app_settings", "audit_log", "login_failures", "purges")
ESCALATING = "Sweet and shy, not yet 18, call 613 555 0142 tonight"
NOTE = "Seen in three cities; same phone as the 2023 case. « à suivre »"
runner = CliRunner()


def fill_previous(engine: Engine, folder: Path) -> dict[str, object]:
    """Data written by the 0007 code paths; returns what the test reads back later."""
    synthetic = folder / "synthetic.csv"
    write_ads(generate_ads(150, 5, workers=1), synthetic)
    ingest_file(engine, synthetic, IngestOptions())
    extra = folder / "extra.csv"
    with extra.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "id", "title", "text", "posted_at", "city"])
        writer.writerow(["site-x", "e1", "New in town", ESCALATING, "2024-03-01T10:00Z", "Ottawa"])
    ingest_file(engine, extra, IngestOptions())
    extract_store(engine, workers=1)
    link_store(engine)
    score_store(engine)
    rebuild_index(engine)
    with engine.begin() as conn:
        add_user(conn, "ana", "a long enough password", role="analyst")
        add_user(conn, "root", "another long password", role="admin")
        cluster_id = clusters.cluster_sizes(conn, limit=1)[0][0]
        casework.annotate_cluster(conn, cluster_id, "label", "suspected", by="ana")
        casework.annotate_cluster(conn, cluster_id, "note", NOTE, by="ana")
        casework.annotate_cluster(conn, cluster_id, "tag", "circuit-ottawa", by="ana")
        case_id = casework.create_case(conn, "Ottawa circuit", "Three cities.", by="ana")
        casework.add_cluster_to_case(conn, case_id, cluster_id, by="ana")
        escalations.sync_escalations(conn)
        escalation_id = escalations.list_escalations(conn, limit=1)[0].escalation_id
        escalations.set_status(conn, escalation_id, "in_review", by="ana", comment="taken")
        exports.record_export(
            conn,
            subject="cluster",
            subject_id=cluster_id,
            fmt="csv",
            redacted=True,
            link_run=clusters.latest_link_run(conn),
            n_ads=3,
            data=b"a,b\n",
            by="ana",
        )
        job_id = import_jobs.create_job(
            conn, filename="extra.csv", dataset="extra", site=None, created_by="ana"
        )
        batch_id = int(conn.execute(select(func.max(batches.c.batch_id))).scalar_one())
    return {
        "cluster_id": cluster_id,
        "case_id": case_id,
        "escalation_id": escalation_id,
        "job_id": job_id,
        "batch_id": batch_id,
    }


def row_counts(engine: Engine, tables: list[Table]) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables
        }


def previous_tables() -> list[Table]:
    """The tables the 0007 schema has (every table of schema.py but the 0008 ones)."""
    return [t for t in metadata.sorted_tables if t.name not in NEW_TABLES]


def previous_store(url: str, folder: Path) -> tuple[dict[str, object], dict[str, int]]:
    """A store at 0007 with data (see the module docstring), and its row counts."""
    engine = open_store(url)
    made = fill_previous(engine, folder)
    before = row_counts(engine, previous_tables())
    engine.dispose()
    engine = create_store_engine(url)  # foreign keys on, as every store engine has them
    migrate.downgrade(engine, PREVIOUS)
    assert migrate.current_revision(engine) == PREVIOUS
    names = set(inspect(engine).get_table_names())
    assert not names & set(NEW_TABLES)
    assert "undone_by" not in {c["name"] for c in inspect(engine).get_columns("batches")}
    assert row_counts(engine, previous_tables()) == before
    engine.dispose()
    return made, before


def test_upgrade_from_0007_keeps_the_data_and_the_new_tables_work(
    store_url: str, tmp_path: Path
) -> None:
    made, before = previous_store(store_url, tmp_path)
    assert before["ads"] == 151 and before["ad_links"] > 0 and before["escalation_events"] >= 2

    result = runner.invoke(app, ["db", "upgrade", "--db", store_url])
    assert result.exit_code == 0, result.output
    assert f"{PREVIOUS} → {migrate.head_revision()}" in result.output
    engine = open_store(store_url)  # refuses a store that is not at head
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    assert row_counts(engine, previous_tables()) == before

    with engine.begin() as conn:
        assert ESCALATING in conn.execute(select(ad_versions.c.text)).scalars().all()
        hashed = conn.execute(select(users.c.password_hash).where(users.c.username == "ana"))
        assert check_password(hashed.scalar_one(), "a long enough password")
        work = casework.cluster_casework(conn, str(made["cluster_id"]))
        assert NOTE in [a.value for a in work.notes]
        case = casework.get_case(conn, int(str(made["case_id"])))
        assert case is not None and case.title == "Ottawa circuit"
        history = escalations.history(conn, int(str(made["escalation_id"])))
        assert "taken" in [e.comment for e in history]
        # The 0008 tables and column take rows.
        now = datetime.now(UTC)
        conn.execute(
            insert(audit_log),
            {"at": now, "username": "ana", "action": "search", "details": {"n": 1}},
        )
        conn.execute(insert(login_failures), {"username": "x", "address": "127.0.0.1", "at": now})
        conn.execute(
            insert(app_settings),
            {"key": "retention_days", "value": 365, "updated_by": "root", "updated_at": now},
        )
        conn.execute(
            insert(purges),
            {"kind": "age", "criteria": {}, "counts": {}, "by": "root", "at": now},
        )
        batch = batches.c.batch_id == made["batch_id"]
        import_jobs.undo_import(conn, int(str(made["batch_id"])), "root")
        conn.execute(update(batches).where(batch).values(undone_by="root"))
        undone = conn.execute(select(batches.c.status, batches.c.undone_by).where(batch)).one()
        assert tuple(undone) == ("undone", "root")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(update(audit_log).values(action="changed"))
    assert row_counts(engine, [audit_log, login_failures, app_settings, purges]) == {
        "audit_log": 1,
        "login_failures": 1,
        "app_settings": 1,
        "purges": 1,
    }


def test_upgrade_of_a_store_at_head_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'head.db'}"
    open_store(url).dispose()
    result = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    head = migrate.head_revision()
    assert f"{head} → {head}" in result.output


def test_backup_copy_opens_with_the_same_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    previous_store(url, tmp_path)
    assert runner.invoke(app, ["db", "upgrade", "--db", url]).exit_code == 0
    target = tmp_path / "copy" / "backup.db"
    target.parent.mkdir()

    result = runner.invoke(app, ["db", "backup", "-o", str(target), "--db", url])
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output
    copy = open_store(f"sqlite:///{target}", create=False)
    tables = list(metadata.sorted_tables)
    assert row_counts(copy, tables) == row_counts(open_store(url), tables)
    with copy.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"

    again = runner.invoke(app, ["db", "backup", "-o", str(target), "--db", url])
    assert again.exit_code == 2 and "exists already" in again.output


@pytest.mark.postgresql
def test_backup_of_postgresql_points_to_pg_dump(postgres_url: str) -> None:
    result = runner.invoke(app, ["db", "backup", "--db", postgres_url])
    assert result.exit_code == 2
    assert "pg_dump" in result.output
