"""write_ads round-trips through CSV, JSON Lines and Parquet."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from adtrace.synth import COLUMNS, generate_ads, write_ads
from adtrace.synth.writer import write_jsonl


@pytest.fixture(scope="module")
def small() -> pa.Table:
    return generate_ads(300, seed=21)


def test_csv_round_trip(small: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    write_ads(small, path)
    assert path.read_text(encoding="utf-8").startswith('"site","id"')
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(COLUMNS, pa.string()))
    assert pacsv.read_csv(path, convert_options=options).equals(small)


def test_jsonl_round_trip(small: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    write_ads(small, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == small.to_pylist()
    assert "é" in path.read_text(encoding="utf-8")


def test_parquet_round_trip(small: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "ads.parquet"
    write_ads(small, path)
    assert pq.read_table(path).equals(small)


def test_unknown_extension_is_named(small: pa.Table, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_ads(small, tmp_path / "ads.xlsx")


def test_jsonl_fast_path_matches_json_dumps(small: pa.Table) -> None:
    fast, slow = io.BytesIO(), io.BytesIO()
    write_jsonl(small, fast)
    write_jsonl(small, slow, fast=False)
    assert fast.getvalue() == slow.getvalue()


def test_jsonl_falls_back_for_nulls_controls_and_numbers() -> None:
    odd = pa.table({"a": ["x\x01y", None, 'q"\\\n\t'], "n": [1, 2, 3]})
    out = io.BytesIO()
    write_jsonl(odd, out)
    assert [json.loads(line) for line in out.getvalue().decode().splitlines()] == odd.to_pylist()
