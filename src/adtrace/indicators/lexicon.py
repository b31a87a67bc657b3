"""Lexicons: the words, phrases, emoji and patterns of the ad-level indicators, as a CSV file an
analyst can edit, validated when loaded.

Columns of ``data/lexicon.csv`` (one entry a line; a line whose indicator starts with ``#`` is a
comment):

- ``indicator``: an ad-level indicator id (``A01``..``A19``);
- ``lang``: ``en``, ``fr`` or ``any``: the entry's language. Every entry runs on every ad:
  language detection is unreliable on short ads, Canadian ads mix both languages, and running
  both lexicons on every ad treats English and French ads alike (the bias report checks it);
- ``kind``: ``phrase`` (spelling-tolerant words, see :mod:`adtrace.indicators.fuzzy`), ``regex``
  (a Python regular expression on the folded text: lower case, no accents), ``emoji``, or
  ``exclude`` (a phrase that cancels the indicator's matches in the same field, such as
  ``incall and outcall`` for A11);
- ``pattern``: the phrase, expression or emoji;
- ``tag``: what the entry means (A02: ``youth``, ``control``, ``travel`` or ``price``); a
  ``regex`` entry needs one: it is the words the evidence shows instead of the expression;
- ``strength``: ``strong`` or ``weak``. A weak entry counts only with corroboration (A01: a
  stated age of 20 or less, a youth emoji or a strong A01 entry; A04: no adult age stated,
  otherwise it counts as A01; A16: another A16 entry).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from adtrace.extract.normalise import fold
from adtrace.indicators.catalogue import catalogue
from adtrace.indicators.errors import DataFileError
from adtrace.indicators.fuzzy import LOOK_ALIKES, WORD_START, emoji_regex, phrase_regex

COLUMNS: Final = ("indicator", "lang", "kind", "pattern", "tag", "strength")
ENTRY_LANGS: Final = ("en", "fr", "any")
KINDS: Final = ("phrase", "regex", "emoji", "exclude")
STRENGTHS: Final = ("strong", "weak")
A02_TAGS: Final = ("youth", "control", "travel", "price")
_FIRST_RE: Final = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon line (``source`` and ``line`` say where it came from)."""

    indicator: str
    lang: str
    kind: str
    pattern: str
    tag: str
    strength: str
    source: str
    line: int
    regex: str = field(repr=False, default="")

    @property
    def label(self) -> str:
        """What evidence quotes: the phrase or emoji, or a regex entry's tag."""
        return self.tag if self.kind == "regex" else self.pattern


@dataclass(frozen=True, slots=True)
class Hit:
    """A lexicon entry found in one field: ``folded[start:end]`` and ``original[start:end]``."""

    entry: Entry
    start: int
    end: int


class Lexicon:
    """Compiled lexicon entries.

    Matching is one scan per field: a single expression finds the word starts where any phrase
    may begin; each indicator's phrases are then tried only there (several indicators may match
    at one start, such as ``new girls`` for A09 and ``new girl`` for A01). Regex and emoji entries
    run as one expression per indicator.
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.indicators: tuple[str, ...] = tuple(
            sorted({e.indicator for e in entries if e.kind != "exclude"})
        )
        phrases = [i for i, e in enumerate(self.entries) if e.kind == "phrase"]
        self._starts = _starts_pattern([self.entries[i] for i in phrases])
        self._phrases = {
            ind: self._group([i for i in phrases if self.entries[i].indicator == ind], "")
            for ind in self.indicators
        }
        self._others = {ind: self._other_pattern(ind) for ind in self.indicators}
        excludes = [i for i, e in enumerate(self.entries) if e.kind == "exclude"]
        self._excludes = {
            ind: self._group([i for i in excludes if self.entries[i].indicator == ind], WORD_START)
            for ind in {self.entries[i].indicator for i in excludes}
        }

    def _other_pattern(self, indicator: str) -> re.Pattern[str] | None:
        """Regex and emoji entries of one indicator; emoji behind a one-character test of their
        first code points (an alternation of named groups is otherwise tried everywhere)."""
        mine = [i for i, e in enumerate(self.entries) if e.indicator == indicator]
        emoji = [i for i in mine if self.entries[i].kind == "emoji"]
        regex = [i for i in mine if self.entries[i].kind == "regex"]
        parts = [f"(?P<e{i}>{self.entries[i].regex})" for i in regex]
        if emoji:
            firsts = "".join(sorted({_glyphs(self.entries[i].pattern)[0] for i in emoji}))
            body = "|".join(f"(?P<e{i}>{self.entries[i].regex})" for i in emoji)
            parts.append(f"(?=[{re.escape(firsts)}])(?:{body})")
        return re.compile("|".join(parts)) if parts else None

    def _group(self, chosen: list[int], prefix: str) -> re.Pattern[str] | None:
        if not chosen:
            return None
        body = "|".join(f"(?P<e{i}>{self.entries[i].regex})" for i in chosen)
        return re.compile(f"{prefix}(?:{body})")

    def find_all(self, folded: str) -> dict[str, list[Hit]]:
        """Every indicator's entries in a folded field: per indicator, non-overlapping hits,
        leftmost first."""
        starts = [m.start() for m in self._starts.finditer(folded)]
        found: dict[str, list[Hit]] = {}
        for indicator in self.indicators:
            hits = self._at_starts(self._phrases[indicator], folded, starts)
            other = self._others[indicator]
            if other is not None:
                hits += self._hits(other.finditer(folded))
                hits.sort(key=lambda h: h.start)
            if hits:
                found[indicator] = hits
        return found

    def _at_starts(
        self, pattern: re.Pattern[str] | None, folded: str, starts: list[int]
    ) -> list[Hit]:
        if pattern is None:
            return []
        hits: list[Hit] = []
        end = -1
        for start in starts:
            if start < end:
                continue
            m = pattern.match(folded, start)
            if m is not None:
                hits += self._hits([m])
                end = m.end()
        return hits

    def excluded(self, indicator: str, folded: str) -> bool:
        """Whether an ``exclude`` entry of ``indicator`` occurs in the folded field."""
        pattern = self._excludes.get(indicator)
        return pattern is not None and pattern.search(folded) is not None

    def _hits(self, matches: Iterable[re.Match[str]]) -> list[Hit]:
        return [
            Hit(self.entries[int(m.lastgroup[1:])], m.start(), m.end())
            for m in matches
            if m.lastgroup is not None and m.end() > m.start()
        ]


def _glyphs(emoji: str) -> str:
    return emoji.replace("\ufe0f", "").replace("\ufe0e", "").strip()


def _starts_pattern(phrases: Sequence[Entry]) -> re.Pattern[str]:
    """One expression for the word starts where any phrase may begin. Phrases are grouped by
    their first letter behind a one-character test, so most starts are rejected at once (about
    four times faster than one flat alternation)."""
    groups: dict[str, list[str]] = {}
    for entry in phrases:
        first = _FIRST_RE.search(fold(entry.pattern))
        if first is not None:
            groups.setdefault(first.group(), []).append(entry.regex)
    if not groups:
        return re.compile("(?!)")
    parts = [
        f"(?=[{re.escape(LOOK_ALIKES.get(c, c))}])(?:{'|'.join(alts)})"
        for c, alts in sorted(groups.items())
    ]
    return re.compile(WORD_START + "(?=" + "|".join(parts) + ")")


def default_lexicon_path() -> Traversable:
    """The lexicon shipped with adtrace."""
    return resources.files("adtrace.indicators").joinpath("data/lexicon.csv")


@cache
def default_lexicon() -> Lexicon:
    """The shipped lexicon, loaded and compiled once."""
    return load_lexicon([default_lexicon_path()])


@cache
def lexicon_with(files: tuple[Path, ...]) -> Lexicon:
    """The shipped lexicon plus an analyst's files (the shipped one alone when none), loaded and
    compiled once per process."""
    return load_lexicon([default_lexicon_path(), *files]) if files else default_lexicon()


def load_lexicon(paths: Iterable[Path | Traversable]) -> Lexicon:
    """Read and validate lexicon files (later files add entries to earlier ones).

    Raises:
        DataFileError: a bad entry, naming the file, line and field.
    """
    entries: list[Entry] = []
    seen: dict[tuple[str, str, str, str], tuple[str, int]] = {}
    for path in paths:
        with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
            for entry in read_entries(handle, path.name):
                key = (entry.indicator, entry.lang, entry.kind, entry.pattern)
                if key in seen:
                    where = seen[key]
                    raise DataFileError(
                        entry.source,
                        entry.line,
                        "pattern",
                        f"repeats the entry of {where[0]}, line {where[1]}",
                    )
                seen[key] = (entry.source, entry.line)
                entries.append(entry)
    return Lexicon(entries)


def read_entries(lines: Iterable[str], source: str) -> list[Entry]:
    """Parse and validate the rows of one lexicon CSV (``source`` names it in errors)."""
    reader = csv.DictReader(lines)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataFileError(source, 1, missing[0], "the column is missing from the header")
    entries: list[Entry] = []
    for row in reader:
        name = (row.get("indicator") or "").strip()
        if not name or name.startswith("#"):
            continue
        if row.get(None):  # type: ignore[call-overload, unused-ignore]
            raise DataFileError(
                source, reader.line_num, "pattern", "too many fields: quote a value with a comma"
            )
        entries.append(_entry(row, source, reader.line_num))
    return entries


def _entry(row: dict[str, str | None], source: str, line: int) -> Entry:
    values = {c: (row.get(c) or "").strip() for c in COLUMNS}
    values["strength"] = values["strength"] or "strong"
    _check_indicator(values["indicator"], source, line)
    for column, allowed in (("lang", ENTRY_LANGS), ("kind", KINDS), ("strength", STRENGTHS)):
        if values[column] not in allowed:
            raise DataFileError(source, line, column, f"must be one of {', '.join(allowed)}")
    if values["indicator"] == "A02" and values["tag"] not in A02_TAGS:
        raise DataFileError(source, line, "tag", f"A02 needs one of {', '.join(A02_TAGS)}")
    if values["kind"] == "regex" and not values["tag"]:
        raise DataFileError(source, line, "tag", "a regex entry needs words for its evidence")
    if not values["pattern"]:
        raise DataFileError(source, line, "pattern", "is empty")
    try:
        regex = _regex(values["kind"], values["pattern"])
    except (ValueError, re.error) as problem:
        raise DataFileError(source, line, "pattern", str(problem)) from None
    return Entry(**values, source=source, line=line, regex=regex)


def _check_indicator(name: str, source: str, line: int) -> None:
    known = catalogue().get(name)
    if known is None:
        raise DataFileError(source, line, "indicator", f"unknown indicator {name!r}")
    if known.level != "ad":
        raise DataFileError(
            source, line, "indicator", f"{name} is not an ad-level indicator (lexicons are A..)"
        )


def _regex(kind: str, pattern: str) -> str:
    if kind in ("phrase", "exclude"):
        return phrase_regex(pattern)
    if kind == "emoji":
        return emoji_regex(pattern)
    compiled = re.compile(pattern)
    if compiled.groupindex:
        raise ValueError("a regex entry may not use named groups")
    if compiled.search(""):
        raise ValueError("the regex matches the empty string")
    return f"(?:{pattern})"
