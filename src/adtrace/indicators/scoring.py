"""Review-priority scores of ads and clusters, each with its reasons.

A score orders what an analyst opens first; it is never a finding and triggers nothing. Every
point of a score comes from a :class:`Reason` (indicator id, name, tier, weight, points, and the
span or figure behind it); tier-X indicators appear as reasons with 0 points (context), and A04
never adds points: it sets ``escalate`` (immediate human review).

Ad score: the sum over the indicators found of weight × (1 + repeat_share × (matches − 1)),
matches capped at ``repeat_cap``; A01 counts ``youth_combination`` times beside A02 (youth) or A03.

Cluster score: (sum of the cluster indicators' weights + ad_share × sum over ad indicators of
weight × share of the cluster's ads that have it) × (1 + agreement × (families − 1)), where
families counts the independent kinds of signal that fired: personas (C01, C02, C10), movement
(C03, C04, C05), template (C06), structure (C12), volume (C08, C09), and ad wording (a scored
ad indicator in at least ``ad_family_share`` of the ads; ethnicity A05 and language A19 never
make a family). Agreement of independent signals therefore counts most.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from adtrace.indicators.ad import Match
from adtrace.indicators.catalogue import catalogue
from adtrace.indicators.evidence import Evidence, render
from adtrace.indicators.weights import Weights

FAMILIES: Final = {
    "C01": "personas",
    "C02": "personas",
    "C10": "personas",
    "C03": "movement",
    "C04": "movement",
    "C05": "movement",
    "C06": "template",
    "C12": "structure",
    "C08": "volume",
    "C09": "volume",
}
NO_FAMILY: Final = frozenset({"A05", "A19"})
"""Sensitive indicators (ethnicity, language): scored low, never corroborating."""
ESCALATE: Final = "A04"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a score has its value: one indicator, its weight and points, and its evidence."""

    indicator: str
    tier: str
    weight: float
    points: float
    field: str | None
    span: tuple[int, int] | None
    evidence: Evidence

    def name(self, lang: str = "en") -> str:
        """The indicator's name in ``lang``."""
        return catalogue()[self.indicator].name(lang)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The reason as the CLI writes it: ``id``, ``name``, ``tier``, ``weight``, ``points``,
        ``field``, ``span``, ``evidence`` (names and evidence in ``lang``)."""
        return {
            "id": self.indicator,
            "name": self.name(lang),
            "tier": self.tier,
            "weight": self.weight,
            "points": round(self.points, 4),
            "field": self.field,
            "span": list(self.span) if self.span else None,
            "evidence": render(self.evidence, lang),
        }

    def to_store(self) -> dict[str, Any]:
        """The reason as the store keeps it (see :mod:`adtrace.store.scores`): both languages."""
        return {
            "indicator": self.indicator,
            "name_en": self.name("en"),
            "name_fr": self.name("fr"),
            "tier": self.tier,
            "weight": self.weight,
            "points": round(self.points, 4),
            "field": self.field,
            "span": list(self.span) if self.span else None,
            "evidence_en": render(self.evidence, "en"),
            "evidence_fr": render(self.evidence, "fr"),
        }


@dataclass(frozen=True, slots=True)
class Scored:
    """A score, whether it escalates, and its reasons (highest points first)."""

    score: float
    escalate: bool
    reasons: tuple[Reason, ...]

    def indicator_ids(self) -> list[str]:
        """Distinct indicator ids of the reasons, in order."""
        return list(dict.fromkeys(r.indicator for r in self.reasons))


def _reason(match: Match, weights: Weights, points: float) -> Reason:
    tier = catalogue()[match.indicator].tier
    weight = 0.0 if match.indicator == ESCALATE else weights.of(match.indicator)
    return Reason(match.indicator, tier, weight, points, match.field, match.span, match.evidence)


def score_ad(matches: Sequence[Match], weights: Weights) -> Scored:
    """The review priority of one ad from its indicator matches."""
    present = {m.indicator for m in matches}
    youth = "A03" in present or any(m.indicator == "A02" and m.tag == "youth" for m in matches)
    seen: Counter[str] = Counter()
    reasons = []
    for match in matches:
        seen[match.indicator] += 1
        weight = 0.0 if match.indicator == ESCALATE else weights.of(match.indicator)
        if match.indicator == "A01" and youth:
            weight *= weights.youth_combination
        n = seen[match.indicator]
        share = 1.0 if n == 1 else (weights.repeat_share if n <= weights.repeat_cap else 0.0)
        reasons.append(_reason(match, weights, weight * share))
    return _scored(reasons, escalate=ESCALATE in present)


def _scored(reasons: list[Reason], *, escalate: bool) -> Scored:
    ordered = sorted(reasons, key=lambda r: (-r.points, r.indicator))
    return Scored(round(sum(r.points for r in reasons), 4), escalate, tuple(ordered))


def score_cluster(
    matches: Sequence[Match], ads: Sequence[Scored], weights: Weights
) -> tuple[Scored, dict[str, Any]]:
    """The review priority of a cluster from its own indicators and its ads' scores.

    Returns:
        The score with its reasons (points already multiplied by the agreement factor), and a
        summary ``{"families": [...], "multiplier": m}`` of how the agreement was counted.
    """
    n = max(len(ads), 1)
    reasons = [_reason(m, weights, weights.of(m.indicator)) for m in matches]
    families = {
        FAMILIES.get(m.indicator, m.indicator) for m in matches if weights.of(m.indicator) > 0
    }
    counts = Counter(i for ad in ads for i in ad.indicator_ids())
    for indicator_id, count in sorted(counts.items()):
        weight = 0.0 if indicator_id == ESCALATE else weights.of(indicator_id)
        share = count / n
        evidence = Evidence("share", {"count": count, "ads": len(ads)})
        points = weights.ad_share * weight * share
        reasons.append(
            Reason(
                indicator_id, catalogue()[indicator_id].tier, weight, points, None, None, evidence
            )
        )
        if weight > 0 and share >= weights.ad_family_share and indicator_id not in NO_FAMILY:
            families.add("ad wording")
    multiplier = 1.0 + weights.agreement * max(0, len(families) - 1)
    scaled = [
        Reason(r.indicator, r.tier, r.weight, r.points * multiplier, r.field, r.span, r.evidence)
        for r in reasons
    ]
    summary = {"families": sorted(families), "multiplier": multiplier}
    return _scored(scaled, escalate=any(ad.escalate for ad in ads)), summary
