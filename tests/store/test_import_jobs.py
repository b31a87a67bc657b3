"""Browser import jobs in the store: records, the merged list of imports, undo (both stores)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from adtrace.pipeline import IngestOptions, ingest_file
from adtrace.store import import_jobs
from adtrace.store.engine import open_store
from adtrace.store.schema import ads, rejects, search_docs, search_terms
from adtrace.store.search_index import index_ads


def _write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "id", "text", "posted_at"])
        for ad_id, text in rows:
            writer.writerow(["example.test", ad_id, text, "2024-05-01T12:00:00Z"])
    return path


def _import(engine: Engine, path: Path, dataset: str) -> int:
    result = ingest_file(engine, path, IngestOptions(dataset=dataset))
    with engine.begin() as conn:
        index_ads(conn, list(conn.execute(select(ads.c.ad_id)).scalars()))
    return int(result.batch_id)


def _count(engine: Engine, table: object, **where: object) -> int:
    query = select(func.count()).select_from(table)  # type: ignore[arg-type]
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_a_job_goes_from_queued_to_complete_and_names_the_upload(
    store_url: str, tmp_path: Path
) -> None:
    engine = open_store(store_url)
    with engine.begin() as conn:
        job_id = import_jobs.create_job(
            conn, filename="../../x<b>.csv", dataset="spring", site=None, created_by="ana"
        )
        job = import_jobs.get_job(conn, job_id)
    assert job is not None and job.status == "queued" and job.filename == "../../x<b>.csv"
    with engine.begin() as conn:
        import_jobs.start_job(conn, job_id)
    path = _write_csv(tmp_path / "job-1.csv", [("1", "hello there"), ("", "no id")])
    result = ingest_file(engine, path, IngestOptions(dataset="spring"))
    with engine.begin() as conn:
        import_jobs.name_batch(conn, result.batch_id, "../../x<b>.csv")
        import_jobs.finish_job(conn, job_id, result.batch_id, result.counts)
    with engine.connect() as conn:
        job = import_jobs.get_job(conn, job_id)
        batch = import_jobs.get_batch(conn, result.batch_id)
        sources = set(conn.execute(select(rejects.c.source)).scalars())
        made = import_jobs.job_of_batch(conn, result.batch_id)
    assert job is not None and job.status == "complete" and job.batch_id == result.batch_id
    assert job.counts["read"] == 2 and job.counts["rejected"] == 1
    assert job.started_at is not None and job.finished_at is not None
    assert batch is not None and batch["source"] == "../../x<b>.csv"  # never the server's path
    assert sources == {"../../x<b>.csv"}
    assert made is not None and made.job_id == job_id


def test_the_list_merges_command_line_batches_and_jobs_newest_first(
    store_url: str, tmp_path: Path
) -> None:
    engine = open_store(store_url)
    cli_batch = _import(engine, _write_csv(tmp_path / "cli.csv", [("1", "one")]), "cli")
    with engine.begin() as conn:
        failed = import_jobs.create_job(
            conn, filename="bad.json", dataset="bad", site=None, created_by="ana"
        )
        import_jobs.fail_job(conn, failed, "bad.json, line 3: broken")
        again = import_jobs.create_job(
            conn, filename="cli.csv", dataset="cli", site=None, created_by="bob"
        )
    same = ingest_file(engine, tmp_path / "cli.csv", IngestOptions(dataset="cli"))
    assert same.already_imported
    with engine.begin() as conn:
        import_jobs.finish_job(conn, again, same.batch_id, same.counts, already_imported=True)
    with engine.connect() as conn:
        rows = import_jobs.list_imports(conn)
        made = import_jobs.job_of_batch(conn, cli_batch)
    assert [(r.job_id, r.batch_id, r.status) for r in rows] == [
        (again, cli_batch, "complete"),
        (failed, None, "failed"),
        (None, cli_batch, "complete"),
    ]
    assert rows[2].created_by is None and rows[2].counts["new"] == 1
    assert made is None  # a job that found the file already imported did not make the batch


def test_abandoned_jobs_are_marked_failed_except_the_ones_kept(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.begin() as conn:
        ids = [
            import_jobs.create_job(
                conn, filename=f"{n}.csv", dataset="d", site=None, created_by="a"
            )
            for n in range(3)
        ]
        import_jobs.start_job(conn, ids[0])
        marked = import_jobs.fail_abandoned(conn, "stopped", keep=[ids[2]])
        statuses = [import_jobs.get_job(conn, i) for i in ids]
    assert marked == ids[:2]
    assert [j.status for j in statuses if j is not None] == ["failed", "failed", "queued"]
    assert statuses[0] is not None and statuses[0].error == "stopped"


def test_undo_removes_the_ads_from_the_index_and_records_who(
    store_url: str, tmp_path: Path
) -> None:
    engine = open_store(store_url)
    keep = _import(engine, _write_csv(tmp_path / "a.csv", [("1", "kept words")]), "a")
    path = _write_csv(tmp_path / "b.csv", [("1", "kept words changed"), ("2", "zebra quill")])
    result = ingest_file(engine, path, IngestOptions(dataset="b"))
    with engine.begin() as conn:
        index_ads(conn, list(conn.execute(select(ads.c.ad_id)).scalars()))
        job_id = import_jobs.create_job(
            conn, filename="b.csv", dataset="b", site=None, created_by="ana"
        )
        import_jobs.finish_job(conn, job_id, result.batch_id, result.counts)
    assert _count(engine, search_terms, term="zebra") == 1
    with engine.begin() as conn:
        removed = import_jobs.undo_import(conn, result.batch_id, "bob")
    assert removed["ads"] == 1 and removed["versions"] == 2
    assert _count(engine, search_terms, term="zebra") == 0
    assert _count(engine, search_terms, term="changed") == 0  # ad 1 is back to its old text
    assert _count(engine, search_terms, term="kept") == 1
    assert _count(engine, search_docs) == 1
    with engine.connect() as conn:
        job = import_jobs.get_job(conn, job_id)
        rows = import_jobs.list_imports(conn)
    assert job is not None and job.status == "undone" and job.counts["undone_by"] == "bob"
    assert rows[0].status == "undone" and rows[0].undone_by == "bob"
    assert rows[0].undone_at is not None
    with engine.begin() as conn, pytest.raises(import_jobs.NotUndoable) as again:
        import_jobs.undo_import(conn, result.batch_id, "bob")
    assert again.value.reason == "undone"
    with engine.begin() as conn, pytest.raises(import_jobs.NotUndoable) as missing:
        import_jobs.undo_import(conn, 999, "bob")
    assert missing.value.reason == "missing"
    assert keep != result.batch_id


def test_rejects_are_paged_in_file_order(store_url: str, tmp_path: Path) -> None:
    engine = open_store(store_url)
    rows = [("", f"no id {n}") for n in range(7)] + [("9", "fine")]
    batch_id = _import(engine, _write_csv(tmp_path / "r.csv", rows), "r")
    with engine.connect() as conn:
        total = import_jobs.count_rejects(conn, batch_id)
        second = import_jobs.page_rejects(conn, batch_id, limit=3, offset=3)
    assert total == 7
    assert [r["line"] for r in second] == [5, 6, 7]
    assert {r["field"] for r in second} == {"id"}
