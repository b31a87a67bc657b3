"""The ad page: the ad as posted (escaped) with its selectors and indicator matches highlighted,
its score and reasons, versions, sightings and cluster; and its JSON twin."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Connection

from adtrace.store import clusters as cluster_store
from adtrace.store import scores
from adtrace.web import queries
from adtrace.web.deps import Conn, CurrentUser
from adtrace.web.i18n import Message
from adtrace.web.pages import Paging, localized_marks, render, request_locale
from adtrace.web.views import Highlight, Reason, ad_marks, highlighted_fields, reasons_of

router = APIRouter()

SIGHTINGS_PER_PAGE = 20


class AdInfo(BaseModel):
    """The ad and its current version as posted."""

    ad_id: int
    site: str
    site_ad_id: str
    version_id: int
    url: str | None
    title: str | None
    text: str | None
    posted_at: datetime | None
    city: str | None
    region: str | None
    country: str | None
    first_seen: datetime
    last_seen: datetime
    sightings: int


class SelectorInfo(BaseModel):
    """A selector found in the current version, with its span in the field."""

    kind: str
    value: str
    field: str
    start: int
    end: int
    confidence: float
    platform: str | None
    obfuscated: bool


class VersionInfo(BaseModel):
    """One version of the ad and the import that first brought it."""

    version_id: int
    content_sha256: str
    title: str | None
    posted_at: datetime | None
    batch_id: int
    dataset: str
    imported_at: datetime


class SightingInfo(BaseModel):
    """One time the ad was seen."""

    seen_at: datetime
    version_id: int
    batch_id: int
    line: int
    dataset: str


class ClusterBrief(BaseModel):
    """The cluster the latest link run put the ad in."""

    cluster_id: str
    n_ads: int


class AdPage(BaseModel):
    """What the ad page shows (and /api/ads/{id} returns)."""

    ad: AdInfo
    selectors: list[SelectorInfo]
    score: float | None
    escalate: bool
    reasons: list[Reason]
    versions: list[VersionInfo]
    sightings: list[SightingInfo]
    sightings_paging: Paging
    cluster: ClusterBrief | None
    highlights: list[Highlight]


def ad_context(conn: Connection, ad_id: int, sightings_page: int = 1) -> AdPage:
    """The ad page of `ad_id`; 404 when there is no such ad."""
    row = queries.ad_current(conn, ad_id)
    if row is None:
        raise HTTPException(404, Message("there is no ad %(ad_id)s", ad_id=ad_id))
    ad = AdInfo(**row)
    scored = scores.ad_scores(conn, [ad_id]).get(ad_id)
    cluster_id = cluster_store.cluster_of(conn, ad_id)
    paging = Paging(page=sightings_page, per_page=SIGHTINGS_PER_PAGE, total=ad.sightings)
    found = [SelectorInfo(**s) for s in queries.selectors_of(conn, ad.version_id)]
    reasons = [] if scored is None else reasons_of(scored.reasons)
    return AdPage(
        ad=ad,
        selectors=found,
        score=None if scored is None else scored.score,
        escalate=False if scored is None else scored.escalate,
        reasons=reasons,
        highlights=ad_marks(found, reasons),
        versions=[VersionInfo(**v) for v in queries.versions_of(conn, ad_id)],
        sightings=[
            SightingInfo(**s)
            for s in queries.sightings_of(
                conn, ad_id, limit=SIGHTINGS_PER_PAGE, offset=paging.offset
            )
        ],
        sightings_paging=paging,
        cluster=None
        if cluster_id is None
        else ClusterBrief(
            cluster_id=cluster_id, n_ads=len(cluster_store.cluster_members(conn, cluster_id))
        ),
    )


Page = Annotated[int, Query(ge=1, le=1_000_000)]


@router.get("/ads/{ad_id}", response_class=HTMLResponse, include_in_schema=False)
def ad_page(
    request: Request, conn: Conn, user: CurrentUser, ad_id: int, page: Page = 1
) -> HTMLResponse:
    """The ad page."""
    ctx = ad_context(conn, ad_id, page)
    marks = localized_marks(ctx.highlights, ctx.reasons, request_locale(request))
    fields = highlighted_fields(ctx.ad.title, ctx.ad.text, marks)
    return render(request, "ad.html", user, ctx=ctx, fields=fields)


@router.get("/api/ads/{ad_id}", tags=["ads"])
def ad_api(conn: Conn, _user: CurrentUser, ad_id: int, page: Page = 1) -> AdPage:
    """An ad as posted, its selectors (with spans), score reasons, versions, sightings (paged)
    and cluster."""
    return ad_context(conn, ad_id, page)
