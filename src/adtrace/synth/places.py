"""Canadian cities, the circuits operators move along, and local UTC offsets with DST."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class City:
    """A city as ads name it.

    Attributes:
        key: stable ASCII key, also the URL slug.
        name: the name sites show in their location field.
        names: how ads write it, English then French forms (the first of each is the usual one).
        region: province code.
        area_codes: telephone area codes (phones of advertisers based there use them).
        std_offset_min: standard-time UTC offset in minutes.
        dst: whether the city observes daylight saving time.
        weight: relative number of ads posted there.
        french: how strongly ads there lean to French (added to a persona's preference).
    """

    key: str
    name: str
    names: tuple[tuple[str, ...], tuple[str, ...]]
    region: str
    area_codes: tuple[int, ...]
    std_offset_min: int
    dst: bool
    weight: float
    french: float = 0.0


def _city(
    key: str,
    name: str,
    en: tuple[str, ...],
    fr: tuple[str, ...],
    region: str,
    codes: tuple[int, ...],
    offset_h: float,
    weight: float,
    french: float = 0.0,
    dst: bool = True,
) -> City:
    return City(key, name, (en, fr), region, codes, int(offset_h * 60), dst, weight, french)


_ON, _QC = (416, 647, 437), (514, 438)
# fmt: off
CITIES: tuple[City, ...] = (
    _city("toronto", "Toronto", ("Toronto", "TO", "T.O.", "the 6ix"), ("Toronto", "TO"), "ON",
          _ON, -5, 10.0),
    _city("mississauga", "Mississauga", ("Mississauga", "Sauga"), ("Mississauga",), "ON",
          (905, 289, 365), -5, 3.0),
    _city("hamilton", "Hamilton", ("Hamilton", "the Hammer"), ("Hamilton",), "ON",
          (905, 289, 365), -5, 2.0),
    _city("niagara-falls", "Niagara Falls", ("Niagara Falls", "Niagara"),
          ("Niagara Falls", "Chutes Niagara"), "ON", (905, 289), -5, 1.0),
    _city("london", "London", ("London", "London ON"), ("London",), "ON", (519, 226, 548), -5,
          2.0),
    _city("windsor", "Windsor", ("Windsor",), ("Windsor",), "ON", (519, 226, 548), -5, 1.5),
    _city("kingston", "Kingston", ("Kingston", "K-town"), ("Kingston",), "ON", (613, 343), -5,
          1.0),
    _city("ottawa", "Ottawa", ("Ottawa", "OTT"), ("Ottawa",), "ON", (613, 343), -5, 4.0, 1.0),
    _city("barrie", "Barrie", ("Barrie",), ("Barrie",), "ON", (705, 249), -5, 1.0),
    _city("sudbury", "Sudbury", ("Sudbury",), ("Sudbury",), "ON", (705, 249), -5, 0.8),
    _city("montreal", "Montréal", ("Montreal", "MTL", "Montréal"), ("Montréal", "MTL", "Mtl"),
          "QC", _QC, -5, 8.0, 3.0),
    _city("laval", "Laval", ("Laval",), ("Laval", "Rive-Nord"), "QC", (450, 579), -5, 2.0, 3.0),
    _city("quebec", "Québec", ("Quebec City", "Quebec"), ("Québec", "Qc", "Quebec"), "QC",
          (418, 581, 367), -5, 3.0, 3.5),
    _city("gatineau", "Gatineau", ("Gatineau", "Hull"), ("Gatineau", "Hull"), "QC", (819, 873),
          -5, 2.0, 2.5),
    _city("sherbrooke", "Sherbrooke", ("Sherbrooke",), ("Sherbrooke",), "QC", (819, 873), -5,
          1.0, 3.5),
    _city("trois-rivieres", "Trois-Rivières", ("Trois-Rivieres", "Trois-Rivières"),
          ("Trois-Rivières", "TR"), "QC", (819, 873), -5, 0.8, 3.5),
    _city("winnipeg", "Winnipeg", ("Winnipeg", "The Peg"), ("Winnipeg",), "MB", (204, 431), -6,
          3.0),
    _city("regina", "Regina", ("Regina",), ("Regina",), "SK", (306, 639), -6, 1.0, dst=False),
    _city("saskatoon", "Saskatoon", ("Saskatoon", "YXE"), ("Saskatoon",), "SK", (306, 639), -6,
          1.0, dst=False),
    _city("calgary", "Calgary", ("Calgary", "YYC"), ("Calgary",), "AB", (403, 587, 825), -7,
          4.0),
    _city("edmonton", "Edmonton", ("Edmonton", "YEG", "Edm"), ("Edmonton",), "AB",
          (780, 587, 825), -7, 4.0),
    _city("vancouver", "Vancouver", ("Vancouver", "Van", "YVR"), ("Vancouver",), "BC",
          (604, 778, 236), -8, 6.0),
    _city("victoria", "Victoria", ("Victoria", "Vic"), ("Victoria",), "BC", (250, 778, 236), -8,
          1.5),
    _city("kelowna", "Kelowna", ("Kelowna",), ("Kelowna",), "BC", (250, 778, 236), -8, 1.0),
    _city("halifax", "Halifax", ("Halifax", "Hfx"), ("Halifax",), "NS", (902, 782), -4, 1.5),
    _city("moncton", "Moncton", ("Moncton",), ("Moncton",), "NB", (506,), -4, 0.7, 1.5),
    _city("saint-john", "Saint John", ("Saint John",), ("Saint-Jean", "Saint John"), "NB",
          (506,), -4, 0.5, 0.5),
    _city("st-johns", "St. John's", ("St. John's", "St Johns"), ("St. John's",), "NL", (709,),
          -3.5, 0.8),
)
# fmt: on

REGION_ZONES: dict[str, str] = {
    "ON": "America/Toronto", "QC": "America/Toronto", "MB": "America/Winnipeg",
    "SK": "America/Regina", "AB": "America/Edmonton", "BC": "America/Vancouver",
    "NS": "America/Halifax", "NB": "America/Moncton", "NL": "America/St_Johns",
}  # fmt: skip
"""IANA zone of each province's cities (the offsets here follow the same rules)."""

CITY_INDEX: dict[str, int] = {city.key: i for i, city in enumerate(CITIES)}

# Routes operators are known to tour: Highway 401, the Toronto-Ottawa-Montréal triangle,
# Quebec towns, Alberta's two cities, the BC coast, the Prairies, the Maritimes.
# fmt: off
CIRCUITS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("toronto", "ottawa", "montreal"), 4.0),
    (("windsor", "london", "toronto", "kingston", "montreal"), 3.0),
    (("toronto", "mississauga", "hamilton", "niagara-falls"), 3.0),
    (("montreal", "laval", "quebec", "trois-rivieres", "sherbrooke"), 3.0),
    (("ottawa", "gatineau"), 2.0),
    (("calgary", "edmonton"), 3.0),
    (("vancouver", "victoria"), 2.5),
    (("vancouver", "kelowna", "calgary"), 1.0),
    (("winnipeg", "regina", "saskatoon", "edmonton", "calgary"), 1.5),
    (("halifax", "moncton", "saint-john"), 1.0),
    (("toronto", "barrie", "sudbury"), 1.0),
    (("montreal", "toronto"), 2.0),
    (("montreal", "quebec", "moncton", "halifax"), 1.0),
    (("st-johns", "halifax"), 0.5),
)
# fmt: on


def select_cities(keys: tuple[str, ...]) -> list[int]:
    """Indexes into `CITIES` of the keys given, or of every city when none are."""
    if not keys:
        return list(range(len(CITIES)))
    return sorted({CITY_INDEX[key] for key in keys})


def select_circuits(cities: list[int]) -> tuple[list[list[int]], list[float]]:
    """The multi-city circuits restricted to `cities` (circuits left with one city are dropped).

    Returns:
        The circuits as lists of city indexes, and their weights.
    """
    allowed = set(cities)
    routes: list[list[int]] = []
    weights: list[float] = []
    for keys, weight in CIRCUITS:
        route = [CITY_INDEX[key] for key in keys if CITY_INDEX[key] in allowed]
        if len(route) > 1:
            routes.append(route)
            weights.append(weight)
    return routes, weights


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def _epoch_seconds(day: date, minutes_local: int, offset_min: int) -> int:
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return int(base.timestamp()) + (minutes_local - offset_min) * 60


def dst_transitions(std_offset_min: int, first_year: int, last_year: int) -> npt.NDArray[np.int64]:
    """UTC epoch seconds where DST starts and ends, alternating, for Canada's rule.

    DST runs from 02:00 local on the second Sunday of March to 02:00 local on the first
    Sunday of November.
    """
    edges: list[int] = []
    for year in range(first_year, last_year + 1):
        edges.append(_epoch_seconds(_nth_sunday(year, 3, 2), 120, std_offset_min))
        edges.append(_epoch_seconds(_nth_sunday(year, 11, 1), 120, std_offset_min + 60))
    return np.asarray(edges, dtype=np.int64)


def localize(
    local_seconds: npt.NDArray[np.int64],
    city: npt.NDArray[np.int64],
    first_year: int,
    last_year: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Wall-clock times (epoch seconds as if UTC) made real in each city's zone.

    Returns:
        The times, moved an hour later where they fall in the hour skipped when DST starts,
        and their UTC offsets in minutes.
    """
    std = np.asarray([c.std_offset_min for c in CITIES], dtype=np.int64)[city]
    offsets = std.copy()
    fixed = local_seconds.copy()
    for zone in sorted({c.std_offset_min for c in CITIES if c.dst}):
        edges = dst_transitions(zone, first_year, last_year)
        observes = np.asarray([c.dst and c.std_offset_min == zone for c in CITIES])[city]
        approx_utc = local_seconds - std * 60
        after = np.searchsorted(edges, approx_utc, side="right")
        in_dst = observes & (after % 2 == 1)
        skipped = in_dst & (approx_utc - edges[np.maximum(after - 1, 0)] < 3600)
        offsets[in_dst] += 60
        fixed[skipped] += 3600
    return fixed, offsets


def offset_text(minutes: int) -> str:
    """An ISO 8601 offset: -300 -> "-05:00", -150 -> "-02:30"."""
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"
