"""Write a synthetic corpus as CSV, JSON Lines or Parquet, chosen by the file's extension."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

EXTENSIONS = (".csv", ".jsonl", ".parquet")
_BATCH_ROWS = 50_000
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"


def write_ads(table: pa.Table, path: Path) -> None:
    """Write `table` to `path`: .csv (UTF-8 with a header), .jsonl or .parquet (zstd).

    Raises:
        ValueError: if the extension is none of those, naming it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        pacsv.write_csv(table, path)
    elif suffix == ".jsonl":
        with path.open("wb") as out:
            write_jsonl(table, out)
    elif suffix == ".parquet":
        pq.write_table(table, path, compression="zstd")
    else:
        shown = path.suffix or "(none)"
        raise ValueError(
            f"cannot write {path.name}: extension {shown} is not one of {', '.join(EXTENSIONS)}"
        )
    log.info("wrote %d ads to %s", table.num_rows, path)


def write_jsonl(table: pa.Table, out: BinaryIO, *, fast: bool = True) -> None:
    """One JSON object per row, as `json.dumps(row, ensure_ascii=False)` writes it.

    Batches whose columns are all non-null strings free of rare control characters are
    escaped and joined by Arrow (about 10x faster); others go through `json.dumps`.
    """
    keys = [json.dumps(name, ensure_ascii=False) for name in table.column_names]
    for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
        lines = _arrow_lines(batch, keys) if fast else None
        if lines is None:
            out.write(_python_lines(batch).encode("utf-8"))
        else:
            _write_string_array(lines, out)


def _escaped(column: pa.Array) -> pa.Array | None:
    """The column's values escaped for a JSON string, or None when Arrow cannot do it."""
    if not pa.types.is_string(column.type) or column.null_count:
        return None
    for old, new in _ESCAPES:
        column = pc.replace_substring(column, old, new)
    if pc.any(pc.match_substring_regex(column, _OTHER_CONTROL)).as_py():
        return None
    return column


def _arrow_lines(batch: pa.RecordBatch, keys: list[str]) -> pa.Array | None:
    if not keys:
        return None
    pieces: list[pa.Array | str] = []
    for i, key in enumerate(keys):
        column = _escaped(batch.column(i))
        if column is None:
            return None
        pieces += [("{" if i == 0 else '", ') + key + ': "', column]
    pieces.append('"}\n')
    return pc.binary_join_element_wise(*pieces, "")


def _write_string_array(lines: pa.Array, out: BinaryIO) -> None:
    """Write the concatenated values of a string array straight from its data buffer."""
    if not len(lines):
        return
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    out.write(memoryview(lines.buffers()[2])[start:end])


def _python_lines(batch: pa.RecordBatch) -> str:
    names = batch.schema.names
    columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
    return "".join(
        json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n"
        for row in zip(*columns, strict=True)
    )
