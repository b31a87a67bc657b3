"""The ingest stage on the store: each file one batch, in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from adtrace import __version__
from adtrace.ingest.mapping import ColumnMap, auto_map
from adtrace.ingest.readers import file_sha256, open_reader
from adtrace.ingest.records import InputError, RawRecord
from adtrace.ingest.times import DateOrderVote
from adtrace.ingest.validate import IdFrom, RowRules, storable, validate_record
from adtrace.model import AdRecord, BatchId, ImportCounts, Rejection
from adtrace.store import batches
from adtrace.store.ads import write_ads

log = logging.getLogger(__name__)

TIME_FIELDS = ("posted_at", "seen_at")
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """What the user said about the files (`adtrace ingest` options)."""

    site: str | None = None
    dataset: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    tz: str | None = None
    default_tz: str = "UTC"
    date_format: str | None = None
    id_from: IdFrom | None = None
    encoding: str | None = None
    delimiter: str | None = None
    max_field_chars: int = 1_000_000
    chunk_rows: int = 2_000


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What importing one file did."""

    source: str
    batch_id: BatchId
    counts: ImportCounts
    columns: list[tuple[str, str]]
    already_imported: bool = False


def ingest_file(
    engine: Engine, path: Path, options: IngestOptions, progress: Progress | None = None
) -> IngestResult:
    """Import one file (or folder of HTML pages) as one batch, in one transaction.

    Re-importing the same bytes with the same options changes nothing; a crash leaves the store as
    it was. Raises InputError when the file as a whole cannot be used.
    """
    source = storable(str(path))
    if not path.exists():
        raise InputError(source, "no such file or folder")
    reader = open_reader(
        path, encoding=options.encoding, delimiter=options.delimiter, display=source
    )
    columns = _column_map(source, reader.columns, options)
    sha = file_sha256(path)
    params = _batch_params(options, columns)
    dataset = options.dataset or path.stem
    with engine.begin() as conn:
        previous = batches.find_completed(conn, sha, dataset, params)
    if previous is not None:
        log.info(
            "%s was already imported as batch %s; nothing changed", source, previous["batch_id"]
        )
        return _already(source, previous, columns)
    rules = _row_rules(path, options, columns)
    started = datetime.now(UTC)
    counts = ImportCounts()
    with engine.begin() as conn:
        batch_id = batches.start_batch(
            conn,
            dataset=dataset,
            source=source,
            file_sha256=sha,
            file_format=_format_name(path),
            params=params,
            code_version=__version__,
            started_at=started,
        )
        records = iter(
            open_reader(
                path, encoding=options.encoding, delimiter=options.delimiter, display=source
            )
        )
        for chunk in _chunks(records, options.chunk_rows):
            counts = counts + _write_chunk(conn, batch_id, chunk, rules, started)
            if progress is not None:
                progress(len(chunk))
        batches.finish_batch(conn, batch_id, counts)
    log.info("imported %s as batch %s: %s", source, batch_id, counts.as_dict())
    return IngestResult(source, batch_id, counts, columns.describe())


def _write_chunk(
    conn: Connection,
    batch_id: BatchId,
    chunk: Sequence[RawRecord],
    rules: RowRules,
    started: datetime,
) -> ImportCounts:
    outcomes = [validate_record(raw, rules) for raw in chunk]
    good = [o for o in outcomes if isinstance(o, AdRecord)]
    bad = [o for o in outcomes if isinstance(o, Rejection)]
    batches.write_rejections(conn, batch_id, bad)
    for rejection in bad:
        log.debug(
            "%s line %s: field %s rejected: %s",
            rejection.source,
            rejection.line,
            rejection.field,
            rejection.reason,
        )
    written = write_ads(conn, batch_id, good, started) if good else ImportCounts()
    return written + ImportCounts(read=len(chunk), rejected=len(bad))


def _column_map(source: str, names: list[str], options: IngestOptions) -> ColumnMap:
    try:
        columns = auto_map(names, options.mapping)
    except ValueError as err:
        raise InputError(source, str(err)) from err
    if columns.source_of("id") is None and options.id_from is None:
        raise InputError(
            source,
            "no id column (looked for id, ad_id, post_id, ...): "
            "use --map id=COLUMN or --id-from url|content-hash",
            field_name="id",
        )
    if options.id_from == "url" and columns.source_of("url") is None:
        raise InputError(
            source, "--id-from url but the file has no url column (use --map url=COLUMN)"
        )
    if columns.source_of("text") is None and columns.source_of("title") is None:
        raise InputError(
            source,
            "no text or title column (looked for text, description, body, "
            "title, ...): use --map text=COLUMN",
            field_name="text",
        )
    if (
        columns.source_of("site") is None
        and options.site is None
        and columns.source_of("url") is None
    ):
        raise InputError(
            source, "no site column and no url column: give --site NAME", field_name="site"
        )
    return columns


def _row_rules(path: Path, options: IngestOptions, columns: ColumnMap) -> RowRules:
    orders, conflicts = _infer_date_orders(path, options, columns)
    return RowRules(
        source=str(path),
        columns=columns,
        site=options.site,
        id_from=options.id_from,
        tz=options.tz,
        default_tz=options.default_tz,
        date_format=options.date_format,
        date_orders=orders,
        date_conflicts=conflicts,
        max_field_chars=options.max_field_chars,
    )


def _infer_date_orders(
    path: Path, options: IngestOptions, columns: ColumnMap
) -> tuple[dict[str, Any], frozenset[str]]:
    """First pass over the file: day/month order per time column, from values like 25/12/2024."""
    wanted = {name: columns.source_of(name) for name in TIME_FIELDS}
    present = {name: column for name, column in wanted.items() if column is not None}
    if not present or options.date_format is not None:
        return {}, frozenset()
    votes = {name: DateOrderVote() for name in present}
    for raw in open_reader(path, encoding=options.encoding, delimiter=options.delimiter):
        for name, column in present.items():
            value = raw.fields.get(column)
            if value:
                votes[name].add(value)
    orders = {name: None if vote.conflict else vote.result() for name, vote in votes.items()}
    conflicts = frozenset(name for name, vote in votes.items() if vote.conflict)
    return orders, conflicts


def _batch_params(options: IngestOptions, columns: ColumnMap) -> dict[str, Any]:
    return {
        "site": options.site,
        "columns": dict(sorted(columns.fields.items())),
        "tz": options.tz,
        "default_tz": options.default_tz,
        "date_format": options.date_format,
        "id_from": options.id_from,
        "encoding": options.encoding,
        "delimiter": options.delimiter,
        "max_field_chars": options.max_field_chars,
    }


def _format_name(path: Path) -> str:
    return "html" if path.is_dir() else path.suffix.lower().lstrip(".") or "unknown"


def _already(source: str, previous: dict[str, Any], columns: ColumnMap) -> IngestResult:
    kept = previous["rows_new"] + previous["rows_updated"] + previous["rows_unchanged"]
    counts = ImportCounts(
        read=previous["rows_read"], unchanged=kept, rejected=previous["rows_rejected"]
    )
    return IngestResult(
        source, BatchId(previous["batch_id"]), counts, columns.describe(), already_imported=True
    )


def _chunks(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    while chunk := list(islice(records, size)):
        yield chunk


def ingest_files(
    engine: Engine, paths: Iterable[Path], options: IngestOptions, progress: Progress | None = None
) -> list[IngestResult]:
    """Import several files, each its own batch."""
    return [ingest_file(engine, path, options, progress) for path in paths]
