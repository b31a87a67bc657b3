"""CSV (RFC 4180, formula injection guarded) and JSON (one object of a fixed shape)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from adtrace.export import export_bytes, export_filename, to_csv, to_json
from adtrace.export.formats import CSV_COLUMNS, safe_cell
from tests.export.dossiers import ad, dossier

HOSTILE = (
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
)


@pytest.mark.parametrize("cell", HOSTILE)
def test_formula_starts_are_quoted(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Rosie", "", "1+1", " =x", "'quoted", 'a,b\n"c"'])
def test_other_cells_are_kept(cell: str) -> None:
    assert safe_cell(cell) == cell


def test_csv_rows_parse_back_with_every_cell_guarded() -> None:
    ads = tuple(
        ad(i + 1, title, f'{title}\nline two, "quoted"', ("phone", "+16135550142", "text", "line"))
        for i, title in enumerate(HOSTILE)
    )
    data = to_csv(dossier(ads))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == len(HOSTILE) + 1
    assert data.count(b"\r\n") >= len(rows)  # RFC 4180 line ends
    for row, title in zip(rows[1:], HOSTILE, strict=True):
        assert len(row) == len(CSV_COLUMNS)
        assert row[CSV_COLUMNS.index("title")] == "'" + title
        assert row[CSV_COLUMNS.index("text")] == "'" + title + '\nline two, "quoted"'
        assert row[CSV_COLUMNS.index("phones")] == "'+16135550142"
        assert row[CSV_COLUMNS.index("cluster_id")] == "r1-1"
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_csv_joins_selectors_of_a_kind() -> None:
    one = ad(
        1,
        "Ana",
        "a@x.example b@x.example",
        ("email", "a@x.example", "text", "a@x.example"),
        ("email", "b@x.example", "text", "b@x.example"),
        ("name", "Ana", "title", "Ana"),
    )
    row = next(iter(csv.DictReader(io.StringIO(to_csv(dossier((one,))).decode()))))
    assert row["emails"] == "a@x.example | b@x.example"
    assert row["names"] == "Ana"


def test_json_shape() -> None:
    one = ad(1, "Ana", "call 613 555 0142", ("phone", "+16135550142", "text", "613 555 0142"))
    two = ad(2, "Ana", "call 613 555 0142 now", ("phone", "+16135550142", "text", "613 555 0142"))
    found = json.loads(to_json(dossier((one, two), notes=("checked",))))
    assert list(found) == [
        "format",
        "version",
        "subject",
        "link_run",
        "exported_at",
        "exported_by",
        "redacted",
        "n_ads",
        "clusters",
        "ads",
        "links",
        "templates",
        "scores",
        "casework",
    ]
    assert found["format"] == "adtrace-export" and found["version"] == 1
    assert found["subject"] == {
        "kind": "cluster",
        "id": "r1-1",
        "title": "r1-1",
        "status": None,
        "summary": "",
    }
    assert found["link_run"] == {
        "run_id": 4,
        "finished_at": "2024-03-01T10:00:00+00:00",
        "mode": "full",
    }
    assert found["redacted"] is False and found["n_ads"] == 2 and found["clusters"] == ["r1-1"]
    assert found["ads"][0]["phones"] == ["+16135550142"]
    assert set(found["ads"][0]) >= {"ad_id", "site", "site_ad_id", "url", "posted_at", "text"}
    assert found["templates"][0]["cluster_id"] == "r1-1"
    assert found["scores"][0]["reasons"][0]["indicator"] == "C01"
    assert found["casework"]["notes"][0]["value"] == "checked"
    assert found["casework"]["tags"] == ["watch"]


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_bytes(dossier(()), "xlsx")


def test_file_names_come_from_the_subject_id_only() -> None:
    assert export_filename("cluster", "r2-62", "pdf", True) == "adtrace-cluster-r2-62-redacted.pdf"
    assert (
        export_filename("cluster", '../"x y"\r\n', "csv", False) == "adtrace-cluster-____x_y___.csv"
    )
    assert export_filename("case", "", "json", False) == "adtrace-case-_.json"
