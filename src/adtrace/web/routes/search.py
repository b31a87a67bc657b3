"""The search page and its JSON twin."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Connection, select

from adtrace.store import clusters as cluster_store
from adtrace.store import scores
from adtrace.store.schema import search_docs
from adtrace.web import queries
from adtrace.web.deps import Conn, CurrentUser
from adtrace.web.i18n import Message
from adtrace.web.pages import Paging, render
from adtrace.web.search import SORTS, QueryProblem, SearchQuery, read_phones, run_search

router = APIRouter()


class SearchForm(BaseModel):
    """The search form's fields as sent (empty strings for unused fields)."""

    q: str = ""
    phone: str = ""
    email: str = ""
    handle: str = ""
    name: str = ""
    city: str = ""
    site: str = ""
    date_from: str = ""
    date_to: str = ""
    min_score: str = ""
    sort: str = "newest"
    page: int = 1


def search_form(
    q: Annotated[str, Query(max_length=500)] = "",
    phone: Annotated[str, Query(max_length=100)] = "",
    email: Annotated[str, Query(max_length=320)] = "",
    handle: Annotated[str, Query(max_length=200)] = "",
    name: Annotated[str, Query(max_length=200)] = "",
    city: Annotated[str, Query(max_length=200)] = "",
    site: Annotated[str, Query(max_length=200)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    min_score: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=10)] = "newest",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> SearchForm:
    """The query string as a SearchForm (one dependency for the page and the API)."""
    return SearchForm(
        q=q,
        phone=phone,
        email=email,
        handle=handle,
        name=name,
        city=city,
        site=site,
        date_from=date_from,
        date_to=date_to,
        min_score=min_score,
        sort=sort,
        page=page,
    )


class SearchHit(BaseModel):
    """One ad in the results."""

    ad_id: int
    site: str
    title: str | None
    city: str | None
    posted_at: datetime | None
    snippet: str
    cluster_id: str | None
    score: float | None


class SearchResults(BaseModel):
    """What the search page shows (and /api/search returns)."""

    form: SearchForm
    searched: bool
    problem: str | None
    phones: list[str]
    hits: list[SearchHit]
    paging: Paging
    sites: list[str]
    sorts: list[str]


def parse_form(form: SearchForm) -> SearchQuery:
    """The form as a query; QueryProblem names the field that cannot be read."""
    if form.sort not in SORTS:
        raise QueryProblem(Message("sort must be one of %(sorts)s", sorts=", ".join(SORTS)))
    return SearchQuery(
        text=form.q,
        phone=form.phone,
        email=form.email,
        handle=form.handle,
        name=form.name,
        city=form.city,
        site=form.site,
        date_from=_day(form.date_from, Message("the from date must be written YYYY-MM-DD")),
        date_to=_day(form.date_to, Message("the to date must be written YYYY-MM-DD")),
        min_score=_number(form.min_score, Message("the min score must be a number")),
        sort=form.sort,  # type: ignore[arg-type]
        page=form.page,
    )


def _day(value: str, problem: Message) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise QueryProblem(problem) from None


def _number(value: str, problem: Message) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise QueryProblem(problem) from None


def _check_phone(written: str, region: str) -> None:
    """QueryProblem (as a translatable Message) when no phone can be read in `written`."""
    if written.strip():
        try:
            read_phones(written, region)
        except QueryProblem:
            problem = Message("no phone number could be read in %(phone)s", phone=repr(written))
            raise QueryProblem(problem) from None


def search_context(conn: Connection, form: SearchForm, region: str) -> SearchResults:
    """Run the search the form describes (nothing when it is empty)."""
    return search_outcome(conn, form, region)[0]


def search_outcome(
    conn: Connection, form: SearchForm, region: str
) -> tuple[SearchResults, Message | None]:
    """The results of the search the form describes (nothing when it is empty) and the problem
    that stopped it, as a Message the page shows translated (the results hold it in English)."""
    problem: Message | None = None
    phones: list[str] = []
    hits: list[SearchHit] = []
    total = 0
    try:
        query = parse_form(form)
        _check_phone(query.phone, region)
        if not query.is_empty():
            found = run_search(conn, query, region)
            phones, total = found.phones, found.total
            hits = _hits(conn, found.ad_ids)
        searched = not query.is_empty()
    except QueryProblem as err:
        raised = err.args[0] if err.args else str(err)
        problem = raised if isinstance(raised, Message) else Message(str(raised))
        searched = True
    results = SearchResults(
        form=form,
        searched=searched,
        problem=problem,
        phones=phones,
        hits=hits,
        paging=Paging(page=form.page, per_page=20, total=total),
        sites=_sites(conn),
        sorts=list(SORTS),
    )
    return results, problem


def _hits(conn: Connection, ad_ids: list[int]) -> list[SearchHit]:
    brief = queries.ads_brief(conn, ad_ids)
    scored = scores.ad_scores(conn, ad_ids)
    out = []
    for ad_id in ad_ids:
        row: dict[str, Any] = brief.get(ad_id, {})
        score = scored.get(ad_id)
        out.append(
            SearchHit(
                ad_id=ad_id,
                site=row.get("site", ""),
                title=row.get("title"),
                city=row.get("city"),
                posted_at=row.get("posted_at") or row.get("first_seen"),
                snippet=row.get("snippet") or "",
                cluster_id=cluster_store.cluster_of(conn, ad_id),
                score=None if score is None else score.score,
            )
        )
    return out


def _sites(conn: Connection) -> list[str]:
    query = select(search_docs.c.site).distinct().order_by(search_docs.c.site).limit(500)
    return [str(s) for s in conn.execute(query).scalars()]


Form = Annotated[SearchForm, Depends(search_form)]


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(request: Request, conn: Conn, user: CurrentUser, form: Form) -> HTMLResponse:
    """The search form and one page of results."""
    ctx, problem = search_outcome(conn, form, request.app.state.region)
    return render(request, "search.html", user, ctx=ctx, problem=problem)


@router.get("/api/search", tags=["search"])
def search_api(request: Request, conn: Conn, _user: CurrentUser, form: Form) -> SearchResults:
    """Search ads: free text (words and prefixes, case- and accent-folded), phone in any written
    form, e-mail, handle, persona name, city, site, dates (YYYY-MM-DD), minimum score; paged."""
    return search_context(conn, form, request.app.state.region)
