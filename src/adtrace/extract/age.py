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

from adtrace.extract.normalise import digit_runs, lower_same_length
from adtrace.extract.spans import AGE, Span

# Every age is a two-digit number; the patterns around it are checked only there.
_NOT_BEFORE: Final = frozenset(".,$/:'’")
_UNIT_AFTER_RE: Final = re.compile(
    r"\s?(?P<unit>yo|y/o|y\.o\.?|yrs?(?:\s?old)?|years?(?:[\s-]?old)?|ans)\b"
)
_LABEL_BEFORE_RE: Final = re.compile(r"\b(?:age[sd]?|âge|âgée?\s+de)\s*[:=\-]?\s*$")
_IM_BEFORE_RE: Final = re.compile(r"(?<![\w'’])(?:i['’]?m|i\s+am)\s+$")
_NOT_BARE_AFTER_RE: Final = re.compile(
    r"\s?(?:h|hrs?|hours?|heures?|min|mins|minutes?|lbs?|kg|cm|inch|ft|foot|feet|ans|years?|yrs?"
    r"|yo)\b|[\s'’\"/.,]?\d|\s?[$%€]|\w"
)
_NOT_AGE_AFTER_RE: Final = re.compile(
    r"\s*(?:of\s+)?(?:experience|exp\b|in\s+the\s+(?:business|industry)|ago"
    r"|d['’]exp|de\s+m[ée]tier|dans\s+le\s+m[ée]tier|de\s+carri[èe]re|en\s+affaires)"
)
_NOT_AGE_BEFORE_RE: Final = re.compile(
    r"(?:depuis|il\s+y\s+a|pendant|since|for|over|plus\s+de|moins\s+de|after|apr[èe]s)\s*$"
)
_GLUED_RE: Final = re.compile(r"\w")
_JAI_RE: Final = re.compile(r"j['’]ai\s*$")
_MIN_AGE: Final = 10
_BEFORE: Final = 16


def extract_ages(text: str, *, region: str = "CA") -> list[Span]:
    """Find stated ages in ``text``.

    Args:
        text: one field of an ad.
        region: unused; accepted so every extractor has one signature.

    Returns:
        Spans whose value is the age as an int, one per distinct age.
    """
    low = lower_same_length(text)
    spans: list[Span] = []
    for start, end in digit_runs(text):
        if end - start != 2 or (start and low[start - 1] in _NOT_BEFORE):
            continue
        span = _span(low, start, end)
        if span is not None and not any(s.value == span.value for s in spans):
            spans.append(span)
    return spans


def _span(low: str, start: int, end: int) -> Span | None:
    """The age stated by the two-digit number at ``low[start:end]``, if any."""
    number = low[start:end]
    if not number.isdecimal() or int(number) < _MIN_AGE:  # circled digits are not ages
        return None
    age = int(number)
    window = max(0, start - _BEFORE)
    unit = _UNIT_AFTER_RE.match(low, end)
    if unit is not None:
        if _is_experience(low, start, unit.end()):
            return None
        return Span(AGE, age, start, unit.end(), _marked_confidence(low, start, unit["unit"]))
    label = _LABEL_BEFORE_RE.search(low, window, start)
    if label is not None and not _GLUED_RE.match(low, end):
        return Span(AGE, age, label.start(), end, 0.95)
    intro = _IM_BEFORE_RE.search(low, window, start)
    if intro is not None and not _NOT_BARE_AFTER_RE.match(low, end):
        return Span(AGE, age, intro.start(), end, 0.6)
    return None


def _is_experience(low: str, start: int, end: int) -> bool:
    before = _NOT_AGE_BEFORE_RE.search(low, max(0, start - _BEFORE), start)
    return bool(_NOT_AGE_AFTER_RE.match(low, end) or before)


def _marked_confidence(low: str, start: int, unit: str) -> float:
    if unit != "ans":
        return 0.95
    return 0.95 if _JAI_RE.search(low, max(0, start - 8), start) else 0.85
