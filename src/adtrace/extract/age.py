"""Stated ages: ``23 yo``, ``23yo``, ``21 y/o``, ``26 years old``, ``age: 24``, ``aged 31``,
``24 ans``, ``j'ai 22 ans``, ``âgée de 27 ans``, ``I'm 22``.

Ages from 10 to 99 are kept, including those under 18: an ad stating a minor's age is the one an
analyst must see first (indicator A04 escalates it to human review), so this extractor never
filters it out. Experience is not age: ``10 ans d'expérience``, ``depuis 10 ans``, ``for 10
years`` are skipped.

Confidence: explicit markers (``yo``, ``years old``, ``age:``) 0.95; ``NN ans`` 0.85 (0.95 after
``j'ai``); a bare ``I'm 22`` 0.6, because ``I'm 22`` can also start ``I'm 22 minutes away``
(the pattern already refuses units right after the number).
"""

from __future__ import annotations

import re
from typing import Final

from adtrace.extract.spans import AGE, Span

_AGE_RE: Final = re.compile(
    r"""(?ix)
    (?<![\d.,$/:'’])(?P<marked>\d{2})\s?
        (?P<unit>yo|y/o|y\.o\.?|yrs?(?:\s?old)?|years?(?:[\s-]?old)?|ans)\b
  | \b(?:age[sd]?|âge|âgée?\s+de)\s*[:=\-]?\s*(?P<labelled>\d{2})\b(?!\s?(?:ans\b|years?))
  | (?<![\w'’])(?:i['’]?m|i\s+am)\s+(?P<bare>\d{2})\b
        (?!\s?(?:h|hr|hrs|min|mins|lbs?|kg|cm|\$|%|inch|ft|foot|feet|ans|years?|yrs?|yo)\b)
        (?![\s'’"/.,]?\d|\$|%)
    """
)
_NOT_AGE_AFTER: Final = re.compile(
    r"(?i)\s*(?:of\s+)?(?:experience|exp\b|in\s+the\s+(?:business|industry)|ago"
    r"|d['’]exp|de\s+m[ée]tier|dans\s+le\s+m[ée]tier|de\s+carri[èe]re|en\s+affaires)"
)
_NOT_AGE_BEFORE: Final = re.compile(
    r"(?i)(?:depuis|il\s+y\s+a|pendant|since|for|over|plus\s+de|moins\s+de|after|apr[èe]s)\s*$"
)
_JAI_RE: Final = re.compile(r"(?i)j['’]ai\s*$")
_QUICK_RE: Final = re.compile(r"(?i)\d\d")
_MIN_AGE: Final = 10


def extract_ages(text: str, *, region: str = "CA") -> list[Span]:
    """Find stated ages in ``text``.

    Args:
        text: one field of an ad.
        region: unused; accepted so every extractor has one signature.

    Returns:
        Spans whose value is the age as an int.
    """
    if not _QUICK_RE.search(text):
        return []
    spans: list[Span] = []
    for m in _AGE_RE.finditer(text):
        span = _span(text, m)
        if span is not None and not any(s.value == span.value for s in spans):
            spans.append(span)
    return spans


def _span(text: str, m: re.Match[str]) -> Span | None:
    group = "marked" if m["marked"] else "labelled" if m["labelled"] else "bare"
    age = int(m[group])
    if age < _MIN_AGE or _is_experience(text, m):
        return None
    return Span(AGE, age, m.start(), m.end(), _confidence(text, m, group))


def _is_experience(text: str, m: re.Match[str]) -> bool:
    if not m["marked"]:
        return False
    before = text[max(0, m.start() - 15) : m.start()]
    return bool(_NOT_AGE_AFTER.match(text, m.end()) or _NOT_AGE_BEFORE.search(before))


def _confidence(text: str, m: re.Match[str], group: str) -> float:
    if group == "bare":
        return 0.6
    if group == "labelled" or m["unit"].lower() != "ans":
        return 0.95
    return 0.95 if _JAI_RE.search(text, max(0, m.start() - 8), m.start()) else 0.85
