"""Cities, distances and known corridors, for the movement indicators (C03, C04) and the
area-code mismatch (C05).

``data/cities.csv`` gives about 80 Canadian cities with their province and coordinates;
``data/corridors.csv`` lists the cities along documented trafficking corridors (Canadian Centre
to End Human Trafficking, 2021): Highway 401/20 Windsor–Toronto–Montréal–Québec, the QEW,
Ottawa–Montréal, the Trans-Canada, Montréal–Calgary by air, Alberta work camps, Halifax–Moncton.
A move between two cities of the same corridor is "on the corridor".

``data/events.csv`` lists large yearly events (approximate dates, month-day) for C13, which is
context only (tier X): influxes around events are not predictive.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Final, TypeVar

from adtrace.extract.normalise import fold
from adtrace.indicators.errors import DataFileError

T = TypeVar("T")

EARTH_KM: Final = 6371.0
_PROVINCE_SUFFIX_RE: Final = re.compile(r",\s*([A-Za-z]{2})\s*$")


@dataclass(frozen=True, slots=True)
class City:
    """A known city: its label, province code and coordinates."""

    name: str
    province: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Corridor:
    """A documented corridor: its id, names and the cities along it, in order."""

    id: str
    name_en: str
    name_fr: str
    cities: tuple[str, ...]

    def name(self, lang: str) -> str:
        """The name in ``lang``."""
        return self.name_fr if lang == "fr" else self.name_en


@dataclass(frozen=True, slots=True)
class Event:
    """A large yearly event in one city, from month-day ``start`` to ``end``."""

    id: str
    name_en: str
    name_fr: str
    city: str
    start: tuple[int, int]
    end: tuple[int, int]


EVENT_LEAD_DAYS: Final = 7
"""C13 counts a cluster's first ad from a week before an event to its last day."""


def _rows(name: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a data file with their line numbers."""
    path = resources.files("adtrace.indicators").joinpath(f"data/{name}")
    with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def _parsed(name: str, line: int, row: dict[str, str], column: str, parse: Callable[[str], T]) -> T:
    """``parse(row[column])``, or a DataFileError naming the file, line and field."""
    value = row.get(column)
    if value is None:
        raise DataFileError(name, line, column, "the column is missing")
    try:
        return parse(value)
    except ValueError as problem:
        raise DataFileError(name, line, column, f"{value!r} is not valid ({problem})") from None


def _province(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError("a two-letter province code")
    return value


@cache
def _cities() -> dict[str, City]:
    found: dict[str, City] = {}
    for line, row in _rows("cities.csv"):
        city = City(
            _parsed("cities.csv", line, row, "city", _non_empty),
            _parsed("cities.csv", line, row, "province", _province),
            _parsed("cities.csv", line, row, "lat", float),
            _parsed("cities.csv", line, row, "lon", float),
        )
        aliases = _parsed("cities.csv", line, row, "aliases", str)
        for alias in [city.name, *filter(None, aliases.split("|"))]:
            found.setdefault(_key(alias), city)
    return found


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("empty")
    return value.strip()


def _known_city(value: str) -> str:
    known = resolve_city(value)
    if known is None or known.name != value:
        raise ValueError("not a city of cities.csv")
    return value


@cache
def corridors() -> tuple[Corridor, ...]:
    """The known corridors, in file order.

    Raises:
        DataFileError: a bad row of corridors.csv.
    """
    rows: dict[str, list[tuple[int, str]]] = {}
    names: dict[str, tuple[str, str]] = {}
    for line, row in _rows("corridors.csv"):
        key = _parsed("corridors.csv", line, row, "corridor", _non_empty)
        seq = _parsed("corridors.csv", line, row, "seq", int)
        rows.setdefault(key, []).append(
            (seq, _parsed("corridors.csv", line, row, "city", _known_city))
        )
        names.setdefault(key, (row.get("name_en") or key, row.get("name_fr") or key))
    return tuple(
        Corridor(key, *names[key], tuple(city for _, city in sorted(part)))
        for key, part in rows.items()
    )


@cache
def events() -> tuple[Event, ...]:
    """The known yearly events, in file order.

    Raises:
        DataFileError: a bad row of events.csv.
    """
    found = []
    for line, row in _rows("events.csv"):
        found.append(
            Event(
                _parsed("events.csv", line, row, "event", _non_empty),
                _parsed("events.csv", line, row, "name_en", _non_empty),
                _parsed("events.csv", line, row, "name_fr", _non_empty),
                _parsed("events.csv", line, row, "city", _known_city),
                _parsed("events.csv", line, row, "start", _month_day),
                _parsed("events.csv", line, row, "end", _month_day),
            )
        )
    return tuple(found)


def _month_day(value: str) -> tuple[int, int]:
    """``MM-DD`` as (month, day); 29 February is refused (it is not in every year)."""
    parsed = datetime.strptime(f"2023-{value}", "%Y-%m-%d")
    return parsed.month, parsed.day


def events_near(city: str, when: date) -> list[tuple[Event, int]]:
    """Events in ``city`` whose window (a week before to the last day) holds ``when``, with the
    days from ``when`` to the event's first day (negative: during the event)."""
    found = []
    for event in events():
        if event.city != city:
            continue
        start = date(when.year, *event.start)
        end = date(when.year, *event.end)
        if start - timedelta(days=EVENT_LEAD_DAYS) <= when <= end:
            found.append((event, (start - when).days))
    return found


def _key(label: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(label)))


def resolve_city(label: str | None) -> City | None:
    """The known city a label names (``"Montreal"``, ``"Montréal, QC"``, ``"mtl"``), or None."""
    if not label:
        return None
    head = _PROVINCE_SUFFIX_RE.sub("", label)
    return _cities().get(_key(head))


def province_of(label: str | None) -> str | None:
    """The province code of a place label: from the known city, else a ``", QC"`` suffix."""
    city = resolve_city(label)
    if city is not None:
        return city.province
    if label:
        m = _PROVINCE_SUFFIX_RE.search(label)
        if m:
            return m.group(1).upper()
    return None


def distance_km(a: City, b: City) -> float:
    """Great-circle distance between two cities."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def corridor_of(a: str, b: str) -> Corridor | None:
    """The first known corridor both cities (labels of :func:`resolve_city`) lie on, or None."""
    for corridor in corridors():
        if a in corridor.cities and b in corridor.cities:
            return corridor
    return None


def region_matches(area_region: str, province: str) -> bool:
    """Whether a phone's area-code region (``"QC"``, shared ``"NS/PE"``) covers the province."""
    return province in area_region.split("/")
