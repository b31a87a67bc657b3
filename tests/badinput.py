"""Malformed inputs and what ingest must do with each: the cases behind the bad-input table.

Used by tests/pipeline/test_bad_input.py (assertions) and benchmarks/bad_inputs.py (the table).
Every file is generated here: synthetic, no real data.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HEADER = ["id", "site", "title", "text", "posted_at", "city"]


def _rows(n: int) -> list[list[str]]:
    return [
        [
            str(i),
            "site-a",
            f"Titre {i}",
            f"Belle fille à Montréal, appelle-moi #{i}",
            "2024-07-18 14:29",
            "Montréal",
        ]
        for i in range(n)
    ]


def _csv_text(rows: list[list[str]], header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    """One malformed input, how to make it, and what must happen."""

    name: str
    make: Callable[[Path], Path]
    exit_code: int
    stored: int
    rejected: int
    args: list[str] = field(default_factory=list)


def truncated_csv(folder: Path) -> Path:
    text = _csv_text(_rows(10))
    cut = text.rindex('"Belle') + len('"Belle fi')  # inside the last row's quoted text
    path = folder / "truncated.csv"
    path.write_text(text[:cut], encoding="utf-8")
    return path


def cp1252_csv(folder: Path) -> Path:
    path = folder / "cp1252.csv"
    path.write_bytes(_csv_text(_rows(10)).encode("cp1252"))
    return path


def cp1252_forced_utf8(folder: Path) -> Path:
    return cp1252_csv(folder)


def utf16_csv(folder: Path) -> Path:
    path = folder / "utf16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + _csv_text(_rows(10)).encode("utf-16-le"))
    return path


def binary_junk(folder: Path) -> Path:
    path = folder / "junk.csv"
    path.write_bytes(random.Random(7).randbytes(200_000))
    return path


def nul_bytes(folder: Path) -> Path:
    rows = _rows(10)
    rows[4][3] = "bad\x00row"
    path = folder / "nul.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    return path


def huge_field(folder: Path) -> Path:
    rows = _rows(10)
    rows[6][3] = "x" * 20_000_000
    path = folder / "huge.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    return path


def broken_json_line(folder: Path) -> Path:
    lines = [
        json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False) for row in _rows(10)
    ]
    lines[5] = lines[5][:-10]
    path = folder / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def deeply_nested_json(folder: Path) -> Path:
    lines = [
        json.dumps(dict(zip(HEADER, row, strict=True)), ensure_ascii=False) for row in _rows(10)
    ]
    lines[2] = lines[2][:-1] + ', "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = folder / "nested.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def missing_id_column(folder: Path) -> Path:
    path = folder / "noid.csv"
    path.write_text(_csv_text([row[1:] for row in _rows(10)], HEADER[1:]), encoding="utf-8")
    return path


def duplicate_ids(folder: Path) -> Path:
    rows = _rows(10)
    rows[7][0] = rows[3][0]  # same id, other text: a second version
    rows[8] = list(rows[2])  # the same row twice: a second sighting
    path = folder / "dupes.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    return path


def ambiguous_dates(folder: Path) -> Path:
    rows = _rows(10)
    for i, row in enumerate(rows):
        row[4] = f"0{1 + i % 9}/0{1 + (i + 1) % 9}/2024 10:00"  # every day and month <= 12
    path = folder / "ambiguous.csv"
    path.write_text(_csv_text(rows), encoding="utf-8")
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.csv"
    path.write_bytes(b"")
    return path


def header_only(folder: Path) -> Path:
    path = folder / "header.csv"
    path.write_text(_csv_text([]), encoding="utf-8")
    return path


CASES = [
    Case("truncated CSV (unterminated quote)", truncated_csv, 0, 9, 1),
    Case("wrong encoding (cp1252, detected)", cp1252_csv, 0, 10, 0),
    Case(
        "cp1252 read with --encoding utf-8", cp1252_forced_utf8, 0, 0, 10, ["--encoding", "utf-8"]
    ),
    Case("UTF-16 with BOM", utf16_csv, 0, 10, 0),
    Case("binary junk", binary_junk, 2, 0, 0),
    Case("NUL byte in a row", nul_bytes, 0, 9, 1),
    Case("a 20 MB field", huge_field, 0, 9, 1),
    Case("broken JSON line in the middle", broken_json_line, 0, 9, 1),
    Case("deeply nested JSON (100k levels)", deeply_nested_json, 0, 9, 1),
    Case("missing id column", missing_id_column, 2, 0, 0),
    Case("duplicate ids", duplicate_ids, 0, 8, 0),
    Case("ambiguous dates (all <= 12)", ambiguous_dates, 0, 0, 10),
    Case(
        "ambiguous dates with --date-format",
        ambiguous_dates,
        0,
        10,
        0,
        ["--date-format", "%d/%m/%Y %H:%M"],
    ),
    Case("empty file", empty_file, 2, 0, 0),
    Case("header only", header_only, 0, 0, 0),
]
