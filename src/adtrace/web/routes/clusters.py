"""The cluster page (ads, template, links and why they exist, timeline, map, graph, personas,
sites, score), the comparison of two ads, and their JSON twins."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Connection

from adtrace.store import clusters as cluster_store
from adtrace.store import scores
from adtrace.text.template import Slot, Template, extract_template
from adtrace.web import i18n, queries
from adtrace.web.deps import Conn, CurrentUser
from adtrace.web.i18n import Message
from adtrace.web.pages import PER_PAGE, Paging, render, request_locale
from adtrace.web.render.graph import GraphAd, GraphLink, GraphSelector, network_elements
from adtrace.web.render.map import map_svg, stops_from_posts
from adtrace.web.render.template import template_html
from adtrace.web.render.timeline import Post, timeline_svg
from adtrace.web.views import (
    PostInfo,
    Reason,
    reasons_of,
)

router = APIRouter()

LINKS_PER_PAGE = 50
TEMPLATE_TEXTS = 50
GRAPH_KINDS = ("phone", "email", "handle")


class AdRow(BaseModel):
    """An ad in the cluster's list."""

    ad_id: int
    site: str
    title: str | None
    city: str | None
    posted_at: datetime | None
    score: float | None


class LinkInfo(BaseModel):
    """Why two ads are linked: the kinds of evidence, the score, shared values, similarity."""

    a: int
    b: int
    score: float
    kinds: list[str]
    shared: dict[str, list[str]]
    similarity: dict[str, float]


class SlotInfo(BaseModel):
    """A slot of the template: the fillers seen most, and how many distinct ones."""

    index: int
    values: list[str]
    distinct: int


class TemplateInfo(BaseModel):
    """The cluster's template: fixed wording with {n} where slot n goes."""

    text: str
    slots: list[SlotInfo]
    n_texts: int
    support: float


class Count(BaseModel):
    """A value and how many of the cluster's ads have it."""

    value: str
    ads: int


class ClusterPage(BaseModel):
    """What the cluster page shows (and /api/clusters/{id} returns)."""

    cluster_id: str
    link_run: int
    n_ads: int
    ads: list[AdRow]
    paging: Paging
    links: list[LinkInfo]
    links_paging: Paging
    template: TemplateInfo
    posts: list[PostInfo]
    personas: list[Count]
    sites: list[Count]
    cities: list[Count]
    contacts: dict[str, list[Count]]
    score: float | None
    escalate: bool
    reasons: list[Reason]
    profile: dict[str, Any]


def link_info(raw: dict[str, Any]) -> LinkInfo:
    """A link record of adtrace.store.clusters.cluster_links as a model."""
    shared = raw.get("shared") or {}
    similarity = raw.get("similarity") or raw.get("text") or {}
    return LinkInfo(
        a=int(raw["a"]),
        b=int(raw["b"]),
        score=float(raw["score"]),
        kinds=[str(k) for k in raw.get("kinds") or []],
        shared={str(k): [str(v) for v in vs] for k, vs in shared.items() if vs},
        similarity={str(k): float(v) for k, v in similarity.items() if v is not None},
    )


def cluster_context(conn: Connection, cluster_id: str, page: int, links_page: int) -> ClusterPage:
    """The cluster page; 404 when the latest link run has no such cluster."""
    link_run = cluster_store.latest_link_run(conn)
    members = cluster_store.cluster_members(conn, cluster_id) if link_run is not None else []
    if link_run is None or not members:
        raise HTTPException(404, _no_cluster(cluster_id))
    brief = queries.ads_brief(conn, members)
    scored = scores.ad_scores(conn, members)
    paging = Paging(page=page, per_page=PER_PAGE, total=len(members))
    raw_links = cluster_store.cluster_links(conn, cluster_id)
    raw_links.sort(key=lambda link: (-float(link["score"]), int(link["a"]), int(link["b"])))
    links_paging = Paging(page=links_page, per_page=LINKS_PER_PAGE, total=len(raw_links))
    values = queries.selector_values(conn, members, ("name", *GRAPH_KINDS))
    cluster = scores.cluster_score(conn, cluster_id)
    return ClusterPage(
        cluster_id=cluster_id,
        link_run=link_run,
        n_ads=len(members),
        ads=[_ad_row(a, brief[a], scored.get(a)) for a in _page(members, paging) if a in brief],
        paging=paging,
        links=[link_info(link) for link in _page(raw_links, links_paging)],
        links_paging=links_paging,
        template=_template(conn, members),
        posts=_posts(brief, values),
        personas=_counts(v for _, kind, v in values if kind == "name"),
        sites=_counts(row["site"] for row in brief.values()),
        cities=_counts(row["city"] for row in brief.values() if row["city"]),
        contacts={k: _counts(v for _, kind, v in values if kind == k) for k in GRAPH_KINDS},
        score=None if cluster is None else cluster.score,
        escalate=False if cluster is None else cluster.escalate,
        reasons=[] if cluster is None else reasons_of(cluster.reasons),
        profile={} if cluster is None else dict(cluster.profile),
    )


def _page(items: list[Any], paging: Paging) -> list[Any]:
    return items[paging.offset : paging.offset + paging.per_page]


def _ad_row(ad_id: int, row: dict[str, Any], score: Any) -> AdRow:
    return AdRow(
        ad_id=ad_id,
        site=row["site"],
        title=row["title"],
        city=row["city"],
        posted_at=row["posted_at"] or row["first_seen"],
        score=None if score is None else score.score,
    )


def _counts(values: Any) -> list[Count]:
    return [Count(value=v, ads=n) for v, n in Counter(values).most_common(20)]


def _template(conn: Connection, members: list[int]) -> TemplateInfo:
    found_texts = queries.ad_texts(conn, members[:TEMPLATE_TEXTS])
    texts = [found_texts[a]["text"] for a in members[:TEMPLATE_TEXTS] if a in found_texts]
    found = extract_template(texts, max_texts=TEMPLATE_TEXTS)
    return TemplateInfo(
        text=found.text,
        slots=[
            SlotInfo(index=s.index, values=list(s.values), distinct=s.distinct) for s in found.slots
        ],
        n_texts=found.n_texts,
        support=found.support,
    )


def _posts(brief: dict[int, dict[str, Any]], values: list[tuple[int, str, str]]) -> list[PostInfo]:
    persona = {ad: v for ad, kind, v in values if kind == "name"}
    return [
        PostInfo(
            ad_id=ad,
            posted_at=row["posted_at"] or row["first_seen"],
            site=row["site"],
            city=row["city"],
            persona=persona.get(ad),
        )
        for ad, row in sorted(brief.items())
    ]


def cluster_figures(ctx: ClusterPage, lang: str = "en") -> dict[str, Any]:
    """The cluster page's server-side figures in `lang`: timeline and map SVGs, template
    HTML."""
    posts = [Post(str(p.ad_id), p.posted_at, p.site, p.city, p.persona) for p in ctx.posts]
    return {
        "timeline": timeline_svg(posts, ad_href="/ads/{ad_id}", lang=lang),
        "map": map_svg(stops_from_posts(posts), lang=lang),
        "template": template_html(_as_template(ctx.template), lang=lang),
    }


def _as_template(info: TemplateInfo) -> Template:
    slots = tuple(Slot(s.index, tuple(s.values), s.distinct) for s in info.slots)
    return Template(info.text, slots, info.n_texts, info.support)


Page = Annotated[int, Query(ge=1, le=1_000_000)]
AdId = Annotated[int, Query(ge=1)]


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse, include_in_schema=False)
def cluster_page(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    cluster_id: str,
    page: Page = 1,
    links_page: Page = 1,
) -> HTMLResponse:
    """The cluster page."""
    ctx = cluster_context(conn, cluster_id, page, links_page)
    figures = cluster_figures(ctx, request_locale(request))
    return render(request, "cluster.html", user, ctx=ctx, figures=figures)


@router.get("/api/clusters/{cluster_id}", tags=["clusters"])
def cluster_api(
    conn: Conn, _user: CurrentUser, cluster_id: str, page: Page = 1, links_page: Page = 1
) -> ClusterPage:
    """A cluster of the latest link run: its ads and links (paged), template, posts, personas,
    sites, cities, contacts and score with reasons."""
    return cluster_context(conn, cluster_id, page, links_page)


@router.get("/api/clusters/{cluster_id}/graph", tags=["clusters"])
def cluster_graph_api(
    request: Request, conn: Conn, _user: CurrentUser, cluster_id: str
) -> dict[str, Any]:
    """The cluster's network of ads, phones, e-mails and handles as cytoscape.js elements
    (labels and the note in the user's language: the cluster page draws them)."""
    members = cluster_store.cluster_members(conn, cluster_id)
    if not members:
        raise HTTPException(404, _no_cluster(cluster_id))
    links = [link_info(link) for link in cluster_store.cluster_links(conn, cluster_id)]
    values = queries.selector_values(conn, members, GRAPH_KINDS)
    lang = request_locale(request)
    i18n.activate(lang)
    return network_elements(
        [GraphAd(str(a), i18n.gettext("ad %(ad_id)s") % {"ad_id": a}) for a in members],
        [GraphSelector(str(a), kind, value) for a, kind, value in values],
        [GraphLink(str(k.a), str(k.b), tuple(k.kinds), k.score) for k in links],
        lang=lang,
    )


def _no_cluster(cluster_id: str) -> Message:
    return Message(
        "there is no cluster %(cluster_id)s in the latest link run", cluster_id=cluster_id
    )
