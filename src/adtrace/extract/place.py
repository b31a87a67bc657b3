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

from adtrace.extract.normalise import fold, folded_words
from adtrace.extract.spans import PLACE, Span

# Underscores stay inside words so handles such as "marie_test_mtl" are not read as places.
_WORD_RE: Final = re.compile(r"\w+")
_GAP_RE: Final = re.compile(r"[^\w]{1,3}")
_GLUE: Final = frozenset("._@/")
_PREVIOUS_RE: Final = re.compile(r"(\w+)[^\w]{1,3}$")
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
    after_grave: bool  # "à Québec": the word "à", written with its accent, must come just before


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    by_first: dict[str, tuple[_Alias, ...]]
    province_words: dict[str, tuple[tuple[str, ...], ...]]
    first_words: frozenset[str]


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(fold(text)))


def _label(row: dict[str, str]) -> str:
    if row["kind"] == "province":
        return row["province"]
    parent = f"{row['parent']}, " if row["parent"] else ""
    return f"{row['name']}, {parent}{row['province']}"


def _aliases(row: dict[str, str]) -> list[_Alias]:
    place = _Place(_label(row), row["province"], int(row["ambiguity"]))
    names = [row["name"], *filter(None, row["aliases"].split("|"))]
    aliases = []
    for name in names:
        grave = name.startswith("à ")
        aliases.append(_Alias(_words(name[2:] if grave else name), place, grave))
    return aliases


@cache
def _gazetteer() -> _Gazetteer:
    by_first: dict[str, list[_Alias]] = {}
    province_words: dict[str, list[tuple[str, ...]]] = {}
    with resources.files("adtrace.extract").joinpath("data/places.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for alias in _aliases(row):
                by_first.setdefault(alias.words[0], []).append(alias)
                if row["kind"] == "province":
                    province_words.setdefault(row["province"], []).append(alias.words)
    for code, variants in province_words.items():
        # "ON" is also the English preposition: "London on Saturday" must not count.
        short = ("ont",) if code == "ON" else (code.lower(),)
        variants += [short, tuple(code.lower())]
    order = lambda a: (-len(a.words), not a.after_grave)  # noqa: E731
    return _Gazetteer(
        {k: tuple(sorted(v, key=order)) for k, v in by_first.items()},
        {k: tuple(v) for k, v in province_words.items()},
        frozenset(by_first),
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
    words = folded_words(text)
    # frozenset.intersection walks the ad's words once; "set(words) & keys" costs three times more.
    candidates = gaz.first_words.intersection(words)
    if not candidates:
        return []
    present = set(words)
    firsts = {w for w in candidates if _any_complete(gaz.by_first[w], present)}
    spans: list[Span] = []
    covered = 0
    for start, word in sorted((p, w) for w in firsts for p in _occurrences(folded, w)):
        if start < covered:
            continue
        found = _match_at(text, folded, start, gaz.by_first[word])
        if found is not None:
            alias, end = found
            spans.append(_span(folded, start, end, alias.place, gaz))
            covered = end
    return spans


def _any_complete(aliases: tuple[_Alias, ...], present: set[str]) -> bool:
    """Cheap filter: some alias has all its words somewhere in the text."""
    return any(present.issuperset(alias.words) for alias in aliases)


def _occurrences(folded: str, word: str) -> list[int]:
    """Start offsets where ``word`` occurs as a whole word, not inside a handle or address."""
    found = []
    pos = folded.find(word)
    while pos >= 0:
        end = pos + len(word)
        if _is_boundary(folded, pos - 1) and _is_boundary(folded, end) and not _glued(folded, pos):
            found.append(pos)
        pos = folded.find(word, end)
    return found


def _glued(folded: str, pos: int) -> bool:
    """Is the word at ``pos`` part of ``sasha.test.mtl``, ``mtl@``, ``/mtl``?"""
    return pos > 0 and folded[pos - 1] in _GLUE


def _is_boundary(folded: str, pos: int) -> bool:
    return pos < 0 or pos >= len(folded) or not (folded[pos].isalnum() or folded[pos] == "_")


def _match_words(folded: str, pos: int, words: tuple[str, ...]) -> int | None:
    """End offset if ``words`` occur from ``pos`` separated by short non-word gaps (and the last
    is not glued to what follows, as in ``montreal.com`` or ``mtl_girl``)."""
    for k, word in enumerate(words):
        if k:
            gap = _GAP_RE.match(folded, pos)
            if gap is None:
                return None
            pos = gap.end()
        end = pos + len(word)
        if not folded.startswith(word, pos) or not _is_boundary(folded, end):
            return None
        pos = end
    if folded[pos : pos + 1] in _GLUE and folded[pos + 1 : pos + 2].isalnum():
        return None
    return pos


def _previous_word(folded: str, pos: int) -> re.Match[str] | None:
    return _PREVIOUS_RE.search(folded, max(0, pos - 24), pos)


def _match_at(
    text: str, folded: str, start: int, aliases: tuple[_Alias, ...]
) -> tuple[_Alias, int] | None:
    for alias in aliases:
        end = _match_words(folded, start, alias.words)
        if end is None:
            continue
        if alias.after_grave:
            before = _previous_word(folded, start)
            if before is None or before[1] != "a" or text[before.start(1)] not in "àÀ":
                continue
        return alias, end
    return None


def _span(folded: str, start: int, end: int, place: _Place, gaz: _Gazetteer) -> Span:
    confidence = _CONFIDENCE[place.ambiguity]
    if place.ambiguity and _has_context(folded, start, end, place, gaz):
        confidence = _WITH_CONTEXT
    return Span(PLACE, place.label, start, end, confidence, region=place.province)


def _has_context(folded: str, start: int, end: int, place: _Place, gaz: _Gazetteer) -> bool:
    gap = _GAP_RE.match(folded, end)
    if gap is not None:
        for variant in gaz.province_words.get(place.province, ()):
            if _match_words(folded, gap.end(), variant) is not None:
                return True
    if place.ambiguity == 1:
        before = _previous_word(folded, start)
        return before is not None and before[1] in _LOCATIVE
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
