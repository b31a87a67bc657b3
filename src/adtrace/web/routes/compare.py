"""Two ads side by side: shared passages paired in both, shared selectors, similarity, and the
link between them if the latest run made one; the page, its htmx fragment and its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Connection

from adtrace.pipeline.link import explain_ads
from adtrace.store import clusters as cluster_store
from adtrace.text.align import Passage
from adtrace.web import queries
from adtrace.web.deps import Conn, CurrentUser
from adtrace.web.i18n import Message
from adtrace.web.pages import localized_marks, render, request_locale
from adtrace.web.render.highlight import side_by_side
from adtrace.web.routes.clusters import LinkInfo, link_info
from adtrace.web.views import Highlight, field_marks

router = APIRouter()


class CompareAd(BaseModel):
    """One side of a comparison: the ad's fields as posted and its selector highlights."""

    ad_id: int
    site: str
    title: str
    text: str
    highlights: list[Highlight]


class PassageInfo(BaseModel):
    """Text shared by the two ads: a[a_start:a_end] matches b[b_start:b_end]."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    tokens: int


class FieldComparison(BaseModel):
    """The shared passages of one field (title or text)."""

    field: str
    passages: list[PassageInfo]


class Comparison(BaseModel):
    """Two ads side by side (and /api/compare returns it)."""

    a: CompareAd
    b: CompareAd
    fields: list[FieldComparison]
    shared: dict[str, list[str]]
    jaccard: float
    containment: float
    raw_jaccard: float
    link: LinkInfo | None
    cluster_a: str | None
    cluster_b: str | None


def compare_context(conn: Connection, a: int, b: int) -> Comparison:
    """The comparison of ads `a` and `b`; 404 when either does not exist."""
    rows = {ad: queries.ad_current(conn, ad) for ad in (a, b)}
    missing = [str(ad) for ad, row in rows.items() if row is None]
    if missing:
        raise HTTPException(404, Message("there is no ad %(ad_id)s", ad_id=", ".join(missing)))
    evidence = explain_ads(conn, a, b)
    cluster_a, cluster_b = cluster_store.cluster_of(conn, a), cluster_store.cluster_of(conn, b)
    return Comparison(
        a=_compare_ad(conn, rows[a]),
        b=_compare_ad(conn, rows[b]),
        fields=[
            FieldComparison(
                field=f.field,
                passages=[
                    PassageInfo(
                        a_start=p.a_start,
                        a_end=p.a_end,
                        b_start=p.b_start,
                        b_end=p.b_end,
                        tokens=p.tokens,
                    )
                    for p in f.passages
                ],
            )
            for f in evidence.passages
        ],
        shared={k: list(v) for k, v in evidence.shared.items() if v},
        jaccard=evidence.jaccard,
        containment=evidence.containment,
        raw_jaccard=evidence.raw_jaccard,
        link=_link_between(conn, cluster_a, a, b) if cluster_a == cluster_b else None,
        cluster_a=cluster_a,
        cluster_b=cluster_b,
    )


def _compare_ad(conn: Connection, row: Any) -> CompareAd:
    return CompareAd(
        ad_id=row["ad_id"],
        site=row["site"],
        title=row["title"] or "",
        text=row["text"] or "",
        highlights=[
            Highlight(
                field=s["field"],
                start=s["start"],
                end=s["end"],
                kind=s["kind"],
                reason=f"{s['kind']}: {s['value']}",
            )
            for s in queries.selectors_of(conn, row["version_id"])
        ],
    )


def _link_between(conn: Connection, cluster_id: str | None, a: int, b: int) -> LinkInfo | None:
    if cluster_id is None:
        return None
    for raw in cluster_store.cluster_links(conn, cluster_id):
        if {int(raw["a"]), int(raw["b"])} == {a, b}:
            return link_info(raw)
    return None


def compared_fields(ctx: Comparison, lang: str = "en") -> list[dict[str, Any]]:
    """Each field of both ads as highlighted markup (tooltips in `lang`), shared passages
    paired."""
    out = []
    passages = {f.field: f.passages for f in ctx.fields}
    marks_a = localized_marks(ctx.a.highlights, [], lang)
    marks_b = localized_marks(ctx.b.highlights, [], lang)
    for field in ("title", "text"):
        side_a, side_b = getattr(ctx.a, field), getattr(ctx.b, field)
        html_a, html_b = side_by_side(
            side_a,
            field_marks(marks_a, field),
            side_b,
            field_marks(marks_b, field),
            [
                Passage(p.a_start, p.a_end, p.b_start, p.b_end, p.tokens)
                for p in passages.get(field, [])
            ],
            field=field,
        )
        out.append(
            {"field": field, "a": html_a, "b": html_b, "passages": len(passages.get(field, []))}
        )
    return out


AdId = Annotated[int, Query(ge=1)]


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, conn: Conn, user: CurrentUser, a: AdId, b: AdId) -> HTMLResponse:
    """Two ads side by side (a fragment for htmx, else a whole page)."""
    ctx = compare_context(conn, a, b)
    template = "_compare.html" if request.headers.get("hx-request") else "compare.html"
    return render(
        request, template, user, ctx=ctx, fields=compared_fields(ctx, request_locale(request))
    )


@router.get("/api/compare", tags=["clusters"])
def compare_api(conn: Conn, _user: CurrentUser, a: AdId, b: AdId) -> Comparison:
    """Two ads compared: shared passages as character spans in both, shared selector values,
    similarity, and the link between them if the latest run made one."""
    return compare_context(conn, a, b)
