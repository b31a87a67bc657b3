"""Ad-level indicators (A01..A19) of one ad, each with its span or its computed figure.

Selectors come from the extractor (:mod:`adtrace.extract`): ages, prices, phones (obfuscated or
not), names and language are never parsed again here. Lexicon entries run on the folded title
and text (see :mod:`adtrace.indicators.lexicon`), so every span is a span of the original field.

Rules beyond plain lexicon matches (each one guards against a false positive indicators.csv
warns about):

- a negatable indicator's match preceded by a negation in the same clause does not count
  ("no BBFS", "no one under 18", "pas de mineures");
- weak A01 entries (young, fresh, student, étudiante, jeune...) need corroboration: a strong A01
  entry, a youth emoji, or a stated age of 18 to 20 ("étudiante de 24 ans" is an adult);
- weak A04 entries (teen, lolita, ado) escalate only when no adult age is stated; with one they
  count as A01 youth wording;
- ages come from the extractor, which needs an age marker ("17 ans", "17 yo"): a street number
  or a price of 17 is not an age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from adtrace.extract import Extraction
from adtrace.extract.normalise import fold
from adtrace.extract.spans import Span
from adtrace.indicators.catalogue import catalogue
from adtrace.indicators.evidence import Evidence
from adtrace.indicators.lexicon import Hit, Lexicon
from adtrace.indicators.prices import Baseline, is_low

ADULT_AGE: Final = 18
YOUNG_AGE_MAX: Final = 20
AGE_CONFLICT_YEARS: Final = 3
MIN_NAMES: Final = 3
MIN_THIRD_PERSON: Final = 3
PLAIN: Final = ("A05", "A06", "A09", "A10", "A11", "A12", "A13", "A14", "A15", "A17", "A18", "A19")
"""Indicators whose lexicon matches count as they are (no corroboration rule)."""

_NEGATION_RE: Final = re.compile(
    r"(?:^|[^\w'])(?:no one|nobody|noone|no|not|never|without|don'?t|do not"
    r"|pas (?:de|d'|du|des)|pas|jamais|aucune?|personne de|ni)\s*(?:[\w'-]+\s+)?$"
)
"""A negation, then at most one word, just before a match: "no BBFS", "do not offer
bareback", "pas de mineures", "no one under 18"."""
_CLAUSE_END_RE: Final = re.compile(r"[.!?;,:\n•|]")
_NEGATION_WINDOW: Final = 40
_WORDS_RE: Final = re.compile(r"[a-z]+(?:'[a-z]+)?|[a-z]'")
THIRD_PERSON: Final = frozenset({"she", "her", "hers", "herself", "she's", "elle", "elles"})
FIRST_PERSON: Final = frozenset(
    {"i", "me", "my", "mine", "myself", "i'm", "im", "i'll", "je", "j'", "moi", "mon", "ma", "mes"}
)


@dataclass(frozen=True, slots=True)
class Match:
    """One indicator found in an ad.

    Attributes:
        indicator: the indicator id (``A01``...).
        field: ``"title"`` or ``"text"`` for a span, None for a computed figure.
        span: ``(start, end)`` in the original field, or None.
        evidence: the lexicon entry or the figure, in words (see :mod:`.evidence`).
        tag: the entry's meaning (A02: youth, control, travel, price).
    """

    indicator: str
    field: str | None
    span: tuple[int, int] | None
    evidence: Evidence
    tag: str = ""


@dataclass(frozen=True, slots=True)
class AdFields:
    """What the ad-level indicators read from one ad besides its extraction."""

    id: str
    text: str
    title: str | None = None
    age: int | None = None
    city: str | None = None


def ad_matches(
    ad: AdFields,
    extraction: Extraction,
    lexicon: Lexicon,
    baseline: Baseline | None = None,
    hourly: float | None = None,
) -> list[Match]:
    """Every ad-level indicator of one ad, in indicator order.

    Args:
        ad: the ad's fields.
        extraction: the extractor's spans for the same title and text.
        lexicon: compiled lexicon entries.
        baseline: hourly-price baseline for the ad's city (A14), if any.
        hourly: the ad's hourly price (see :func:`adtrace.indicators.prices.hourly_price`).
    """
    hits = _lexicon_hits(ad, lexicon)
    ages = _ages(extraction, ad.age)
    matches = [
        *_youth(hits, ages),
        *_age_matches(extraction, ad.age, hits),
        *_minor(hits, ages, extraction, ad.age),
        *_plain(hits, PLAIN),
        *_phones(extraction.phones),
        *_voice(ad, hits),
        *_names(extraction.names),
        *price_matches(hourly, baseline),
        *_no_limits(hits),
    ]
    return sorted(matches, key=lambda m: (m.indicator, m.field or "~", m.span or (0, 0)))


def _lexicon_hits(ad: AdFields, lexicon: Lexicon) -> list[tuple[str, Hit]]:
    found: list[tuple[str, Hit]] = []
    for field_name, value in (("title", ad.title), ("text", ad.text)):
        if not value:
            continue
        folded = fold(value)
        for indicator_id, hits in lexicon.find_all(folded).items():
            if lexicon.excluded(indicator_id, folded):
                continue
            negatable = catalogue()[indicator_id].negatable
            found += [
                (field_name, hit) for hit in hits if not (negatable and _negated(folded, hit.start))
            ]
    return found


def _negated(folded: str, start: int) -> bool:
    before = folded[max(0, start - _NEGATION_WINDOW) : start]
    clause = _CLAUSE_END_RE.split(before)[-1]
    return _NEGATION_RE.search(clause) is not None


def _term(indicator: str, field_name: str, hit: Hit, key: str = "term") -> Match:
    evidence = Evidence(key, {"term": hit.entry.label})
    return Match(indicator, field_name, (hit.start, hit.end), evidence, hit.entry.tag)


def _of(hits: list[tuple[str, Hit]], indicator: str) -> list[tuple[str, Hit]]:
    return [(f, h) for f, h in hits if h.entry.indicator == indicator]


def _plain(hits: list[tuple[str, Hit]], indicators: tuple[str, ...]) -> list[Match]:
    found: list[Match] = []
    for indicator in indicators:
        for field_name, hit in _of(hits, indicator):
            if indicator == "A05":  # keep the fact, not the category (fairness audits)
                evidence = Evidence("ethnicity")
                found.append(Match(indicator, field_name, (hit.start, hit.end), evidence))
            else:
                found.append(_term(indicator, field_name, hit))
    return found


def _ages(extraction: Extraction, field_age: int | None) -> list[int]:
    ages = [int(s.value) for s in extraction.ages if isinstance(s.value, int | float)]
    return ages + ([field_age] if field_age is not None else [])


def _youth(hits: list[tuple[str, Hit]], ages: list[int]) -> list[Match]:
    """A01 (with weak entries kept only when corroborated) and A02 emoji."""
    a01 = _of(hits, "A01")
    emoji = _of(hits, "A02")
    youth_emoji = any(h.entry.tag == "youth" and h.entry.strength == "strong" for _, h in emoji)
    adult = any(a >= ADULT_AGE for a in ages)
    minor_as_youth = adult and any(h.entry.strength == "weak" for _, h in _of(hits, "A04"))
    strong = any(h.entry.strength == "strong" for _, h in a01) or minor_as_youth
    young_age = any(ADULT_AGE <= a <= YOUNG_AGE_MAX for a in ages)
    corroborated = strong or youth_emoji or young_age
    found = [_term("A01", f, h) for f, h in a01 if h.entry.strength == "strong" or corroborated]
    youth = bool(found) or minor_as_youth or any(a < ADULT_AGE for a in ages) or _strong_minor(hits)
    for field_name, hit in emoji:
        if hit.entry.strength == "weak" and not youth:
            continue  # unvalidated emoji (baby bottle, school) count only with youth wording
        key = "roses" if hit.entry.kind == "phrase" else "emoji"
        evidence = Evidence(key, {"tag": hit.entry.tag} if key == "emoji" else {})
        found.append(Match("A02", field_name, (hit.start, hit.end), evidence, hit.entry.tag))
    return found


def _strong_minor(hits: list[tuple[str, Hit]]) -> bool:
    return any(h.entry.strength == "strong" for _, h in _of(hits, "A04"))


def _age_matches(
    extraction: Extraction, field_age: int | None, hits: list[tuple[str, Hit]]
) -> list[Match]:
    """A03: stated ages of 18 to 20, ages that disagree, 'majeure depuis peu'."""
    found = [
        Match("A03", s.field, (s.start, s.end), Evidence("age_young", {"age": int(s.value)}))
        for s in extraction.ages
        if isinstance(s.value, int) and ADULT_AGE <= s.value <= YOUNG_AGE_MAX
    ]
    if field_age is not None and ADULT_AGE <= field_age <= YOUNG_AGE_MAX:
        found.append(Match("A03", None, None, Evidence("age_young", {"age": field_age})))
    adults = sorted({a for a in _ages(extraction, field_age) if a >= ADULT_AGE})
    if len(adults) >= 2 and adults[-1] - adults[0] >= AGE_CONFLICT_YEARS:
        ages = ", ".join(str(a) for a in adults)
        found.append(Match("A03", None, None, Evidence("age_conflict", {"ages": ages})))
    found += [_term("A03", f, h) for f, h in _of(hits, "A03")]
    return found


def _minor(
    hits: list[tuple[str, Hit]], ages: list[int], extraction: Extraction, field_age: int | None
) -> list[Match]:
    """A04: stated ages under 18, minor terms (weak ones only without an adult age)."""
    adult = any(a >= ADULT_AGE for a in ages)
    found = [
        Match("A04", s.field, (s.start, s.end), Evidence("age_minor", {"age": int(s.value)}))
        for s in extraction.ages
        if isinstance(s.value, int) and s.value < ADULT_AGE
    ]
    if field_age is not None and field_age < ADULT_AGE:
        found.append(Match("A04", None, None, Evidence("age_field_minor", {"age": field_age})))
    for field_name, hit in _of(hits, "A04"):
        if hit.entry.strength == "strong" or not adult:
            found.append(_term("A04", field_name, hit, "minor_term"))
        else:
            found.append(_term("A01", field_name, hit, "minor_term_adult"))
    return found


def _phones(phones: tuple[Span, ...]) -> list[Match]:
    """A07: numbers the extractor found only after undoing an obfuscation."""
    return [
        Match(
            "A07",
            s.field,
            (s.start, s.end),
            Evidence("phone_obfuscated", {"area": str(s.value)[2:5] if s.value else "?"}),
        )
        for s in phones
        if s.obfuscated
    ]


def _voice(ad: AdFields, hits: list[tuple[str, Hit]]) -> list[Match]:
    """A08: controller phrases, and text mostly about 'her' rather than 'me'."""
    found = [_term("A08", f, h) for f, h in _of(hits, "A08")]
    words = _WORDS_RE.findall(fold(f"{ad.title or ''}\n{ad.text}").replace("’", "'"))
    third = sum(w in THIRD_PERSON for w in words)
    first = sum(w in FIRST_PERSON for w in words)
    if third >= MIN_THIRD_PERSON and third > 2 * first:
        found.append(
            Match("A08", None, None, Evidence("third_person", {"third": third, "first": first}))
        )
    return found


def _names(names: tuple[Span, ...]) -> list[Match]:
    """A09: three or more distinct persona names in one ad."""
    distinct = {str(s.value).casefold() for s in names}
    if len(distinct) < MIN_NAMES:
        return []
    return [Match("A09", None, None, Evidence("names", {"n": len(distinct)}))]


def price_matches(hourly: float | None, baseline: Baseline | None) -> list[Match]:
    """A14: hourly price well under the local baseline (see :mod:`.prices`)."""
    if hourly is None or baseline is None or not is_low(hourly, baseline):
        return []
    evidence = Evidence(
        "low_price",
        {
            "hourly": f"${hourly:.0f}",
            "p10": f"${baseline.p10:.0f}",
            "median": f"${baseline.median:.0f}",
            "n": baseline.n,
            "scope": baseline.scope,
        },
    )
    return [Match("A14", None, None, evidence)]


def _no_limits(hits: list[tuple[str, Hit]]) -> list[Match]:
    """A16: weak entries (open-minded) count only beside a strong one."""
    a16 = _of(hits, "A16")
    strong = any(h.entry.strength == "strong" for _, h in a16)
    return [_term("A16", f, h) for f, h in a16 if h.entry.strength == "strong" or strong]
