"""Canadian places named in ads, and the province behind a Canadian area code.

Both tables ship in the package (``data/places.csv``, ``data/area_codes.csv``). Matching is
accent- and case-insensitive and word-bounded: the folded text is split into words and each word
that can start a place name is tried against the names starting with it, longest first.

Some names are also first names or well-known places elsewhere. The gazetteer's ``ambiguity``
column says how much context they need:

* 0: always a place (``Toronto``);
* 1: also a first name (``Victoria``, ``Regina``): needs a locative word just before (``in``,
  ``downtown``, ``à``, ...) or the province just after (``Richmond BC``);
* 2: also a famous place abroad (``London``, ``Surrey``): needs the province just after.

Without that context the span is still returned, with a confidence under 0.5, so the default
filter of :func:`adtrace.extract.extract_all` drops it: a missed town costs less to an analyst
than a persona called Victoria put on the map in British Columbia.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from adtrace.extract.normalise import fold
from adtrace.extract.spans import PLACE, Span

# Underscores stay inside words so handles such as "marie_test_mtl" are not read as places.
_WORD_RE: Final = re.compile(r"\w+")
_MAX_GAP: Final = 3
_LOCATIVE_WORDS: Final = (
    "in at near downtown from visiting visit to around outside into a au aux dans de du pres sur "
    "ville city greater touring tour arriving located based incall incalls outcall outcalls "
    "heading"
)
_LOCATIVE: Final = frozenset(_LOCATIVE_WORDS.split())
_CONFIDENCE: Final = {0: 0.9, 1: 0.4, 2: 0.3}
_WITH_CONTEXT: Final = 0.85


@dataclass(frozen=True, slots=True)
class _Place:
    label: str
    province: str
    ambiguity: int


@dataclass(frozen=True, slots=True)
class _Alias:
    words: tuple[str, ...]
    place: _Place
    needs_grave: bool


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    by_first: dict[str, tuple[_Alias, ...]]
    province_words: dict[str, tuple[tuple[str, ...], ...]]


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(fold(text)))


def _label(row: dict[str, str]) -> str:
    if row["kind"] == "province":
        return row["province"]
    parent = f"{row['parent']}, " if row["parent"] else ""
    return f"{row['name']}, {parent}{row['province']}"


@cache
def _gazetteer() -> _Gazetteer:
    by_first: dict[str, list[_Alias]] = {}
    province_words: dict[str, list[tuple[str, ...]]] = {}
    with resources.files("adtrace.extract").joinpath("data/places.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            place = _Place(_label(row), row["province"], int(row["ambiguity"]))
            names = [row["name"], *filter(None, row["aliases"].split("|"))]
            for name in names:
                alias = _Alias(_words(name), place, name.startswith("à "))
                by_first.setdefault(alias.words[0], []).append(alias)
                if row["kind"] == "province":
                    province_words.setdefault(row["province"], []).append(alias.words)
    for code, variants in province_words.items():
        # "ON" is also the English preposition: "London on Saturday" must not count.
        short = ("ont",) if code == "ON" else (code.lower(),)
        variants += [short, tuple(code.lower())]
    return _Gazetteer(
        {k: tuple(sorted(v, key=lambda a: -len(a.words))) for k, v in by_first.items()},
        {k: tuple(v) for k, v in province_words.items()},
    )


def extract_places(text: str, *, region: str = "CA") -> list[Span]:
    """Find Canadian cities, neighbourhoods and provinces named in ``text``.

    Args:
        text: one field of an ad.
        region: unused (the gazetteer is Canadian); accepted so every extractor has one signature.

    Returns:
        Spans with value ``"City, PR"``, ``"Neighbourhood, City, PR"`` or a province code, and
        ``region`` set to the province code.
    """
    folded = fold(text)
    gaz = _gazetteer()
    if gaz.by_first.keys().isdisjoint(_WORD_RE.findall(folded)):
        return []
    words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(folded)]
    spans: list[Span] = []
    i = 0
    while i < len(words):
        found = _match_at(text, words, i, gaz)
        if found is None:
            i += 1
            continue
        alias, j = found
        spans.append(_span(words, i, j, alias.place, gaz))
        i = j
    return spans


def _match_at(
    text: str, words: list[tuple[int, int, str]], i: int, gaz: _Gazetteer
) -> tuple[_Alias, int] | None:
    for alias in gaz.by_first.get(words[i][2], ()):
        j = _match_words(words, i, alias.words)
        if j is not None and (not alias.needs_grave or text[words[i][0]] in "àÀ"):
            return alias, j
    return None


def _match_words(words: list[tuple[int, int, str]], i: int, target: tuple[str, ...]) -> int | None:
    """Return the index after ``target`` if it occurs at ``words[i]`` with short gaps."""
    if i + len(target) > len(words):
        return None
    for k, word in enumerate(target):
        start, _, seen = words[i + k]
        if seen != word or (k and start - words[i + k - 1][1] > _MAX_GAP):
            return None
    return i + len(target)


def _span(
    words: list[tuple[int, int, str]], i: int, j: int, place: _Place, gaz: _Gazetteer
) -> Span:
    confidence = _CONFIDENCE[place.ambiguity]
    if place.ambiguity and _has_context(words, i, j, place, gaz):
        confidence = _WITH_CONTEXT
    return Span(PLACE, place.label, words[i][0], words[j - 1][1], confidence, region=place.province)


def _has_context(
    words: list[tuple[int, int, str]], i: int, j: int, place: _Place, gaz: _Gazetteer
) -> bool:
    for variant in gaz.province_words.get(place.province, ()):
        end = _match_words(words, j, variant)
        if end is not None and words[j][0] - words[j - 1][1] <= _MAX_GAP:
            return True
    if place.ambiguity == 1 and i > 0:
        return words[i - 1][2] in _LOCATIVE and words[i][0] - words[i - 1][1] <= _MAX_GAP
    return False


@cache
def _area_codes() -> dict[str, str]:
    path = resources.files("adtrace.extract").joinpath("data/area_codes.csv")
    with path.open(encoding="utf-8") as f:
        return {row["area_code"]: row["province"] for row in csv.DictReader(f)}


def area_code_region(e164: str) -> str | None:
    """Return the province or territory code for a Canadian number (``"+15145550123"`` → ``"QC"``).

    Shared area codes give a combined code (``"NS/PE"``, ``"YT/NT/NU"``). Numbers outside the
    North American plan, or with a non-Canadian area code, give None.
    """
    if not e164.startswith("+1") or len(e164) != 12:
        return None
    return _area_codes().get(e164[2:5])
