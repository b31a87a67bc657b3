"""Parquet files, streamed in record batches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from adtrace.ingest.readers.delimited import unique_names
from adtrace.ingest.readers.values import value_text
from adtrace.ingest.records import InputError, RawRecord

BATCH_ROWS = 10_000
"""Rows decoded at a time: larger batches are faster, smaller ones use less memory."""


class ParquetReader:
    """A Parquet file; ``line`` is the 1-based row number, values become strings like JSON's."""

    def __init__(self, path: Path, *, display: str) -> None:
        self._path = path
        self._source = display
        schema = self._open().schema_arrow
        self._columns = unique_names(schema.names)

    @property
    def columns(self) -> list[str]:
        """Schema field names (made unique)."""
        return list(self._columns)

    def __iter__(self) -> Iterator[RawRecord]:
        row = 0
        for batch in self._open().iter_batches(batch_size=BATCH_ROWS):
            columns = [column_texts(batch.column(i)) for i in range(batch.num_columns)]
            for values in zip(*columns, strict=True):
                row += 1
                yield RawRecord(self._source, row, dict(zip(self._columns, values, strict=True)))

    def _open(self) -> pq.ParquetFile:
        try:
            return pq.ParquetFile(self._path)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(self._source, f"not a readable Parquet file ({exc})") from None


def column_texts(column: pa.Array[Any]) -> list[str | None]:
    """Raw text of every value of one column of a batch."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        texts: list[str | None] = column.to_pylist()  # already str or None
        return texts
    if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
        # Python datetimes hold microseconds; truncate rather than fail on nanoseconds.
        column = column.cast(pa.timestamp("us", tz=column.type.tz), safe=False)
    return [value_text(value) for value in column.to_pylist()]
