"""The dashboard: counts, escalations (A04) first, clusters by review priority, latest import."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Connection

from adtrace.store import clusters as cluster_store
from adtrace.store import scores
from adtrace.web import queries
from adtrace.web.deps import Conn, CurrentUser
from adtrace.web.pages import PER_PAGE, Paging, render
from adtrace.web.views import Reason, reasons_of

router = APIRouter()


class ClusterRow(BaseModel):
    """A cluster in the review list."""

    cluster_id: str
    n_ads: int
    score: float | None
    escalate: bool
    reasons: list[Reason]


class Escalation(BaseModel):
    """An ad flagged for immediate human review (A04)."""

    ad_id: int
    score: float
    site: str
    title: str | None
    cluster_id: str | None
    reasons: list[Reason]


class ImportInfo(BaseModel):
    """The newest import."""

    batch_id: int
    dataset: str
    source: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int


class Dashboard(BaseModel):
    """What the dashboard shows (and /api/dashboard returns)."""

    counts: dict[str, int]
    link_run: int | None
    score_run: int | None
    latest_import: ImportInfo | None
    escalations: list[Escalation]
    clusters: list[ClusterRow]
    ranked_by: str
    paging: Paging


def dashboard_context(conn: Connection, page: int) -> Dashboard:
    """The dashboard for one page of the cluster list."""
    link_run = cluster_store.latest_link_run(conn)
    counts = queries.counts(conn)
    paging = Paging(page=page, per_page=PER_PAGE, total=counts["clusters"])
    ranked = scores.ranked_clusters(conn, limit=PER_PAGE, offset=paging.offset)
    if ranked:
        rows = [
            ClusterRow(
                cluster_id=c.cluster_id,
                n_ads=c.n_ads,
                score=c.score,
                escalate=c.escalate,
                reasons=reasons_of(c.reasons),
            )
            for c in ranked
        ]
        ranked_by = "score"
    else:
        sizes = cluster_store.cluster_sizes(conn, limit=PER_PAGE, offset=paging.offset)
        rows = [
            ClusterRow(cluster_id=c, n_ads=n, score=None, escalate=False, reasons=[])
            for c, n in sizes
        ]
        ranked_by = "size"
    latest = queries.latest_import(conn)
    return Dashboard(
        counts=counts,
        link_run=link_run,
        score_run=scores.latest_score_run(conn),
        latest_import=None if latest is None else ImportInfo(**latest),
        escalations=_escalations(conn),
        clusters=rows,
        ranked_by=ranked_by,
        paging=paging,
    )


def _escalations(conn: Connection, limit: int = 10) -> list[Escalation]:
    flagged = scores.escalations(conn, limit=limit)
    brief = queries.ads_brief(conn, [s.ad_id for s in flagged])
    return [
        Escalation(
            ad_id=s.ad_id,
            score=s.score,
            site=brief.get(s.ad_id, {}).get("site", ""),
            title=brief.get(s.ad_id, {}).get("title"),
            cluster_id=cluster_store.cluster_of(conn, s.ad_id),
            reasons=reasons_of(s.reasons),
        )
        for s in flagged
    ]


Page = Annotated[int, Query(ge=1, le=1_000_000)]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(request: Request, conn: Conn, user: CurrentUser, page: Page = 1) -> HTMLResponse:
    """The dashboard."""
    return render(request, "dashboard.html", user, ctx=dashboard_context(conn, page))


@router.get("/api/dashboard", tags=["dashboard"])
def dashboard_api(conn: Conn, _user: CurrentUser, page: Page = 1) -> Dashboard:
    """Counts, escalations, clusters by review priority (paged) and the latest import."""
    return dashboard_context(conn, page)
