from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import numpy as np
import pytest

from adtrace.web.render.map import Stop, _outlines, locate, map_svg, stops_from_posts
from adtrace.web.render.projection import project
from adtrace.web.render.timeline import Post

from .checks import PAYLOADS, SVG_NS, parse_svg, svg_texts

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def _gazetteer() -> list[dict[str, str]]:
    path = resources.files("adtrace.extract").joinpath("data/places.csv")
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _stops(cities: list[str]) -> list[Stop]:
    return [
        Stop(c, T0 + timedelta(days=3 * i), T0 + timedelta(days=3 * i + 1), i + 1)
        for i, c in enumerate(cities)
    ]


def _inside(point: np.ndarray, ring: np.ndarray) -> bool:
    """Even-odd ray casting."""
    x, y = point
    x1, y1 = ring[:, 0], ring[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    crosses = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return bool(np.count_nonzero(crosses & (x < at)) % 2)


def test_every_gazetteer_place_can_be_located() -> None:
    for row in _gazetteer():
        if row["kind"] == "province":
            assert locate(row["province"]) is None
            continue
        label = ", ".join(filter(None, (row["name"], row["parent"], row["province"])))
        where = locate(label)
        assert where is not None, label
        if row["parent"]:
            assert where == locate(f"{row['parent']}, {row['province']}")


def test_city_coordinates_fall_in_canada() -> None:
    """Catches swapped or mistyped coordinates: each city lies inside the outline of Canada or
    within 25 km of its coast (the simplified outline cuts some harbours)."""
    canada = dict(_outlines())["CAN"]
    coast = np.concatenate(canada)
    for row in _gazetteer():
        if row["kind"] != "city":
            continue
        lon, lat = locate(f"{row['name']}, {row['province']}") or (0.0, 0.0)
        point = np.column_stack(project(lon, lat))[0]
        near = float(np.min(np.hypot(*(coast - point).T))) < 25
        assert near or any(_inside(point, ring) for ring in canada), row["name"]


def test_no_city_is_drawn_in_a_lake() -> None:
    """The simplified shores cut some harbours: shore cities are placed a little inland."""
    lakes = dict(_outlines())["LAKES"]
    for row in _gazetteer():
        if row["kind"] == "city":
            lon, lat = locate(f"{row['name']}, {row['province']}") or (0.0, 0.0)
            point = np.column_stack(project(lon, lat))[0]
            assert sum(_inside(point, ring) for ring in lakes) % 2 == 0, row["name"]


def test_outline_data_is_small_and_documented() -> None:
    data = resources.files("adtrace.web.render").joinpath("data")
    outlines = data.joinpath("outlines.json").read_bytes()
    assert len(outlines) < 300_000
    document = json.loads(outlines)
    assert "Natural Earth" in document["source"]
    assert [f["id"] for f in document["features"]] == ["USA", "GRL", "CAN", "LAKES", "PROVINCES"]
    notice = " ".join(data.joinpath("NOTICE").read_text(encoding="utf-8").split())
    assert "in the public domain" in notice and "world-atlas 2.0.2" in notice


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Montréal, QC", "Montréal, QC"),
        ("MONTREAL", "Montréal, QC"),
        ("montreal qc", "Montréal, QC"),
        ("mtl", "Montréal, QC"),
        ("Verdun, Montréal, QC", "Montréal, QC"),
        ("quebec city", "Québec, QC"),
        ("St Johns, NL", "St. John's, NL"),
        ("London", "London, ON"),
    ],
)
def test_locate_reads_labels_and_names_as_written(name: str, expected: str) -> None:
    assert locate(name) == locate(expected) is not None


@pytest.mark.parametrize("name", ["Atlantis", "", "QC", "Paris, France", "Victoria, ON"])
def test_locate_says_unknown(name: str) -> None:
    assert locate(name) is None


def test_stops_merge_consecutive_posts_and_keep_revisits() -> None:
    cities = ["Toronto, ON", "toronto", None, "Ottawa, ON", "Toronto, ON"]
    posts = [Post(str(i), T0 + timedelta(hours=i), "s", c) for i, c in enumerate(cities)]
    stops = stops_from_posts(list(reversed(posts)))
    assert [(s.city, s.count) for s in stops] == [
        ("Toronto, ON", 2),
        ("Ottawa, ON", 1),
        ("Toronto, ON", 1),
    ]
    assert stops[0].first_seen == T0 and stops[0].last_seen == T0 + timedelta(hours=1)
    assert stops_from_posts([]) == []


def _markers(root: object) -> dict[str, tuple[float, float]]:
    out = {}
    for group in root.iter(f"{SVG_NS}g"):  # type: ignore[attr-defined]
        if group.get("class") == "map-stop":
            circle = group.find(f"{SVG_NS}circle")
            label = group.find(f"{SVG_NS}text").text
            out[label] = (float(circle.get("cx")), float(circle.get("cy")))
    return out


def test_stops_are_numbered_and_placed_where_the_cities_are() -> None:
    svg = map_svg(_stops(["Toronto, ON", "Montréal, QC", "Québec, QC", "Toronto, ON"]))
    root = parse_svg(svg)
    markers = _markers(root)
    assert set(markers) == {"1,4", "2", "3"}
    toronto, montreal, quebec = markers["1,4"], markers["2"], markers["3"]
    assert toronto[0] < montreal[0] < quebec[0]  # west to east
    assert quebec[1] < montreal[1] < toronto[1]  # south to north (SVG y grows down)
    for x, y in markers.values():
        assert 0 <= x <= 600 and 0 <= y <= 520
    circuit = next(root.iter(f"{SVG_NS}polyline"))
    assert len(circuit.get("points").split()) == 4
    assert len(list(root.iter(f"{SVG_NS}polygon"))) == 3  # one arrow per leg


def test_unknown_cities_are_listed_not_dropped() -> None:
    root = parse_svg(map_svg(_stops(["Toronto, ON", "Atlantis", "Ottawa, ON", "Atlantis"])))
    texts = svg_texts(root)
    assert "Not on the map (place unknown):" in texts
    assert "Atlantis (2, 4)" in texts
    assert set(_markers(root)) == {"1", "3"}


def test_long_circuits_keep_the_unknown_cities_in_the_legend() -> None:
    cities = ["Toronto, ON", "Ottawa, ON", "Laval, QC", "Nowhere"] * 30
    root = parse_svg(map_svg(_stops(cities), height=400))
    texts = svg_texts(root)
    assert "Not on the map (place unknown):" in texts
    assert any(t.startswith("Nowhere (4, 8, 12") for t in texts)
    assert any(t.startswith("… ") and t.endswith(" more") for t in texts)


def test_french_labels() -> None:
    root = parse_svg(map_svg(_stops(["Montréal, QC", "Atlantis"]), lang="fr"))
    texts = svg_texts(root)
    assert "Étapes dans l'ordre chronologique" in texts
    assert "Hors carte (lieu inconnu) :" in texts
    assert "1. Montréal, QC" in texts
    assert "1er mai 2024 – 2 mai 2024 · 1 annonce" in texts


def test_empty_map_shows_canada() -> None:
    root = parse_svg(map_svg([], lang="fr"))
    assert "Aucune ville connue pour ces annonces" in svg_texts(root)
    classes = [p.get("class") for p in root.iter(f"{SVG_NS}path")]
    assert {"map-can", "map-usa", "map-lakes", "map-provinces"} <= set(classes)
    assert not _markers(root)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_city_names_come_out_as_text(payload: str) -> None:
    root = parse_svg(map_svg(_stops([payload, "Toronto, ON", f"{payload}, Montréal, QC"])))
    titles = [t.text or "" for t in root.iter(f"{SVG_NS}title")]
    assert any(payload in t for t in titles)


def test_characters_xml_forbids_are_dropped() -> None:
    root = parse_svg(map_svg(_stops(["Atl\x00an\x0btis\ud800"])))
    assert "Atlantis (1)" in svg_texts(root)
