"""Time zone of a Canadian place, for ad times written without an offset.

The table (``data/ca_zones.csv``: kind, name, zone) lists cities and provinces/territories by their
English and French names and codes. It is Canada first by design, so "London" is London, Ontario.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from importlib import resources

_WORD = re.compile(r"[a-z0-9]+")
# Written both ways in place names: "St-Jérôme" / "Saint-Jérôme", "Sault Ste. Marie".
_EXPANSIONS = {"st": "saint", "ste": "sainte"}
_COUNTRY_KEYS = frozenset({"canada", "ca", "can"})
_PARENTHESISED = re.compile(r"^(?P<head>[^()]+)\((?P<tail>[^()]*)\)\s*$")


def place_key(name: str) -> str:
    """Lookup key of a place name: accents, case, punctuation and spaces ignored.

    >>> place_key("Trois-Rivières"), place_key("ST. JOHN'S"), place_key("C.-B.")
    ('troisrivieres', 'saintjohns', 'cb')
    """
    folded = unicodedata.normalize("NFKD", name).casefold()
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return "".join(_EXPANSIONS.get(word, word) for word in _WORD.findall(folded))


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(cities, regions): place key -> IANA zone, loaded once from the package data."""
    text = resources.files("adtrace.ingest").joinpath("data/ca_zones.csv").read_text("utf-8")
    cities: dict[str, str] = {}
    regions: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        table = cities if row["kind"] == "city" else regions
        table[place_key(row["name"])] = row["zone"]
    return cities, regions


def region_zone(region: str) -> str | None:
    """Zone of a province or territory given by name or code (``QC``, ``Colombie-Britannique``)."""
    return _tables()[1].get(place_key(region))


def city_zone(city: str) -> str | None:
    """Zone of a city, also when written with its province (``Montreal, QC``, ``Kenora (ON)``).

    A known city wins over the province it is given with (Kenora, Ontario is on Central time); an
    unknown city falls back to that province; a bare province name in the city field is accepted.
    A city given with a region that is not Canadian ("London, UK") has no zone here.
    """
    cities, _ = _tables()
    zone = cities.get(place_key(city)) or region_zone(city)
    if zone is not None:
        return zone
    head, tail = _split_region(city)
    if head is None or tail is None:
        return None
    if place_key(tail) in _COUNTRY_KEYS:
        return city_zone(head)
    tail_zone = region_zone(tail)
    if tail_zone is None:
        return None
    return cities.get(place_key(head)) or tail_zone


def _split_region(place: str) -> tuple[str | None, str | None]:
    """``"Montreal, QC"`` -> ``("Montreal", "QC")``; also ``Montreal (QC)`` and ``Montreal QC``."""
    head, comma, tail = place.rpartition(",")
    if comma:
        return head, tail
    bracketed = _PARENTHESISED.match(place)
    if bracketed is not None:
        return bracketed["head"], bracketed["tail"]
    head, space, tail = place.strip().rpartition(" ")
    if space and region_zone(tail) is not None:
        return head, tail
    return None, None


def zone_for_place(city: str | None, region: str | None) -> str | None:
    """IANA zone for an ad's city, else its region; None when neither is known."""
    if city and city.strip():
        zone = city_zone(city)
        if zone is not None:
            return zone
    if region and region.strip():
        return region_zone(region)
    return None
