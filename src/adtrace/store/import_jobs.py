"""Imports started from the browser: job records, the list of every import, undo.

A job (`import_jobs`) is queued, running, complete, failed or undone; once complete it points at
the batch the import made. Batches imported on the command line have no job: the list of imports
merges both. Extra facts live in the job's `counts` JSON next to the row counts:
`already_imported` (the same bytes were imported before: nothing changed), and `undone_by` /
`undone_at` (who undid the import from the browser).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, func, insert, select, update

from adtrace.model import BatchId, ImportCounts
from adtrace.store import batches as batch_store
from adtrace.store.schema import batches, import_jobs, rejects, sightings
from adtrace.store.search_index import index_ads

COUNT_NAMES: Final = ("read", "new", "updated", "unchanged", "rejected")


@dataclass(frozen=True, slots=True)
class ImportJob:
    """One import started from the browser."""

    job_id: int
    filename: str
    site: str | None
    dataset: str
    status: str
    batch_id: int | None
    counts: dict[str, Any]
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One line of the list of imports: a batch (from the CLI or a job) or a job with no batch."""

    job_id: int | None
    batch_id: int | None
    dataset: str
    source: str
    when: datetime
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    created_by: str | None = None
    undone_at: datetime | None = None
    undone_by: str | None = None


class NotUndoable(LookupError):
    """The import cannot be undone: `reason` is missing, undone or not_complete."""

    def __init__(self, batch_id: int, reason: str, status: str | None = None) -> None:
        self.batch_id = batch_id
        self.reason = reason
        self.status = status
        super().__init__(f"batch {batch_id} cannot be undone: {reason}")


def create_job(
    conn: Connection, *, filename: str, dataset: str, site: str | None, created_by: str
) -> int:
    """Record a queued job; `filename` is the name as uploaded, kept for display only."""
    row = conn.execute(
        insert(import_jobs).returning(import_jobs.c.job_id),
        {
            "filename": filename[:255],
            "site": site,
            "dataset": dataset[:200],
            "status": "queued",
            "counts": {},
            "created_by": created_by,
            "created_at": _now(),
        },
    ).one()
    return int(row.job_id)


def get_job(conn: Connection, job_id: int) -> ImportJob | None:
    """The job, or None."""
    row = conn.execute(select(import_jobs).where(import_jobs.c.job_id == job_id)).mappings()
    found = row.first()
    return None if found is None else _job(found)


def job_of_batch(conn: Connection, batch_id: int) -> ImportJob | None:
    """The browser job that made the batch (not one that found it already imported), or None."""
    query = select(import_jobs).where(import_jobs.c.batch_id == batch_id)
    made = [job for job in map(_job, conn.execute(query).mappings())]
    return next((job for job in made if not job.counts.get("already_imported")), None)


def start_job(conn: Connection, job_id: int) -> None:
    """Mark the job running."""
    _set(conn, job_id, status="running", started_at=_now())


def finish_job(
    conn: Connection,
    job_id: int,
    batch_id: int,
    counts: ImportCounts,
    *,
    already_imported: bool = False,
    note: str | None = None,
) -> None:
    """Mark the job complete with its batch and counts (and `note`: what did not happen)."""
    stored = {**counts.as_dict(), "already_imported": already_imported}
    _set(
        conn,
        job_id,
        status="complete",
        batch_id=batch_id,
        counts=stored,
        error=note,
        finished_at=_now(),
    )


def name_batch(conn: Connection, batch_id: int, display_name: str) -> None:
    """Give the batch and its rejects the file's name as uploaded for `source`, in place of the
    server's temporary path, so no listing shows that path."""
    conn.execute(update(batches).where(batches.c.batch_id == batch_id).values(source=display_name))
    conn.execute(update(rejects).where(rejects.c.batch_id == batch_id).values(source=display_name))


def fail_job(conn: Connection, job_id: int, error: str) -> None:
    """Mark the job failed with one sentence saying why."""
    _set(conn, job_id, status="failed", error=error, finished_at=_now())


def fail_abandoned(conn: Connection, error: str, keep: Sequence[int] = ()) -> list[int]:
    """Mark every queued or running job failed (their process is gone), except `keep`;
    returns their ids."""
    query = (
        select(import_jobs.c.job_id)
        .where(import_jobs.c.status.in_(("queued", "running")))
        .order_by(import_jobs.c.job_id)
    )
    ids = [int(job_id) for job_id in conn.execute(query).scalars() if job_id not in keep]
    if ids:
        conn.execute(
            update(import_jobs)
            .where(import_jobs.c.job_id.in_(ids))
            .values(status="failed", error=error, finished_at=_now())
        )
    return ids


def undo_import(conn: Connection, batch_id: int, by: str) -> dict[str, int]:
    """Undo the batch inside the caller's transaction: its ads go (or get their previous
    version back), the search index follows, and its job (if any) is marked undone by `by`.

    Raises NotUndoable when the batch is unknown, not complete (still running), or already
    undone.
    """
    status = conn.execute(select(batches.c.status).where(batches.c.batch_id == batch_id)).scalar()
    if status is None:
        raise NotUndoable(batch_id, "missing")
    if status == "undone":
        raise NotUndoable(batch_id, "undone")
    if status != "complete":
        raise NotUndoable(batch_id, "not_complete", str(status))
    touched = conn.execute(
        select(sightings.c.ad_id).where(sightings.c.batch_id == batch_id).distinct()
    )
    ad_ids = [int(ad_id) for ad_id in touched.scalars()]
    removed = batch_store.undo_batch(conn, BatchId(batch_id))
    index_ads(conn, ad_ids)  # removed ads drop out, the others get their current version back
    when = _now()
    for job in conn.execute(select(import_jobs).where(import_jobs.c.batch_id == batch_id)):
        counts = {**(job.counts or {}), "undone_by": by, "undone_at": when.isoformat()}
        _set(conn, int(job.job_id), status="undone", counts=counts)
    return removed


def count_rejects(conn: Connection, batch_id: int) -> int:
    """How many rows of the batch were rejected (rows kept in `rejects`)."""
    query = select(func.count()).select_from(rejects).where(rejects.c.batch_id == batch_id)
    return int(conn.execute(query).scalar_one())


def page_rejects(conn: Connection, batch_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
    """One page of the batch's rejected rows, in file order."""
    query = (
        select(rejects.c.line, rejects.c.field, rejects.c.reason, rejects.c.raw)
        .where(rejects.c.batch_id == batch_id)
        .order_by(rejects.c.reject_id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def get_batch(conn: Connection, batch_id: int) -> dict[str, Any] | None:
    """The batch record, or None."""
    found = conn.execute(select(batches).where(batches.c.batch_id == batch_id)).mappings().first()
    return None if found is None else dict(found)


def list_imports(conn: Connection) -> list[ImportRow]:
    """Every import, newest first: each batch (with the job that made it, if any) and every
    other job (queued, running, failed, or a file sent again that was already imported)."""
    jobs = [_job(row) for row in conn.execute(select(import_jobs)).mappings()]
    by_batch: dict[int, ImportJob] = {}
    for job in jobs:
        if job.batch_id is not None and not job.counts.get("already_imported"):
            by_batch[job.batch_id] = job  # the job that made the batch
    rows = [_batch_row(b, by_batch.get(b["batch_id"])) for b in batch_store.list_batches(conn)]
    rows += [_job_row(job) for job in jobs if by_batch.get(job.batch_id or 0) is not job]
    return sorted(rows, key=lambda r: (_utc(r.when), r.batch_id or 0, r.job_id or 0), reverse=True)


def _batch_row(batch: dict[str, Any], job: ImportJob | None) -> ImportRow:
    counts: dict[str, int] = {name: int(batch[f"rows_{name}"]) for name in COUNT_NAMES}
    status = str(batch["status"])
    if job is not None:
        return ImportRow(
            job_id=job.job_id,
            batch_id=int(batch["batch_id"]),
            dataset=str(batch["dataset"]),
            source=job.filename,
            when=job.created_at,
            status="undone" if status == "undone" else job.status,
            counts=counts,
            created_by=job.created_by,
            undone_at=as_utc(batch["undone_at"]),
            undone_by=job.counts.get("undone_by"),
        )
    return ImportRow(
        job_id=None,
        batch_id=int(batch["batch_id"]),
        dataset=str(batch["dataset"]),
        source=str(batch["source"]),
        when=_utc(batch["started_at"]),
        status=status,
        counts=counts,
        undone_at=as_utc(batch["undone_at"]),
    )


def _job_row(job: ImportJob) -> ImportRow:
    counts: dict[str, int] = {
        name: int(job.counts[name]) for name in COUNT_NAMES if name in job.counts
    }
    return ImportRow(
        job_id=job.job_id,
        batch_id=job.batch_id,
        dataset=job.dataset,
        source=job.filename,
        when=job.created_at,
        status=job.status,
        counts=counts,
        created_by=job.created_by,
    )


def _job(row: Any) -> ImportJob:
    return ImportJob(
        job_id=int(row["job_id"]),
        filename=str(row["filename"]),
        site=row["site"],
        dataset=str(row["dataset"]),
        status=str(row["status"]),
        batch_id=None if row["batch_id"] is None else int(row["batch_id"]),
        counts=dict(row["counts"] or {}),
        error=row["error"],
        created_by=str(row["created_by"]),
        created_at=_utc(row["created_at"]),
        started_at=as_utc(row["started_at"]),
        finished_at=as_utc(row["finished_at"]),
    )


def _set(conn: Connection, job_id: int, **values: Any) -> None:
    conn.execute(update(import_jobs).where(import_jobs.c.job_id == job_id).values(**values))


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives them back naive), or None."""
    return None if value is None else _utc(value)
