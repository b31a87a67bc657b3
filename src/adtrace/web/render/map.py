"""The cities of a cluster over time, drawn on an outline of Canada as a self-contained SVG.

Everything ships in the package: country outlines (``data/outlines.json``, Natural Earth via
world-atlas, built by ``scripts/make_outlines.py``) and city coordinates (``data/city_coords.csv``)
for every city of the extraction gazetteer; neighbourhoods are drawn at their city. No tile
server, nothing fetched. Projection: Lambert conformal conic (:mod:`.projection`); the view
zooms on the stops (at least 600 km across), or shows all of Canada when none can be placed.

Stops are numbered in time order and joined by a line with an arrow per leg: the circuit. A stop
whose city is not in the gazetteer is not dropped: it keeps its number and is listed beside the
map under "not on the map".
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Final

import numpy as np
from markupsafe import Markup

from adtrace.extract.normalise import fold
from adtrace.web.render.labels import (
    Lang,
    as_utc,
    assemble,
    check_lang,
    colon,
    format_range,
    plural,
    safe_text,
)
from adtrace.web.render.projection import FloatArray, project
from adtrace.web.render.timeline import FONT, Post

_MIN_VIEW_KM: Final = 600.0
_PAD: Final = 0.18
_LEGEND_WIDTH: Final = 300
_LINE: Final = 16
_NON_WORD: Final = re.compile(r"[\W_]+")
_PROVINCES: Final = frozenset(
    ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
)
_WORDS: Final = {
    "en": {
        "title": "Cities over time",
        "stops": "Stops in time order",
        "unknown": "Not on the map (place unknown):",
        "ad": "ad",
        "ads": "ads",
        "more": "more",
        "empty": "No cities known for these ads",
        "stop": "stop",
        "stops_n": "stops",
    },
    "fr": {
        "title": "Villes dans le temps",
        "stops": "Étapes dans l'ordre chronologique",
        "unknown": "Hors carte (lieu inconnu) :",
        "ad": "annonce",
        "ads": "annonces",
        "more": "de plus",
        "empty": "Aucune ville connue pour ces annonces",
        "stop": "étape",
        "stops_n": "étapes",
    },
}


@dataclass(frozen=True, slots=True)
class Stop:
    """A stay in one city: consecutive posts there.

    Attributes:
        city: the city as known: a gazetteer label ("Montréal, QC", "Verdun, Montréal, QC") or
            the city as the site wrote it ("montreal"); matched accent- and case-insensitively.
        first_seen: first post of the stay.
        last_seen: last post of the stay.
        count: posts in the stay.
    """

    city: str
    first_seen: datetime
    last_seen: datetime
    count: int


def stops_from_posts(posts: Sequence[Post]) -> list[Stop]:
    """The stays of a cluster: its posts in time order, consecutive posts in one city merged.

    Posts without a city are skipped (they neither start nor break a stay). A city visited
    twice with another in between gives two stops.
    """
    ordered = sorted((p for p in posts if p.city), key=lambda p: as_utc(p.posted_at))
    stops: list[Stop] = []
    for post in ordered:
        city = str(post.city)
        if stops and _same_place(stops[-1].city, city):
            last = stops[-1]
            stops[-1] = Stop(last.city, last.first_seen, post.posted_at, last.count + 1)
        else:
            stops.append(Stop(city, post.posted_at, post.posted_at, 1))
    return stops


def _same_place(a: str, b: str) -> bool:
    """Two names of one place: the same gazetteer city, or the same words when unknown."""
    where = locate(a)
    return where == locate(b) if where is not None else _key(a) == _key(b)


def _key(name: str) -> str:
    return _NON_WORD.sub(" ", fold(name)).strip()


@dataclass(frozen=True, slots=True)
class _Places:
    by_name: dict[str, tuple[tuple[str, str], ...]]  # folded name -> (city, province) choices
    coords: dict[tuple[str, str], tuple[float, float]]  # (city, province) -> (lon, lat)


@cache
def _places() -> _Places:
    coords: dict[tuple[str, str], tuple[float, float]] = {}
    data = resources.files("adtrace.web.render").joinpath("data/city_coords.csv")
    with data.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            coords[(row["name"], row["province"])] = (float(row["lon"]), float(row["lat"]))
    by_name: dict[str, set[tuple[str, str]]] = {}
    gazetteer = resources.files("adtrace.extract").joinpath("data/places.csv")
    with gazetteer.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "province":
                continue
            city = (row["parent"] or row["name"], row["province"])
            for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
                by_name.setdefault(_key(name.removeprefix("à ")), set()).add(city)
    return _Places({k: tuple(sorted(v)) for k, v in by_name.items()}, coords)


@lru_cache(maxsize=4096)
def locate(city: str) -> tuple[float, float] | None:
    """Longitude and latitude of a city named as in a `Stop`, or None when it is unknown.

    Accepts gazetteer labels ("Québec, QC", "Verdun, Montréal, QC"), names with a trailing
    province code ("Toronto ON") and bare names when they are unambiguous ("London" alone is
    London, ON: the only London in the gazetteer).
    """
    places = _places()
    parts = [p for p in (_key(x) for x in city.split(",")) if p]
    province = None
    if parts and parts[-1].upper() in _PROVINCES:
        province = parts.pop().upper()
    elif parts and parts[-1][-3:-2] == " " and parts[-1][-2:].upper() in _PROVINCES:
        province, parts[-1] = parts[-1][-2:].upper(), parts[-1][:-3]
    for part in parts:
        choices = [c for c in places.by_name.get(part, ()) if province in (None, c[1])]
        if len(choices) == 1 and choices[0] in places.coords:
            return places.coords[choices[0]]
    return None


@cache
def _outlines() -> tuple[tuple[str, tuple[FloatArray, ...]], ...]:
    """Every outline, projected to km (x east, y north): (feature id, its rings or lines).

    Features: CAN, USA, GRL (country rings), LAKES (shores and islands), PROVINCES (lines).
    """
    data = resources.files("adtrace.web.render").joinpath("data/outlines.json")
    document = json.loads(data.read_text(encoding="utf-8"))
    out = []
    for feature in document["features"]:
        shapes = []
        for shape in feature.get("rings") or feature.get("lines") or []:
            points = np.asarray(shape, dtype=np.float64)
            x, y = project(points[:, 0], points[:, 1])
            shapes.append(np.column_stack([x, y]))
        out.append((str(feature["id"]), tuple(shapes)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _View:
    """Projected km to pixels: x0/y1 are the km of the top-left corner; `scale` px per km."""

    x0: float
    y1: float
    scale: float
    width: float
    height: float

    def pixels(self, points: FloatArray) -> FloatArray:
        return np.column_stack(
            [(points[:, 0] - self.x0) * self.scale, (self.y1 - points[:, 1]) * self.scale]
        )

    def bounds_km(self) -> tuple[float, float, float, float]:
        return (
            self.x0,
            self.y1 - self.height / self.scale,
            self.x0 + self.width / self.scale,
            self.y1,
        )


def _view(points: FloatArray, width: float, height: float) -> _View:
    """A view showing every point with a margin, at least `_MIN_VIEW_KM` across, or all of
    Canada when there are none."""
    if len(points) == 0:
        canada = np.concatenate(dict(_outlines())["CAN"])
        lo, hi = canada.min(axis=0), canada.max(axis=0)
        pad = 0.02
    else:
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = _PAD
    centre = (lo + hi) / 2
    span = np.maximum(hi - lo, _MIN_VIEW_KM / (1 + 2 * pad)) * (1 + 2 * pad)
    scale = float(min(width / span[0], height / span[1]))
    x0 = float(centre[0]) - width / scale / 2
    y1 = float(centre[1]) + height / scale / 2
    return _View(x0, y1, scale, width, height)


def _path(shape: FloatArray, view: _View, *, closed: bool) -> str:
    """One ring or line as path data, in whole pixels (repeated points dropped: a zoomed-out
    shape has many)."""
    pixels = np.rint(view.pixels(shape)).astype(np.int64)
    moved = np.ones(len(pixels), dtype=bool)
    moved[1:] = np.any(pixels[1:] != pixels[:-1], axis=1)
    kept = pixels[moved].tolist()
    if len(kept) < 2:
        return ""
    coords = " ".join(f"{x},{y}" for x, y in kept)
    return f"M{coords}Z" if closed else f"M{coords}"


# Drawing order and look of each outline feature: (id, fill, stroke, width, extra attributes).
_LAYERS: Final = (
    ("USA", "#f3f3f3", "#bbbbbb", 0.8, ""),
    ("GRL", "#f3f3f3", "#bbbbbb", 0.8, ""),
    ("CAN", "#eef1e6", "#7a8a6a", 0.8, ""),
    ("LAKES", "#dde9f2", "#9ab3c5", 0.6, ' fill-rule="evenodd"'),
    ("PROVINCES", "none", "#9aa58c", 0.8, ' stroke-dasharray="4 3"'),
)


def _outline_paths(view: _View) -> list[str]:
    left, bottom, right, top = view.bounds_km()
    features = dict(_outlines())
    out = []
    for feature, fill, stroke, width, extra in _LAYERS:
        paths = []
        for shape in features.get(feature, ()):
            lo, hi = shape.min(axis=0), shape.max(axis=0)
            if hi[0] < left or lo[0] > right or hi[1] < bottom or lo[1] > top:
                continue  # entirely outside the view
            if float((hi - lo).max()) * view.scale < 3:
                continue  # under 3 pixels across: noise at this zoom
            paths.append(_path(shape, view, closed=feature != "PROVINCES"))
        data = " ".join(p for p in paths if p)
        if data:
            out.append(
                f'<path class="map-{feature.lower()}" d="{data}" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="{width}" stroke-linejoin="round"{extra}/>'
            )
    return out


def _arrow(a: FloatArray, b: FloatArray) -> str:
    """A small triangle at the middle of the leg a -> b, pointing towards b."""
    d = b - a
    length = float(np.hypot(*d))
    if length < 14:
        return ""
    u = d / length
    n = np.array([-u[1], u[0]])
    tip = (a + b) / 2 + u * 5
    left, right = tip - u * 10 + n * 4.5, tip - u * 10 - n * 4.5
    pts = " ".join(f"{p[0]:.1f},{p[1]:.1f}" for p in (tip, left, right))
    return f'<polygon class="map-arrow" points="{pts}" fill="#b03a2e"/>'


def _stop_title(number: int, stop: Stop, lang: Lang) -> str:
    words = _WORDS[lang]
    count = plural(stop.count, words["ad"], words["ads"], lang)
    dates = format_range(stop.first_seen, stop.last_seen, lang)
    return f"{number}. {stop.city}{colon(lang)} {dates}, {count}"


Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels


def _overlaps(box: Box, others: list[Box]) -> bool:
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in others)


def _place_label(x: float, y: float, radius: float, text: str, taken: list[Box]) -> str:
    """Attributes placing a marker's label right, left, above or below it, whichever first
    overlaps no label or marker already drawn (right when all do)."""
    width, gap = 7.0 * len(text), radius + 3
    candidates = (
        (x + gap, y + 4, "start", (x + gap, y - 9, x + gap + width, y + 4)),
        (x - gap, y + 4, "end", (x - gap - width, y - 9, x - gap, y + 4)),
        (x, y - gap - 2, "middle", (x - width / 2, y - gap - 15, x + width / 2, y - gap - 2)),
        (x, y + gap + 11, "middle", (x - width / 2, y + gap - 2, x + width / 2, y + gap + 11)),
    )
    tx, ty, anchor, box = next((c for c in candidates if not _overlaps(c[3], taken)), candidates[0])
    taken.append(box)
    return f'x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}"'


def _markers(
    stops: Sequence[Stop], located: list[FloatArray | None], view: _View, lang: Lang
) -> list[str]:
    """The circuit line, its arrows, and one marker per place listing its stop numbers."""
    pixels = [view.pixels(p[None, :])[0] if p is not None else None for p in located]
    path = [p for p in pixels if p is not None]
    out = []
    if len(path) > 1:
        points = " ".join(f"{p[0]:.1f},{p[1]:.1f}" for p in path)
        out.append(
            f'<polyline class="map-circuit" points="{points}" fill="none" stroke="#b03a2e" '
            f'stroke-width="1.8" stroke-opacity="0.75" stroke-linejoin="round"/>'
        )
        out += filter(None, (_arrow(a, b) for a, b in itertools.pairwise(path)))
    places: dict[tuple[float, float], list[int]] = {}
    for i, p in enumerate(pixels):
        if p is not None:
            places.setdefault((round(float(p[0]), 1), round(float(p[1]), 1)), []).append(i)
    radii = {
        xy: min(14.0, 4.0 + 2.0 * sum(stops[i].count for i in ix) ** 0.5)
        for xy, ix in places.items()
    }
    taken: list[Box] = [(x - r, y - r, x + r, y + r) for (x, y), r in radii.items()]
    for (x, y), indexes in places.items():
        radius = radii[(x, y)]
        title = safe_text("\n".join(_stop_title(i + 1, stops[i], lang) for i in indexes))
        numbers = ",".join(str(i + 1) for i in indexes)
        numbers = numbers if len(numbers) <= 24 else numbers[:23] + "…"
        where = _place_label(x, y, radius, numbers, taken)
        out.append(
            f'<g class="map-stop"><title>{title}</title>'
            f'<circle cx="{x}" cy="{y}" r="{radius:.1f}" fill="#b03a2e" fill-opacity="0.85" '
            f'stroke="#ffffff" stroke-width="1.2"/>'
            f'<text {where} {FONT} font-size="12" font-weight="bold" fill="#222" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{safe_text(numbers)}'
            "</text></g>"
        )
    return out


def _stop_lines(number: int, stop: Stop, lang: Lang) -> list[tuple[str, str]]:
    words = _WORDS[lang]
    count = plural(stop.count, words["ad"], words["ads"], lang)
    dates = format_range(stop.first_seen, stop.last_seen, lang)
    return [
        ("map-legend-stop", f"{number}. {stop.city}"),
        ("map-legend-dates", f"{dates} · {count}"),
    ]


def _unknown_lines(stops: Sequence[Stop], located: list[FloatArray | None]) -> list[str]:
    """One line per city not on the map: the city and its stop numbers."""
    numbers: dict[str, list[str]] = {}
    for i, stop in enumerate(stops):
        if located[i] is None:
            numbers.setdefault(stop.city, []).append(str(i + 1))
    return [f"{city} ({', '.join(n)})" for city, n in numbers.items()]


def _cut(lines: list[tuple[str, str]], room: int, more: str) -> list[tuple[str, str]]:
    """At most `room` lines; the last says how many stops were left out."""
    if len(lines) <= room:
        return lines
    hidden = sum(
        1 for cls, _ in lines[room - 1 :] if cls in ("map-legend-stop", "map-legend-unknown")
    )
    return [*lines[: room - 1], ("map-legend-more", f"… {hidden} {more}")]


def _legend(
    stops: Sequence[Stop], located: list[FloatArray | None], x: float, height: int, lang: Lang
) -> list[str]:
    """The stops on the map in order (number and city, then dates and ads), then the cities not
    on the map; those get up to half the room, so a long circuit cannot push them out."""
    words = _WORDS[lang]
    room = max(4, int((height - 16) // _LINE))
    unknown: list[tuple[str, str]] = []
    if any(p is None for p in located):
        unknown = [("map-legend-title", words["unknown"])]
        unknown += [("map-legend-unknown", line) for line in _unknown_lines(stops, located)]
        unknown = _cut(unknown, max(2, room // 2), words["more"])
    known: list[tuple[str, str]] = [("map-legend-title", words["stops" if stops else "empty"])]
    for i, stop in enumerate(stops):
        if located[i] is not None:
            known += _stop_lines(i + 1, stop, lang)
    lines = _cut(known, room - len(unknown), words["more"]) + unknown
    out = [f'<g class="map-legend" {FONT} font-size="11" fill="#222">']
    for k, (cls, text) in enumerate(lines):
        attrs = {
            "map-legend-title": ' font-weight="bold"',
            "map-legend-dates": ' dx="14" fill="#555"',
        }.get(cls, "")
        out.append(
            f'<text class="{cls}" x="{x:.0f}" y="{18 + k * _LINE}"{attrs}>'
            f"<title>{safe_text(text)}</title>{safe_text(text, limit=46)}</text>"
        )
    out.append("</g>")
    return out


def map_svg(
    stops: Sequence[Stop], *, width: int = 900, height: int = 520, lang: str = "en"
) -> Markup:
    """The cities of a cluster over time on a map of Canada, as an SVG element.

    Args:
        stops: the stays in time order (see :func:`stops_from_posts`); they are numbered 1, 2, ...
            in the order given.
        width: width in pixels, legend included (the legend takes the right 300 px).
        height: height in pixels.
        lang: "en" or "fr" for every label.

    Returns:
        The SVG markup, safe to insert in a page (all text escaped). Stops whose city cannot be
        placed are listed in the legend under "not on the map".
    """
    lang_ = check_lang(lang)
    words = _WORDS[lang_]
    map_width = max(100, width - _LEGEND_WIDTH)
    located: list[FloatArray | None] = []
    for stop in stops:
        where = locate(stop.city)
        located.append(None if where is None else np.column_stack(project(*where))[0])
    known = np.asarray([p for p in located if p is not None]).reshape(-1, 2)
    view = _view(known, map_width, height)
    count = plural(len(stops), words["stop"], words["stops_n"], lang_)
    label = safe_text(f"{words['title']}{colon(lang_)} {count}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="city-map" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
        f'<svg class="map-frame" x="0" y="0" width="{map_width}" height="{height}" '
        f'viewBox="0 0 {map_width} {height}" overflow="hidden">',
        f'<rect class="map-water" width="{map_width}" height="{height}" fill="#dde9f2"/>',
        *_outline_paths(view),
        *_markers(stops, located, view, lang_),
        "</svg>",
    ]
    parts += _legend(stops, located, map_width + 12, height, lang_)
    parts.append("</svg>")
    return assemble(parts)
