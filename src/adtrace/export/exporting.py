"""One export from start to record: gather the dossier, redact it if asked, write the format,
name the file, record it. The web route and the command line both call these two functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import Connection

from adtrace.export.dossier import Dossier, gather_case, gather_cluster
from adtrace.export.formats import FORMATS, MEDIA_TYPES, export_bytes
from adtrace.export.redact import redact
from adtrace.store.exports import record_export

SUBJECTS: Final = ("cluster", "case")
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class Export:
    """The bytes of one export, with what a download and the record need."""

    subject: str
    subject_id: str
    fmt: str
    redacted: bool
    data: bytes
    dossier: Dossier

    @property
    def filename(self) -> str:
        """A file name built from the subject id only (never from ad data)."""
        return export_filename(self.subject, self.subject_id, self.fmt, self.redacted)

    @property
    def media_type(self) -> str:
        """The Content-Type of the bytes."""
        return MEDIA_TYPES[self.fmt]


def export_filename(subject: str, subject_id: str, fmt: str, redacted: bool) -> str:
    """`adtrace-cluster-r2-62-redacted.pdf`: characters other than letters, digits, `-` and
    `_` in the id become `_`."""
    safe = _UNSAFE.sub("_", subject_id)[:60] or "_"
    return f"adtrace-{subject}-{safe}{'-redacted' if redacted else ''}.{fmt}"


def make_export(
    conn: Connection,
    subject: str,
    subject_id: str,
    fmt: str,
    *,
    redacted: bool,
    by: str,
    lang: str = "en",
    now: datetime | None = None,
) -> Export:
    """Gather, optionally redact, and write a cluster or a case in `fmt` (`lang`: the PDF's
    language and the redaction tags' words in the PDF).

    Raises:
        ValueError: an unknown subject or format, or a case id that is not a number.
        LookupError: no such cluster in the latest link run, or no such case.
    """
    if subject not in SUBJECTS or fmt not in FORMATS:
        raise ValueError(f"cannot export a {subject!r} as {fmt!r}")
    moment = now or datetime.now(UTC)
    if subject == "cluster":
        dossier = gather_cluster(conn, subject_id, by=by, now=moment)
    else:
        if not subject_id.isdigit():
            raise ValueError(f"a case id is a number, not {subject_id!r}")
        dossier = gather_case(conn, int(subject_id), by=by, now=moment)
    if redacted:
        dossier = redact(dossier, lang if fmt == "pdf" else "en")
    data = export_bytes(dossier, fmt, lang=lang)
    return Export(subject, subject_id, fmt, redacted, data, dossier)


def record(conn: Connection, export: Export) -> int:
    """Record an export in the store (in the caller's transaction); returns its id."""
    run = export.dossier.link_run
    return record_export(
        conn,
        subject=export.subject,
        subject_id=export.subject_id,
        fmt=export.fmt,
        redacted=export.redacted,
        link_run=None if run is None else run.run_id,
        n_ads=len(export.dossier.ads),
        data=export.data,
        by=export.dossier.exported_by,
        at=export.dossier.exported_at,
    )
