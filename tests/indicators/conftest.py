"""Helpers for the indicator tests: score one synthetic ad."""

from __future__ import annotations

from adtrace.extract import extract_all
from adtrace.indicators import AdFields, Match, ad_matches, default_lexicon


def matches(text: str, title: str | None = None, age: int | None = None) -> list[Match]:
    """The ad-level indicator matches of one ad."""
    extraction = extract_all(text, title)
    return ad_matches(AdFields("t", text, title, age), extraction, default_lexicon())


def ids(text: str, title: str | None = None, age: int | None = None) -> set[str]:
    """The ids of the indicators found in one ad."""
    return {m.indicator for m in matches(text, title, age)}
