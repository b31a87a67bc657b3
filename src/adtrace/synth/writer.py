"""Write a synthetic corpus as CSV, JSON Lines or Parquet, chosen by the file's extension."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

EXTENSIONS = (".csv", ".jsonl", ".parquet")


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
        _write_jsonl(table, path)
    elif suffix == ".parquet":
        pq.write_table(table, path, compression="zstd")
    else:
        shown = path.suffix or "(none)"
        raise ValueError(
            f"cannot write {path.name}: extension {shown} is not one of {', '.join(EXTENSIONS)}"
        )
    log.info("wrote %d ads to %s", table.num_rows, path)


def _write_jsonl(table: pa.Table, path: Path) -> None:
    names = table.column_names
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for batch in table.to_batches(max_chunksize=50_000):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            out.writelines(
                json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n"
                for row in zip(*columns, strict=True)
            )
