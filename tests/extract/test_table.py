"""Batch extraction over Arrow tables (the engines' entry point)."""

from __future__ import annotations

import pickle

import pyarrow as pa
import pytest

from adtrace.extract import SCHEMA, extract_all, extract_batches, extract_table

ADS = {
    "id": ["a1", "a2", "a3"],
    "text": ["Call 514-555-0123, 23 yo", None, "snap: test_amy, 150/hh"],
    "title": ["Hazel in Laval", "Rien", None],
}


def test_one_row_per_input_row_in_order() -> None:
    out = extract_table(pa.table(ADS))
    assert out.schema == SCHEMA
    rows = out.to_pylist()
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    assert rows[0]["phones"] == ["+15145550123"]
    assert rows[0]["ages"] == [23]
    assert rows[0]["places"] == ["Laval, QC"]
    assert rows[1]["phones"] == []
    assert rows[2]["handles"] == [{"platform": "snapchat", "value": "test_amy"}]
    assert rows[2]["prices"] == [{"value": 150.0, "currency": "CAD", "minutes": 30}]


def test_rows_match_extract_all() -> None:
    rows = extract_table(pa.table(ADS)).to_pylist()
    for i, row in enumerate(rows):
        expected = extract_all(ADS["text"][i] or "", ADS["title"][i]).to_json()
        assert row["phones"] == expected["phones"]
        assert row["language"] == expected["language"]


def test_title_is_optional_and_ids_become_strings() -> None:
    out = extract_table(pa.table({"id": [7, 8], "text": ["x", "y"]}))
    assert out.column("id").to_pylist() == ["7", "8"]


def test_missing_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no 'text' column"):
        extract_table(pa.table({"id": ["a"], "body": ["x"]}))


def test_batches_stream_and_functions_pickle() -> None:
    batches = pa.table(ADS).to_batches(max_chunksize=2)
    out = pa.Table.from_batches(list(extract_batches(batches)), schema=SCHEMA)
    assert out.column("id").to_pylist() == ["a1", "a2", "a3"]
    # Spark ships the function by pickling it; these are our own objects, not untrusted data.
    assert pickle.loads(pickle.dumps(extract_table)) is extract_table  # noqa: S301
    assert pickle.loads(pickle.dumps(extract_batches)) is extract_batches  # noqa: S301
