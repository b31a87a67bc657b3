"""What pages share: score reasons as models, and the glue from context objects to the renderers
in `adtrace.web.render` (which take plain values and return escaped Markup)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

from adtrace.web.render.highlight import Mark, highlight


class Reason(BaseModel):
    """Why a score is what it is: one indicator with its evidence."""

    indicator: str
    name: str
    name_fr: str
    tier: str
    points: float
    evidence: str
    evidence_fr: str
    field: str | None = None
    span: list[int] | None = None


def reasons_of(raw: Sequence[dict[str, Any]]) -> list[Reason]:
    """Score reasons (adtrace.store.scores' JSON objects) as models; `name` and `evidence` are
    the English texts, `name_fr` and `evidence_fr` the French ones."""
    return [
        Reason(
            indicator=str(r.get("indicator", "")),
            name=str(r.get("name_en", "")),
            name_fr=str(r.get("name_fr", "")),
            tier=str(r.get("tier", "")),
            points=float(r.get("points") or 0.0),
            evidence=str(r.get("evidence_en") or r.get("evidence") or ""),
            evidence_fr=str(r.get("evidence_fr") or ""),
            field=r.get("field"),
            span=list(r["span"]) if r.get("span") else None,
        )
        for r in raw
    ]


class PostInfo(BaseModel):
    """One ad of a cluster as the timeline and the map need it."""

    ad_id: int
    posted_at: datetime
    site: str
    city: str | None
    persona: str | None


class Highlight(BaseModel):
    """A span to highlight in one field of an ad, and why."""

    field: str
    start: int
    end: int
    kind: str
    reason: str


def ad_marks(selectors: Sequence[Any], reasons: Sequence[Reason]) -> list[Highlight]:
    """Highlights of an ad: every selector, and every indicator match that has a span."""
    out = [
        Highlight(
            field=s.field, start=s.start, end=s.end, kind=s.kind, reason=f"{s.kind}: {s.value}"
        )
        for s in selectors
    ]
    out += [
        Highlight(
            field=r.field,
            start=r.span[0],
            end=r.span[1],
            kind="indicator",
            reason=f"{r.indicator} {r.name}: {r.evidence}",
        )
        for r in reasons
        if r.field is not None and r.span is not None and len(r.span) == 2
    ]
    return out


def field_marks(highlights: Sequence[Highlight], field: str) -> list[Mark]:
    """The renderer's marks for one field."""
    return [Mark(h.start, h.end, h.kind, h.reason) for h in highlights if h.field == field]


def highlighted_fields(
    title: str | None, text: str | None, highlights: Sequence[Highlight]
) -> dict[str, Markup]:
    """Title and text escaped, with their highlights as <mark> elements."""
    return {
        "title": highlight(title or "", field_marks(highlights, "title")),
        "text": highlight(text or "", field_marks(highlights, "text")),
    }
