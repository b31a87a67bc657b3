"""Parquet reader: batches, row numbers, value conversion."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adtrace.ingest.readers import ParquetReader, open_reader
from adtrace.ingest.readers.parquet import BATCH_ROWS
from adtrace.ingest.records import InputError
from tests.ingest.conftest import WriteFile


def test_values_become_text(tmp_path: Path) -> None:
    moment = dt.datetime(2017, 7, 18, 14, 29, 0, 123456)
    table = pa.table(
        {
            "id": ["a1", None],
            "age": pa.array([23, None], pa.int64()),
            "price": [150.5, 80.0],
            "verified": [True, False],
            "posted_utc": pa.array([moment, None], pa.timestamp("ns", tz="UTC")),
            "posted_local": pa.array([moment, moment], pa.timestamp("ms")),
            "day": [dt.date(2017, 7, 18), None],
            "amount": pa.array([decimal.Decimal("12.50"), None], pa.decimal128(5, 2)),
            "phones": [["514 555 0199", "438 555 0100"], []],
            "meta": [{"lang": "fr", "n": 1}, None],
            "blob": [b"caf\xc3\xa9", None],
        }
    )
    path = tmp_path / "ads.parquet"
    pq.write_table(table, path)
    reader = open_reader(path)
    assert isinstance(reader, ParquetReader)
    assert reader.columns == table.column_names
    first, second = list(reader)
    assert (first.line, second.line) == (1, 2)
    assert first.fields == {
        "id": "a1",
        "age": "23",
        "price": "150.5",
        "verified": "true",
        "posted_utc": "2017-07-18T14:29:00.123456+00:00",
        "posted_local": "2017-07-18T14:29:00.123000",
        "day": "2017-07-18",
        "amount": "12.50",
        "phones": '["514 555 0199", "438 555 0100"]',
        "meta": '{"lang": "fr", "n": 1}',
        "blob": "café",
    }
    assert second.fields["id"] is None and second.fields["posted_utc"] is None
    assert second.fields["verified"] == "false" and second.fields["phones"] == "[]"


def test_rows_numbered_across_batches(tmp_path: Path) -> None:
    count = BATCH_ROWS * 2 + 5
    path = tmp_path / "ads.parquet"
    pq.write_table(pa.table({"id": pa.array(range(count), pa.int32())}), path, row_group_size=7_000)
    records = list(open_reader(path))
    assert len(records) == count
    assert [(r.line, r.fields["id"]) for r in records[::7_001]] == [
        (i + 1, str(i)) for i in range(0, count, 7_001)
    ]


def test_not_a_parquet_file_is_refused(write_file: WriteFile) -> None:
    with pytest.raises(InputError, match="not a readable Parquet file"):
        open_reader(write_file("ads.parquet", "id,text\n1,a\n"))
