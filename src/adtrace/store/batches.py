"""Import batches: record them, find a file already imported, list them, and undo one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select, update

from adtrace.model import BatchId, ImportCounts, Rejection
from adtrace.store.schema import ad_versions, ads, batches, rejects, sightings


def start_batch(
    conn: Connection,
    *,
    dataset: str,
    source: str,
    file_sha256: str,
    file_format: str,
    params: dict[str, Any],
    code_version: str,
    started_at: datetime,
) -> BatchId:
    """Record a batch being imported (inside the import's transaction) and return its id."""
    row = conn.execute(
        insert(batches).returning(batches.c.batch_id),
        {
            "dataset": dataset,
            "source": source,
            "file_sha256": file_sha256,
            "format": file_format,
            "params": params,
            "code_version": code_version,
            "started_at": started_at,
            "rows_read": 0,
            "rows_new": 0,
            "rows_updated": 0,
            "rows_unchanged": 0,
            "rows_rejected": 0,
            "status": "running",
        },
    ).one()
    return BatchId(row.batch_id)


def finish_batch(conn: Connection, batch_id: BatchId, counts: ImportCounts) -> None:
    """Store the batch's counts and mark it complete."""
    conn.execute(
        update(batches)
        .where(batches.c.batch_id == batch_id)
        .values(
            finished_at=datetime.now(UTC),
            rows_read=counts.read,
            rows_new=counts.new,
            rows_updated=counts.updated,
            rows_unchanged=counts.unchanged,
            rows_rejected=counts.rejected,
            status="complete",
        )
    )


def find_completed(
    conn: Connection, file_sha256: str, dataset: str, params: dict[str, Any]
) -> dict[str, Any] | None:
    """The complete (not undone) batch that imported these bytes with the same settings, if any."""
    query = (
        select(batches)
        .where(
            batches.c.file_sha256 == file_sha256,
            batches.c.dataset == dataset,
            batches.c.status == "complete",
        )
        .order_by(batches.c.batch_id)
    )
    for row in conn.execute(query).mappings():
        if row["params"] == params:
            return dict(row)
    return None


def write_rejections(conn: Connection, batch_id: BatchId, rejections: Sequence[Rejection]) -> None:
    """Keep rejected rows whole, with file, line, field and reason."""
    if rejections:
        conn.execute(
            insert(rejects),
            [
                {
                    "batch_id": batch_id,
                    "source": r.source,
                    "line": r.line,
                    "field": r.field,
                    "reason": r.reason,
                    "raw": r.raw,
                }
                for r in rejections
            ],
        )


def list_batches(conn: Connection) -> list[dict[str, Any]]:
    """Every batch, oldest first."""
    return [
        dict(row) for row in conn.execute(select(batches).order_by(batches.c.batch_id)).mappings()
    ]


def list_rejects(conn: Connection, batch_id: BatchId | None = None) -> list[dict[str, Any]]:
    """Rejected rows, of one batch or all, in file order."""
    query = select(rejects).order_by(rejects.c.batch_id, rejects.c.reject_id)
    if batch_id is not None:
        query = query.where(rejects.c.batch_id == batch_id)
    return [dict(row) for row in conn.execute(query).mappings()]


class BatchNotFound(LookupError):
    """No batch with that id, or it was already undone."""


def undo_batch(conn: Connection, batch_id: BatchId) -> dict[str, int]:
    """Remove what a batch brought, inside the caller's transaction, and keep its record as undone.

    Sightings are the source of truth: the batch's sightings go, then versions no sighting
    refers to, then ads with no version left; the remaining ads get their current version and
    first/last seen recomputed from the sightings left.
    """
    status = conn.execute(select(batches.c.status).where(batches.c.batch_id == batch_id)).scalar()
    if status != "complete":
        raise BatchNotFound(f"batch {batch_id} does not exist or is not a complete import")
    touched = select(sightings.c.ad_id).where(sightings.c.batch_id == batch_id).distinct()
    touched_ids = [row.ad_id for row in conn.execute(touched)]
    removed_sightings = conn.execute(delete(sightings).where(sightings.c.batch_id == batch_id))
    orphan = ~exists().where(sightings.c.version_id == ad_versions.c.version_id)
    removed_versions = (
        conn.execute(delete(ad_versions).where(ad_versions.c.ad_id.in_(touched_ids), orphan))
        if touched_ids
        else None
    )
    removed_ads = _delete_empty_ads(conn, touched_ids)
    _refresh_ads(conn, touched_ids)
    conn.execute(delete(rejects).where(rejects.c.batch_id == batch_id))
    conn.execute(
        update(batches)
        .where(batches.c.batch_id == batch_id)
        .values(status="undone", undone_at=datetime.now(UTC))
    )
    return {
        "sightings": removed_sightings.rowcount,
        "versions": removed_versions.rowcount if removed_versions is not None else 0,
        "ads": removed_ads,
    }


def _delete_empty_ads(conn: Connection, ad_ids: list[int]) -> int:
    if not ad_ids:
        return 0
    empty = ~exists().where(ad_versions.c.ad_id == ads.c.ad_id)
    conn.execute(update(ads).where(ads.c.ad_id.in_(ad_ids), empty).values(current_version_id=None))
    return conn.execute(delete(ads).where(ads.c.ad_id.in_(ad_ids), empty)).rowcount


def _refresh_ads(conn: Connection, ad_ids: list[int]) -> None:
    for start in range(0, len(ad_ids), 1000):
        chunk = ad_ids[start : start + 1000]
        summary = (
            select(
                sightings.c.ad_id,
                func.min(sightings.c.seen_at).label("first"),
                func.max(sightings.c.seen_at).label("last"),
                func.count().label("n"),
            )
            .where(sightings.c.ad_id.in_(chunk))
            .group_by(sightings.c.ad_id)
        )
        for row in conn.execute(summary).all():
            latest = conn.execute(
                select(sightings.c.version_id)
                .where(sightings.c.ad_id == row.ad_id)
                .order_by(sightings.c.seen_at.desc(), sightings.c.sighting_id.desc())
                .limit(1)
            ).scalar_one()
            conn.execute(
                update(ads)
                .where(ads.c.ad_id == row.ad_id)
                .values(
                    first_seen=row.first,
                    last_seen=row.last,
                    sightings=row.n,
                    current_version_id=latest,
                )
            )
