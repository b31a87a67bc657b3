"""File mode: read ads from CSV, JSON Lines or Parquet, write one result per ad, on all cores.

Input and output formats follow the file extension. Reading and writing stream in batches of
``BATCH_ROWS`` ads; worker processes extract and encode whole batches while this process reads
ahead and writes results back in input order. At most ``IN_FLIGHT_PER_WORKER`` batches per
worker are pending at any time, so memory stays bounded whatever the file size.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, Final, TypeAlias

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from adtrace.extract.extraction import JSON_KEYS
from adtrace.extract.table import SCHEMA, extract_rows

logger = logging.getLogger(__name__)

BATCH_ROWS: Final = 1_000
IN_FLIGHT_PER_WORKER: Final = 2
"""Batches queued per worker: two keep every core busy while this process writes; more only
holds more ads in memory."""
_COLUMNS: Final = ("id", "text", "title")
_REQUIRED: Final = ("id", "text")
_FORMATS: Final = (".csv", ".jsonl", ".parquet")

Batch = tuple[list[str], list[str | None], list[str | None] | None]
Encoded: TypeAlias = str | pa.Table
"""One batch's results as written: JSON Lines or CSV text, or an Arrow table for Parquet."""
Writer = Callable[[Encoded], None]


def extract_file(input: Path, output: Path, region: str = "CA", workers: int | None = None) -> int:
    """Extract selectors from every ad of ``input`` into ``output``.

    Args:
        input: a ``.csv``, ``.jsonl`` or ``.parquet`` file with columns ``id`` and ``text``
            (``title`` optional, others ignored).
        output: ``.jsonl`` (one JSON object per ad), ``.parquet`` or ``.csv`` (lists as JSON).
        region: see :func:`adtrace.extract.extract_all`.
        workers: processes (default: all cores; 1 runs in this process).

    Returns:
        The number of ads written.

    Raises:
        ValueError: a format is not supported, or a required column is missing.
    """
    input, output = Path(input), Path(output)
    _check_format(input, "input")
    _check_format(output, "output")
    workers = workers or os.cpu_count() or 1
    suffix = output.suffix.lower()
    count = 0
    with ExitStack() as stack:
        write = _writer(output, stack)
        pool = stack.enter_context(ProcessPoolExecutor(workers)) if workers > 1 else None
        for size, encoded in _extracted(_batches(input), region, suffix, pool, workers):
            write(encoded)
            count += size
            logger.debug("extracted %d ads from %s", count, input)
    logger.info("extracted %d ads from %s into %s", count, input, output)
    return count


def _extracted(
    batches: Iterator[Batch],
    region: str,
    suffix: str,
    pool: ProcessPoolExecutor | None,
    workers: int,
) -> Iterator[tuple[int, Encoded]]:
    """Each batch's size and encoded results, in input order, extracted in ``pool`` if given."""
    if pool is None:
        for batch in batches:
            yield len(batch[0]), extract_batch(batch, region, suffix)
        return
    pending: deque[tuple[int, Future[Encoded]]] = deque()
    for batch in batches:
        pending.append((len(batch[0]), pool.submit(extract_batch, batch, region, suffix)))
        if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
            size, future = pending.popleft()
            yield size, future.result()
    while pending:
        size, future = pending.popleft()
        yield size, future.result()


def extract_batch(batch: Batch, region: str, suffix: str) -> Encoded:
    """Extract one batch and encode it for an output of type ``suffix`` (runs in workers)."""
    rows = extract_rows(*batch, region=region)
    if suffix == ".parquet":
        return pa.Table.from_pylist(rows, schema=SCHEMA)
    if suffix == ".jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    text = io.StringIO(newline="")
    csv.writer(text).writerows(_csv_row(r) for r in rows)
    return text.getvalue()


def _check_format(path: Path, role: str) -> None:
    if path.suffix.lower() not in _FORMATS:
        raise ValueError(
            f"{path}: unsupported {role} format {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(_FORMATS)}."
        )


def _check_columns(path: Path, columns: list[str]) -> None:
    for name in _REQUIRED:
        if name not in columns:
            found = ", ".join(columns) or "none"
            raise ValueError(f"{path}: missing required column {name!r} (columns found: {found}).")


def _batches(path: Path) -> Iterator[Batch]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_batches(path)
    elif suffix == ".jsonl":
        yield from _jsonl_batches(path)
    else:
        yield from _parquet_batches(path)


def _from_arrow(batch: pa.RecordBatch | pa.Table, has_title: bool) -> Batch:
    def strings(name: str) -> list[Any]:
        values: list[Any] = batch.column(name).cast(pa.string()).to_pylist()
        return values

    return strings("id"), strings("text"), strings("title") if has_title else None


def _csv_batches(path: Path) -> Iterator[Batch]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    _check_columns(path, header)
    present = [c for c in _COLUMNS if c in header]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=present,
            column_types={c: pa.string() for c in present},
            strings_can_be_null=False,
        ),
    )
    for block in reader:
        for start in range(0, block.num_rows, BATCH_ROWS):
            yield _from_arrow(block.slice(start, BATCH_ROWS), "title" in present)


def _parquet_batches(path: Path) -> Iterator[Batch]:
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    _check_columns(path, names)
    present = [c for c in _COLUMNS if c in names]
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=present):
        yield _from_arrow(batch, "title" in present)


def _jsonl_batches(path: Path) -> Iterator[Batch]:
    ids: list[str] = []
    texts: list[str | None] = []
    titles: list[str | None] = []
    checked = False
    with path.open(encoding="utf-8-sig") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            record = _json_record(path, line_no, line)
            if not checked:
                _check_columns(path, list(record))
                checked = True
            ids.append(_json_id(path, line_no, record))
            texts.append(_json_str(record.get("text")))
            titles.append(_json_str(record.get("title")))
            if len(ids) == BATCH_ROWS:
                yield ids, texts, titles
                ids, texts, titles = [], [], []
    if ids:
        yield ids, texts, titles


def _json_record(path: Path, line_no: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}, line {line_no}: not valid JSON ({err.msg}).") from err
    if not isinstance(record, dict):
        raise ValueError(f"{path}, line {line_no}: expected a JSON object per line.")
    return record


def _json_id(path: Path, line_no: int, record: dict[str, Any]) -> str:
    value = record.get("id")
    if value is None:
        raise ValueError(f"{path}, line {line_no}: missing required field 'id'.")
    return str(value)


def _json_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _writer(path: Path, stack: ExitStack) -> Writer:
    if path.suffix.lower() == ".parquet":
        parquet = stack.enter_context(pq.ParquetWriter(path, SCHEMA))

        def write_table(encoded: Encoded) -> None:
            assert isinstance(encoded, pa.Table)
            parquet.write_table(encoded)

        return write_table
    f: IO[str] = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
    if path.suffix.lower() == ".csv":
        csv.writer(f).writerow(["id", *JSON_KEYS, "language"])

    def write_text(encoded: Encoded) -> None:
        assert isinstance(encoded, str)
        f.write(encoded)

    return write_text


def _csv_row(row: dict[str, Any]) -> list[str]:
    lists = [json.dumps(row[key], ensure_ascii=False) for key in JSON_KEYS]
    return [row["id"], *lists, row["language"]]
