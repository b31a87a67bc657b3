"""Time zones of Canadian places."""

from __future__ import annotations

import csv
import io
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from adtrace.ingest.zones import place_key, zone_for_place


def _rows() -> list[dict[str, str]]:
    text = resources.files("adtrace.ingest").joinpath("data/ca_zones.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_table_is_valid() -> None:
    rows = _rows()
    assert {row["kind"] for row in rows} == {"city", "region"}
    assert sum(row["kind"] == "city" for row in rows) >= 60
    for row in rows:
        ZoneInfo(row["zone"])  # raises for an unknown zone
    keys = [(row["kind"], place_key(row["name"])) for row in rows]
    assert len(keys) == len(set(keys)), "two rows with the same lookup key"


@pytest.mark.parametrize(
    ("city", "region", "zone"),
    [
        ("MONTREAL", None, "America/Toronto"),
        ("montréal", None, "America/Toronto"),
        ("Montreal, QC", None, "America/Toronto"),
        ("Montréal (Québec)", None, "America/Toronto"),
        ("Laval QC", None, "America/Toronto"),
        ("Trois Rivieres", None, "America/Toronto"),
        ("Quebec City", None, "America/Toronto"),
        ("Thunder Bay", None, "America/Toronto"),
        ("Kenora, ON", None, "America/Winnipeg"),
        ("Saskatoon", None, "America/Regina"),
        ("Fort McMurray", None, "America/Edmonton"),
        ("St. John's", None, "America/St_Johns"),
        ("Saint John", None, "America/Moncton"),
        ("Sault Ste Marie", None, "America/Toronto"),
        ("Vancouver, British Columbia, Canada", None, "America/Vancouver"),
        ("Unknown Town, AB", None, "America/Edmonton"),
        ("Unknown Town", "Colombie-Britannique", "America/Vancouver"),
        (None, "Nouvelle-Écosse", "America/Halifax"),
        (None, "N.-B.", "America/Moncton"),
        (None, "T.-N.-L.", "America/St_Johns"),
        ("", "qc", "America/Toronto"),
        ("Ontario", None, "America/Toronto"),
    ],
)
def test_zone_for_place(city: str | None, region: str | None, zone: str) -> None:
    assert zone_for_place(city, region) == zone


@pytest.mark.parametrize(
    ("city", "region"),
    [(None, None), ("Paris", None), ("London, UK", None), ("  ", " "), ("Springfield", "Ohio")],
)
def test_unknown_places(city: str | None, region: str | None) -> None:
    assert zone_for_place(city, region) is None
