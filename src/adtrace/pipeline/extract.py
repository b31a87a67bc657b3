"""The extract stage on the store: selectors for every ad version not yet extracted, on all cores.

Each chunk is written in its own transaction, so an interrupted run keeps what it finished and the
next run carries on where it stopped; re-running never duplicates (selectors are replaced).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Engine

from adtrace import __version__
from adtrace.extract import Span, extract_all
from adtrace.extract.spans import AGE, PRICE
from adtrace.store.runs import finish_run, start_run
from adtrace.store.selectors import (
    PendingVersion,
    SelectorRow,
    pending_versions,
    write_extractions,
)

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = __version__
CHUNK = 2_000
"""Versions per worker task: large enough to amortise pickling, small enough to show progress."""

Extracted = tuple[int, str, list[SelectorRow]]


@dataclass(frozen=True, slots=True)
class ExtractCounts:
    """What an extract run did."""

    run_id: int
    versions: int
    selectors: int


def extract_store(
    engine: Engine,
    *,
    region: str = "CA",
    redo: bool = False,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExtractCounts:
    """Extract selectors for the store's ad versions that the current extractor has not seen.

    Args:
        engine: the store.
        region: default phone region.
        redo: extract every version again (after changing lexicons, say).
        workers: processes (default: all cores; 1 runs in this process).
        progress: called with the number of versions done after each chunk.
    """
    workers = workers or os.cpu_count() or 1
    params = {"region": region, "redo": redo, "extractor_version": EXTRACTOR_VERSION}
    with engine.begin() as conn:
        run_id = start_run(conn, "extract", params, __version__)
    versions = written = after = 0
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        while chunk := _next_chunk(engine, after, CHUNK * workers, redo=redo):
            after = chunk[-1].version_id
            results = _extract(chunk, region, pool, workers)
            with engine.begin() as conn:
                written += write_extractions(conn, run_id, EXTRACTOR_VERSION, results)
            versions += len(chunk)
            if progress is not None:
                progress(len(chunk))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    with engine.begin() as conn:
        finish_run(conn, run_id, {"versions": versions, "selectors": written})
    log.info("extract run %s: %s versions, %s selectors", run_id, versions, written)
    return ExtractCounts(run_id, versions, written)


def _next_chunk(engine: Engine, after: int, size: int, *, redo: bool) -> list[PendingVersion]:
    with engine.connect() as conn:
        return pending_versions(conn, EXTRACTOR_VERSION, after, size, redo=redo)


def _extract(
    chunk: list[PendingVersion], region: str, pool: ProcessPoolExecutor | None, workers: int
) -> list[Extracted]:
    if pool is None or len(chunk) < CHUNK:
        return extract_versions(chunk, region)
    size = -(-len(chunk) // workers)
    parts = [chunk[i : i + size] for i in range(0, len(chunk), size)]
    return [
        row for part in pool.map(extract_versions, parts, [region] * len(parts)) for row in part
    ]


def extract_versions(chunk: Sequence[PendingVersion], region: str) -> list[Extracted]:
    """Selectors of each version (a pure function, run in worker processes)."""
    out: list[Extracted] = []
    for version in chunk:
        found = extract_all(version.text or "", version.title, region=region)
        out.append((version.version_id, found.language, [_row(s) for s in found.spans()]))
    return out


def span_of(row: SelectorRow) -> Span:
    """The extractor's span back from a stored row (ages as int, prices as float)."""
    value: str | int | float = row.value
    if row.kind == AGE and row.number is not None:
        value = int(row.number)
    elif row.kind == PRICE and row.number is not None:
        value = float(row.number)
    return Span(
        row.kind,
        value,
        row.start,
        row.end,
        row.confidence,
        row.field,
        row.platform,
        row.currency,
        row.minutes,
        row.region,
        row.obfuscated,
    )


def _row(span: Span) -> SelectorRow:
    number = float(span.value) if isinstance(span.value, int | float) else None
    return SelectorRow(
        kind=span.kind,
        value=str(span.value),
        number=number,
        field=span.field,
        start=span.start,
        end=span.end,
        confidence=span.confidence,
        platform=span.platform,
        currency=span.currency,
        minutes=span.minutes,
        region=span.region,
        obfuscated=span.obfuscated,
    )
