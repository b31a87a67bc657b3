"""File mode: read ads from CSV, JSON Lines or Parquet, write one result per ad.

Input and output formats follow the file extension. Reading and writing stream in batches of
``BATCH_ROWS`` ads, so memory stays bounded whatever the file size; the output keeps input order.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, Final

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from adtrace.extract.extraction import JSON_KEYS
from adtrace.extract.table import SCHEMA, extract_rows

logger = logging.getLogger(__name__)

BATCH_ROWS: Final = 2_000
_COLUMNS: Final = ("id", "text", "title")
_REQUIRED: Final = ("id", "text")
_FORMATS: Final = (".csv", ".jsonl", ".parquet")

Batch = tuple[list[str], list[str | None], list[str | None] | None]
Writer = Callable[[list[dict[str, Any]]], None]


def extract_file(input: Path, output: Path, region: str = "CA") -> int:
    """Extract selectors from every ad of ``input`` into ``output``.

    Args:
        input: a ``.csv``, ``.jsonl`` or ``.parquet`` file with columns ``id`` and ``text``
            (``title`` optional, others ignored).
        output: ``.jsonl`` (one JSON object per ad), ``.parquet`` or ``.csv`` (lists as JSON).
        region: see :func:`adtrace.extract.extract_all`.

    Returns:
        The number of ads written.

    Raises:
        ValueError: a format is not supported, or a required column is missing.
    """
    input, output = Path(input), Path(output)
    _check_format(input, "input")
    _check_format(output, "output")
    count = 0
    with ExitStack() as stack:
        write = _writer(output, stack)
        for ids, texts, titles in _batches(input):
            rows = extract_rows(ids, texts, titles, region)
            write(rows)
            count += len(rows)
            logger.debug("extracted %d ads from %s", count, input)
    logger.info("extracted %d ads from %s into %s", count, input, output)
    return count


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
    for batch in reader:
        yield _from_arrow(batch, "title" in present)


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
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        parquet = stack.enter_context(pq.ParquetWriter(path, SCHEMA))
        return lambda rows: parquet.write_table(pa.Table.from_pylist(rows, schema=SCHEMA))
    f: IO[str] = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
    if suffix == ".jsonl":
        return lambda rows: f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    out = csv.writer(f)
    out.writerow(["id", *JSON_KEYS, "language"])
    return lambda rows: out.writerows(_csv_row(r) for r in rows)


def _csv_row(row: dict[str, Any]) -> list[str]:
    lists = [json.dumps(row[key], ensure_ascii=False) for key in JSON_KEYS]
    return [row["id"], *lists, row["language"]]
