"""Phone numbers, however the ad spells them, as E.164.

Pipeline: :func:`~adtrace.extract.normalise.normalise_digits` rewrites obfuscated digits; a
precompiled pattern finds chains of digit groups joined by short separator gaps (spaces, dots,
dashes, slashes, stars, underscores, emoji, filler words such as ``dot``/``point``); each chain
is cut into candidates of the right length, and ``phonenumbers`` decides validity.

Precision guards, each a trade-off against recall:

* a gap may hold only separators, emoji and a few filler words, so letters end a chain: price
  lists (``150/hh 250/h``), stats (``34C-24-36``), postal codes (``H2X 1Y4``) never join up;
* plain digit groups must be laid out like a phone: for North American numbers every group of
  three or more digits starts and ends after the 3rd, 6th, 8th or 10th digit, and groups of one
  or two digits may fall anywhere (``5 14 55 50 1 28``, ``5*1*4-555-0123``). This rejects dates
  and codes (``2023 10 11 20``) but also oddly grouped real numbers (``5145 550 123``). Numbers
  written with words or look-alike letters skip the check: obfuscation is itself evidence;
* a comma followed by a space separates one-digit groups only (spelled-out digits), never the
  groups of a list (``250, 300, 1200``); ``514,555,0123`` without spaces is still a phone;
* a number right after ``order``, ``ref``, ``invoice``, ``commande``, ``suivi``... is dropped;
* seven-digit local numbers are ignored: without an area code there is no E.164 to link on.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import phonenumbers

from adtrace.extract.normalise import (
    FILLER_WORDS,
    GAP,
    GAP_ITEMS,
    NormalisedText,
    digit_runs,
    normalise_digits,
)
from adtrace.extract.place import area_code_region
from adtrace.extract.spans import PHONE, Span

# Same as ``(?:\+\s?)?[0-9]+(?:GAP[0-9]+)*``, written to start with a character class: the
# engine then skips to the next "+" or digit in C instead of trying the pattern at every position.
_CHAIN_RE: Final = re.compile(rf"[+0-9](?:(?<=\+)\s?[0-9]+|(?<=[0-9])[0-9]*)(?:{GAP}[0-9]+)*")
_GROUP_RE: Final = re.compile(r"[0-9]+")
_NEGATIVE_RE: Final = re.compile(
    r"(?i)\b(?:order|ref|réf|reference|référence|invoice|facture|commande|transaction|tracking"
    r"|suivi|isbn|sku|upc|confirmation|account|compte|dossier|receipt|reçu|serial|série|id)"
    r"\W{0,3}(?:no|n°|nº|number|numéro|num)?\W{0,3}$"
)
_CONTEXT_RE: Final = re.compile(
    r"(?i)(?:\b(?:call|text|txt|tel|tél|phone|cell|mobile|appel\w*|texto|texte|num[ée]ro|number"
    r"|whats\s?app|contact|sms)\b|[📞☎📱])\W{0,12}$"
)
_STANDARD_BOUNDS: Final = frozenset({3, 6, 8})
_STANDARD_ENDS: Final = frozenset({3, 6, 8, 10})
_MIN_DIGITS: Final = 8  # the shortest number read: 8 digits (international), 10 in NANP
_MAX_GAP_CHARS: Final = GAP_ITEMS * max(map(len, FILLER_WORDS))  # GAP items are 1 char or a word
_NEGATIVE_WINDOW: Final = 40
_CONTEXT_WINDOW: Final = 30


@dataclass(frozen=True, slots=True)
class _Group:
    start: int
    end: int
    digits: str


@lru_cache(maxsize=1 << 16)
def _e164(digits: str, region: str) -> str | None:
    """Validate ``digits`` (with a leading ``+`` for international) and format as E.164."""
    if not digits.startswith("+") and _is_nanp(region):
        if not _nanp_shape(digits):
            return None
        if digits.isascii() and digits.isdigit() and (len(digits) == 10 or digits[0] == "1"):
            return _nanp_e164(digits[-10:])
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not _valid(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _nanp_e164(national: str) -> str | None:
    """E.164 of ten NANP digits, without ``phonenumbers.parse``: for a NANP region it would give
    country code 1 and these digits (the leading 1 stripped), and it costs more than validation."""
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(national))
    return f"+1{national}" if _valid(number) else None


def _nanp_shape(digits: str) -> bool:
    """Cheap NANP check before ``phonenumbers``: area code and exchange start with 2-9."""
    national = digits[1:] if len(digits) == 11 else digits
    return (
        len(national) == 10 and national[0] >= "2" and national[3] >= "2" and national[1:3] != "11"
    )


def _valid(number: phonenumbers.PhoneNumber) -> bool:
    # For +1 numbers, is_valid_number tries all 25 NANP regions; Canada and the US first is
    # several times faster on the numbers these ads carry, with the same answer.
    if number.country_code == 1 and any(
        phonenumbers.is_valid_number_for_region(number, r) for r in ("CA", "US")
    ):
        return True
    return bool(phonenumbers.is_valid_number(number))


def to_e164(digits: str, region: str = "CA") -> str | None:
    """Validate a digit string (``+`` prefix for international) and return it as E.164, or None."""
    return _e164(digits, region)


@lru_cache(maxsize=64)
def _is_nanp(region: str) -> bool:
    return bool(phonenumbers.country_code_for_region(region) == 1)


def extract_phones(text: str, *, region: str = "CA") -> list[Span]:
    """Find phone numbers in ``text``, obfuscated or not.

    Args:
        text: one field of an ad.
        region: ISO 3166 region for numbers written without ``+`` (default Canada). Numbers with
            a ``+`` prefix are read as international whatever the region.

    Returns:
        One span per number occurrence, value in E.164, offsets into ``text``.
    """
    return list(_phones(text, region))


@lru_cache(maxsize=64)
def _phones(text: str, region: str) -> tuple[Span, ...]:
    """Cached: the WhatsApp handle reads the phones of the field the phone extractor just read."""
    norm = normalise_digits(text)
    minimum = 10 if _is_nanp(region) else 8
    spans: list[Span] = []
    for start, end in _dense_stretches(norm.text):
        # A chain may start with "+" and a space before its first digit.
        for chain in _CHAIN_RE.finditer(norm.text, max(0, start - 2), end):
            if chain.end() - chain.start() >= minimum:
                spans.extend(_phones_in_chain(norm, chain.start(), chain.end(), region))
    return tuple(spans)


def _dense_stretches(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` whose digit runs are close enough to chain and hold enough digits.

    Digit runs farther apart than the longest gap cannot join one chain, and a chain of fewer
    than ``_MIN_DIGITS`` digits is never a phone, so the chain pattern (costly: it tries a gap
    after every digit run) only runs where a phone can be.
    """
    stretches: list[tuple[int, int]] = []
    first = last = -1
    digits = 0
    for start, end in digit_runs(text):
        if last >= 0 and start - last <= _MAX_GAP_CHARS:
            last, digits = end, digits + end - start
            continue
        if digits >= _MIN_DIGITS:
            stretches.append((first, last))
        first, last, digits = start, end, end - start
    if digits >= _MIN_DIGITS:
        stretches.append((first, last))
    return stretches


def _phones_in_chain(norm: NormalisedText, start: int, end: int, region: str) -> Iterator[Span]:
    groups = [
        _Group(m.start(), m.end(), m.group()) for m in _GROUP_RE.finditer(norm.text, start, end)
    ]
    first = 0
    if norm.text[start] == "+":
        hit = _international(norm, groups)
        if hit is not None:
            first = hit[0] + 1
            yield _span(norm, start, groups[hit[0]].end, hit[1], 0.9)
    i = first
    while i < len(groups):
        found = _candidate_at(norm, groups, i, region)
        if found is None:
            i += 1
            continue
        j, e164, confidence = found
        yield _span(norm, groups[i].start, groups[j].end, e164, confidence)
        i = j + 1


def _international(norm: NormalisedText, groups: list[_Group]) -> tuple[int, str] | None:
    """Longest run of leading groups that forms a valid international number."""
    best: tuple[int, str] | None = None
    digits = ""
    for j, group in enumerate(groups):
        digits += group.digits
        if len(digits) > 15:
            break
        if len(digits) >= 8 and _plausible(norm, groups[: j + 1], national=False):
            e164 = _e164("+" + digits, "ZZ")
            best = (j, e164) if e164 else best
    return best


def _candidate_at(
    norm: NormalisedText, groups: list[_Group], i: int, region: str
) -> tuple[int, str, float] | None:
    nanp = _is_nanp(region)
    digits = ""
    best: tuple[int, str, float] | None = None
    for j in range(i, len(groups)):
        digits += groups[j].digits
        if len(digits) > (11 if nanp else 12):
            break
        if not _right_length(digits, nanp):
            continue
        part = groups[i : j + 1]
        e164 = _e164(digits, region) if _plausible(norm, part, national=nanp) else None
        if e164 is not None:
            best = (j, e164, _confidence(norm, part))
            if nanp:
                break
    return best


def _right_length(digits: str, nanp: bool) -> bool:
    if not nanp:
        return 8 <= len(digits) <= 12
    if len(digits) == 10:
        return digits[0] in "23456789"
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "23456789"


def _plausible(norm: NormalisedText, part: list[_Group], *, national: bool) -> bool:
    """Is this the layout of a phone number rather than a date, a list or a code?"""
    if norm.is_rewritten(part[0].start, part[-1].end):
        return True
    sizes = [len(g.digits) for g in part]
    gaps = [norm.text[a.end : b.start] for a, b in itertools.pairwise(part)]
    if max(sizes) > 1 and any(_is_list_gap(gap) for gap in gaps):
        return False
    if not national or len(sizes) == 1:
        return True
    return _standard_layout(sizes)


def _is_list_gap(gap: str) -> bool:
    return ("," in gap or ";" in gap) and any(ch.isspace() for ch in gap)


def _standard_layout(sizes: list[int]) -> bool:
    """Every group of three or more digits starts and ends on a usual boundary (3-3-4, 3-3-2-2).

    Groups of one or two digits may fall anywhere (``5*1*4-555-0123``, ``51 45 55 01 23``).
    """
    offset = 1 if sum(sizes) == 11 else 0
    pos = -offset
    for size in sizes:
        if size >= 3 and not (pos <= 0 or pos in _STANDARD_BOUNDS):
            return False
        if size >= 3 and pos + size not in _STANDARD_ENDS:
            return False
        pos += size
    return True


def _confidence(norm: NormalisedText, part: list[_Group]) -> float:
    if norm.is_rewritten(part[0].start, part[-1].end):
        return 0.85
    if len(part) > 1 and max(len(g.digits) for g in part) <= 2:
        return 0.9
    return 0.95


def _span(norm: NormalisedText, start: int, end: int, e164: str, confidence: float) -> Span:
    o_start, o_end = norm.to_original(start, end)
    original = norm.original
    if _NEGATIVE_RE.search(original, max(0, o_start - _NEGATIVE_WINDOW), o_start):
        confidence = 0.1
    elif _CONTEXT_RE.search(original, max(0, o_start - _CONTEXT_WINDOW), o_start):
        confidence = min(0.99, confidence + 0.04)
    return Span(
        PHONE,
        e164,
        o_start,
        o_end,
        confidence,
        region=area_code_region(e164),
        obfuscated=norm.is_rewritten(start, end),
    )
