"""The record of exports: what was exported (a case or a cluster), in which format, redacted or
not, from which link run, how many ads, the SHA-256 of the bytes handed out, by whom and when.

Pure functions on a Connection; the caller owns the transaction (`with engine.begin()`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, func, insert, select

from adtrace.store.schema import exports

SUBJECTS: Final = ("case", "cluster")
FORMATS: Final = ("csv", "json", "pdf")


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One recorded export."""

    export_id: int
    subject: str
    subject_id: str
    format: str
    redacted: bool
    link_run: int | None
    n_ads: int
    sha256: str
    created_by: str
    created_at: datetime


def record_export(
    conn: Connection,
    *,
    subject: str,
    subject_id: str,
    fmt: str,
    redacted: bool,
    link_run: int | None,
    n_ads: int,
    data: bytes,
    by: str,
    at: datetime | None = None,
) -> int:
    """Record an export of `data` (its SHA-256 is kept, not the bytes); returns the export id.

    Raises:
        ValueError: an unknown subject or format.
    """
    if subject not in SUBJECTS or fmt not in FORMATS:
        raise ValueError(f"cannot record an export of a {subject!r} as {fmt!r}")
    row = {
        "subject": subject,
        "subject_id": subject_id,
        "format": fmt,
        "redacted": redacted,
        "link_run": link_run,
        "n_ads": n_ads,
        "sha256": hashlib.sha256(data).hexdigest(),
        "created_by": by,
        "created_at": at or datetime.now(UTC),
    }
    return int(conn.execute(insert(exports).returning(exports.c.export_id), row).scalar_one())


def list_exports(
    conn: Connection,
    *,
    subject: str | None = None,
    subject_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ExportRecord]:
    """Recorded exports, newest first (optionally of one subject kind or one subject)."""
    query = select(exports).order_by(exports.c.export_id.desc()).limit(limit).offset(offset)
    for column, value in ((exports.c.subject, subject), (exports.c.subject_id, subject_id)):
        if value is not None:
            query = query.where(column == value)
    return [_record(r) for r in conn.execute(query)]


def count_exports(
    conn: Connection, *, subject: str | None = None, subject_id: str | None = None
) -> int:
    """How many exports `list_exports` would page through."""
    query = select(func.count()).select_from(exports)
    for column, value in ((exports.c.subject, subject), (exports.c.subject_id, subject_id)):
        if value is not None:
            query = query.where(column == value)
    return int(conn.execute(query).scalar_one())


def _record(r: Any) -> ExportRecord:
    created = r.created_at
    return ExportRecord(
        export_id=int(r.export_id),
        subject=str(r.subject),
        subject_id=str(r.subject_id),
        format=str(r.format),
        redacted=bool(r.redacted),
        link_run=None if r.link_run is None else int(r.link_run),
        n_ads=int(r.n_ads),
        sha256=str(r.sha256),
        created_by=str(r.created_by),
        # SQLite returns naive datetimes; everything the store holds is UTC.
        created_at=created if created.tzinfo is not None else created.replace(tzinfo=UTC),
    )
