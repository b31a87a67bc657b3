"""File mode: CSV, JSON Lines and Parquet in and out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from adtrace.extract import files
from adtrace.extract.files import extract_file

ROWS = [
    {"id": "1", "title": "Hazel", "text": "Call 514-555-0123 now"},
    {"id": "2", "title": "", "text": "snap: test_amy\nsecond line, 150/hh"},
    {"id": "3", "title": "Nouvelle", "text": "J'ai 22 ans, à Montréal"},
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(params=["csv", "jsonl", "parquet"])
def input_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / f"ads.{request.param}"
    if request.param == "csv":
        write_csv(path, ROWS)
    elif request.param == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(ROWS), path)
    return path


def test_every_input_format_to_jsonl(input_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert extract_file(input_file, out) == 3
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert list(rows[0]) == ["id", "phones", "emails", "handles", "urls", "names", "ages",
                             "prices", "places", "language"]  # fmt: skip
    assert rows[0]["phones"] == ["+15145550123"]
    assert rows[1]["handles"] == [{"platform": "snapchat", "value": "test_amy"}]
    assert rows[2]["ages"] == [22]
    assert rows[2]["places"] == ["Montréal, QC"]


def test_parquet_and_csv_outputs(tmp_path: Path) -> None:
    source = tmp_path / "ads.csv"
    write_csv(source, ROWS)
    assert extract_file(source, tmp_path / "out.parquet") == 3
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column("phones").to_pylist()[0] == ["+15145550123"]
    assert extract_file(source, tmp_path / "out.csv") == 3
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert json.loads(rows[0]["phones"]) == ["+15145550123"]
    assert rows[2]["language"] == "fr"


def test_streams_in_batches_keeping_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "BATCH_ROWS", 2)
    source = tmp_path / "ads.jsonl"
    many = [{"id": i, "text": f"ad {i}, call 514-555-01{i:02d}"} for i in range(7)]
    source.write_text("".join(json.dumps(r) + "\n" for r in many), encoding="utf-8")
    assert extract_file(source, tmp_path / "out.jsonl") == 7
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == [str(i) for i in range(7)]
    assert rows[5]["phones"] == ["+15145550105"]


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
def test_missing_column_names_file_and_column(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"bad.{suffix}"
    rows = [{"id": "1", "body": "no text column"}]
    if suffix == "csv":
        write_csv(path, rows)
    elif suffix == "jsonl":
        path.write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    with pytest.raises(ValueError, match=r"bad\.\w+: missing required column 'text'"):
        extract_file(path, tmp_path / "out.jsonl")


def test_bad_json_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text('{"id": 1, "text": "ok"}\n{broken\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"ads\.jsonl, line 2"):
        extract_file(path, tmp_path / "out.jsonl")


def test_unsupported_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported input format"):
        extract_file(tmp_path / "ads.xlsx", tmp_path / "out.jsonl")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_all_cores_give_the_same_file_in_input_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr(files, "BATCH_ROWS", 3)  # 9 batches, several in flight per worker
    source = tmp_path / "ads.jsonl"
    many = [
        {"id": i, "title": f"Ad {i}", "text": f"Ad {i}: call 514 555 01{i:02d}, {100 + i}$ hh"}
        for i in range(25)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in many), encoding="utf-8")
    one, two = tmp_path / f"one{suffix}", tmp_path / f"two{suffix}"
    assert extract_file(source, one, workers=1) == extract_file(source, two, workers=2) == 25
    if suffix == ".parquet":
        assert pq.read_table(one).equals(pq.read_table(two))
        ids = pq.read_table(two).column("id").to_pylist()
    elif suffix == ".jsonl":
        assert one.read_bytes() == two.read_bytes()
        rows = read_jsonl(two)
        ids = [r["id"] for r in rows]
        assert rows[7]["phones"] == ["+15145550107"]
    else:
        assert one.read_bytes() == two.read_bytes()
        with two.open(encoding="utf-8", newline="") as f:
            ids = [r["id"] for r in csv.DictReader(f)]
    assert ids == [str(i) for i in range(25)]


def test_worker_batches_equal_in_process_rows() -> None:
    batch = (["a", "b"], ["Call 514-555-0123", "J'ai 22 ans"], [None, "Nouvelle"])
    text = files.extract_batch(batch, "CA", ".jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["phones"] == ["+15145550123"] and rows[1]["ages"] == [22]
