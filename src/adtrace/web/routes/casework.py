"""Case work pages: labels, notes and tags on a cluster (a fragment the cluster page loads), cases
on the ad page (a fragment too), the list of cases, a case, the review queue; their JSON twins.

Every judgement attaches to a set of ads (see `adtrace.store.casework`). Writes need an analyst or
an admin (`WritingUser`); a form posted by htmx gets the fragment back, a plain form a 303 to the
page it came from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import Connection

from adtrace.store import casework as store
from adtrace.store import clusters as cluster_store
from adtrace.web import i18n, queries
from adtrace.web.auth import User
from adtrace.web.deps import WRITER_ROLES, Conn, CurrentUser, WritingUser
from adtrace.web.deps import store as engine_of
from adtrace.web.i18n import Message
from adtrace.web.pages import PER_PAGE, Paging, render

router = APIRouter()

N_ = i18n.noop
LABEL_NAMES: Final = {
    "suspected": N_("trafficking suspected"),
    "independent": N_("independent"),
    "spam": N_("spam"),
    "scam": N_("scam"),
    "unclear": N_("unclear"),
}
"""Display names of the label kinds (`adtrace.store.casework.LABELS`)."""
STATUS_NAMES: Final = {"open": N_("open"), "closed": N_("closed")}
MAX_ID: Final = 2**62
"""Largest id a path or form may name (keys are 64-bit on PostgreSQL)."""
SHOWN_ADS: Final = 50
"""Ads listed per change on a page (the JSON twins list them all)."""


# --- Context models (the JSON twins return them) ---------------------------------------------


class AnnotationInfo(BaseModel):
    """A label, note or tag, the set of ads it is on and who wrote (and removed) it when."""

    annotation_id: int
    kind: str
    value: str
    set_id: int
    cluster_id: str | None
    created_by: str
    created_at: datetime
    removed_by: str | None
    removed_at: datetime | None


class ReviewInfo(BaseModel):
    """The labelled set differs from the cluster's ads now: ads added since, ads removed."""

    labelled: AnnotationInfo
    added: list[int]
    removed: list[int]


class CaseRef(BaseModel):
    """A case, by id and title."""

    case_id: int
    title: str


class ClusterCaseworkPage(BaseModel):
    """The case work of a cluster's current ads (/clusters/{id}/casework, and its JSON twin)."""

    cluster_id: str
    n_ads: int
    label: AnnotationInfo | None
    review: ReviewInfo | None
    notes: list[AnnotationInfo]
    tags: list[AnnotationInfo]
    cases: list[CaseRef]
    history: list[AnnotationInfo]
    removed: list[AnnotationInfo]
    open_cases: list[CaseRef]


class AdCaseworkPage(BaseModel):
    """The case work of one ad: its cluster's label and the cases holding the ad."""

    ad_id: int
    cluster_id: str | None
    cluster_label: AnnotationInfo | None
    cluster_flagged: bool
    cases: list[CaseRef]
    open_cases: list[CaseRef]


class PlaceNow(BaseModel):
    """Where some of an item's ads are now: a current cluster (None: unlinked or gone)."""

    cluster_id: str | None
    n_ads: int


class CaseItemInfo(BaseModel):
    """An item of a case: a cluster as it was (with its id then) or a single ad."""

    item_id: int
    kind: str
    set_id: int
    cluster_id: str | None
    ad_id: int | None
    n_ads: int
    added_by: str
    added_at: datetime
    removed_by: str | None
    removed_at: datetime | None
    now: list[PlaceNow]
    label: AnnotationInfo | None
    notes: list[AnnotationInfo]
    tags: list[str]


class CaseAd(BaseModel):
    """An ad of the case (`site` None: no longer in the store) and its cluster now."""

    ad_id: int
    site: str | None
    title: str | None
    city: str | None
    posted_at: datetime | None
    cluster_id: str | None


class CasePage(BaseModel):
    """A case: its items, the union of their ads (paged) and the items removed."""

    case_id: int
    title: str
    summary: str
    status: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    items: list[CaseItemInfo]
    removed_items: list[CaseItemInfo]
    n_ads: int
    ads: list[CaseAd]
    paging: Paging


class CasesPage(BaseModel):
    """Every case (or those of one status), most recently updated first."""

    status: str | None
    cases: list[store.CaseSummary]
    paging: Paging


class FlaggedInfo(BaseModel):
    """A cluster whose ads changed since it was labelled."""

    cluster_id: str
    n_ads: int
    review: ReviewInfo


class ReviewPage(BaseModel):
    """Every labelled cluster whose ads changed since (/review)."""

    flagged: list[FlaggedInfo]
    paging: Paging


# --- Building the contexts -------------------------------------------------------------------


def _annotation(a: store.Annotation) -> AnnotationInfo:
    return AnnotationInfo(
        annotation_id=a.annotation_id,
        kind=a.kind,
        value=a.value,
        set_id=a.set_id,
        cluster_id=a.cluster_id,
        created_by=a.created_by,
        created_at=a.created_at,
        removed_by=a.removed_by,
        removed_at=a.removed_at,
    )


def _review(review: store.Review | None) -> ReviewInfo | None:
    return None if review is None else _review_info(review)


def _review_info(review: store.Review) -> ReviewInfo:
    return ReviewInfo(
        labelled=_annotation(review.labelled),
        added=list(review.added),
        removed=list(review.removed),
    )


def _open_cases(conn: Connection) -> list[CaseRef]:
    return [CaseRef(case_id=c.case_id, title=c.title) for c in store.list_cases(conn, "open")]


def cluster_casework_context(conn: Connection, cluster_id: str) -> ClusterCaseworkPage:
    """The case work of a current cluster; 404 when there is no such cluster."""
    members = cluster_store.cluster_members(conn, cluster_id)
    if not members:
        raise HTTPException(
            404,
            Message(
                "there is no cluster %(cluster_id)s in the latest link run", cluster_id=cluster_id
            ),
        )
    work = store.ads_casework(conn, members)
    return ClusterCaseworkPage(
        cluster_id=cluster_id,
        n_ads=len(members),
        label=None if work.label is None else _annotation(work.label),
        review=_review(work.review),
        notes=[_annotation(a) for a in work.notes],
        tags=[_annotation(a) for a in work.tags],
        cases=[CaseRef(case_id=c, title=t) for c, t in work.cases],
        history=[_annotation(a) for a in work.history],
        removed=[_annotation(a) for a in work.removed],
        open_cases=_open_cases(conn),
    )


def ad_casework_context(conn: Connection, ad_id: int) -> AdCaseworkPage:
    """The case work of an ad; 404 when there is no such ad."""
    if queries.ad_current(conn, ad_id) is None:
        raise HTTPException(404, Message("there is no ad %(ad_id)s", ad_id=ad_id))
    cluster_id = cluster_store.cluster_of(conn, ad_id)
    cluster = None if cluster_id is None else store.cluster_casework(conn, cluster_id)
    own = store.ads_casework(conn, [ad_id])
    return AdCaseworkPage(
        ad_id=ad_id,
        cluster_id=cluster_id,
        cluster_label=None
        if cluster is None or cluster.label is None
        else _annotation(cluster.label),
        cluster_flagged=cluster is not None and cluster.review is not None,
        cases=[CaseRef(case_id=c, title=t) for c, t in own.cases],
        open_cases=_open_cases(conn),
    )


def _item(conn: Connection, item: store.CaseItem) -> CaseItemInfo:
    ad_ids = store.set_ad_ids(conn, item.set_id)
    work = store.ads_casework(conn, ad_ids)
    return CaseItemInfo(
        item_id=item.item_id,
        kind=item.kind,
        set_id=item.set_id,
        cluster_id=item.cluster_id,
        ad_id=ad_ids[0] if item.kind == "ad" and ad_ids else None,
        n_ads=item.n_ads,
        added_by=item.added_by,
        added_at=item.added_at,
        removed_by=item.removed_by,
        removed_at=item.removed_at,
        now=[PlaceNow(cluster_id=c, n_ads=n) for c, n in store.where_now(conn, item.set_id)],
        label=None if work.label is None else _annotation(work.label),
        notes=[_annotation(a) for a in work.notes],
        tags=[a.value for a in work.tags],
    )


def case_context(conn: Connection, case_id: int, page: int = 1) -> CasePage:
    """A case page; 404 when there is no such case."""
    case = store.get_case(conn, case_id)
    if case is None:
        raise HTTPException(404, Message("there is no case %(case_id)s", case_id=case_id))
    history = store.case_history(conn, case_id)
    ad_ids = store.case_ad_ids(conn, case_id)
    paging = Paging(page=page, per_page=PER_PAGE, total=len(ad_ids))
    shown = ad_ids[paging.offset : paging.offset + paging.per_page]
    return CasePage(
        case_id=case.case_id,
        title=case.title,
        summary=case.summary,
        status=case.status,
        created_by=case.created_by,
        created_at=case.created_at,
        updated_at=case.updated_at,
        items=[_item(conn, i) for i in case.items],
        removed_items=[_item(conn, i) for i in history if i.removed_at is not None],
        n_ads=len(ad_ids),
        ads=_case_ads(conn, shown),
        paging=paging,
    )


def _case_ads(conn: Connection, ad_ids: list[int]) -> list[CaseAd]:
    brief = queries.ads_brief(conn, ad_ids)
    where = store.current_clusters(conn, ad_ids)
    out = []
    for ad in ad_ids:
        row = brief.get(ad, {})
        out.append(
            CaseAd(
                ad_id=ad,
                site=row.get("site"),
                title=row.get("title"),
                city=row.get("city"),
                posted_at=row.get("posted_at") or row.get("first_seen"),
                cluster_id=where.get(ad),
            )
        )
    return out


def cases_context(conn: Connection, status: str | None, page: int = 1) -> CasesPage:
    """One page of the list of cases (PER_PAGE a page)."""
    found = store.list_cases(conn, status)
    paging = Paging(page=page, per_page=PER_PAGE, total=len(found))
    shown = found[paging.offset : paging.offset + paging.per_page]
    return CasesPage(status=status, cases=shown, paging=paging)


def review_context(conn: Connection, page: int = 1) -> ReviewPage:
    """One page of the review queue (PER_PAGE a page)."""
    queue = store.review_queue(conn)
    paging = Paging(page=page, per_page=PER_PAGE, total=len(queue))
    return ReviewPage(
        flagged=[
            FlaggedInfo(cluster_id=f.cluster_id, n_ads=f.n_ads, review=_review_info(f.review))
            for f in queue[paging.offset : paging.offset + paging.per_page]
        ],
        paging=paging,
    )


# --- Rendering helpers -----------------------------------------------------------------------


def label_name(kind: str) -> str:
    """The display name of a label kind in the active language."""
    return i18n.gettext(LABEL_NAMES[kind]) if kind in LABEL_NAMES else kind


def status_name(status: str) -> str:
    """The display name of a case status in the active language."""
    return i18n.gettext(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def _page(
    request: Request, template: str, user: User, status_code: int = 200, **context: object
) -> HTMLResponse:
    return render(
        request,
        template,
        user,
        status_code,
        can_write=user.role in WRITER_ROLES,
        label_name=label_name,
        status_name=status_name,
        labels=store.LABELS,
        note_max=store.NOTE_MAX,
        shown_ads=SHOWN_ADS,
        **context,
    )


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _cluster_done(
    request: Request, user: User, cluster_id: str, error: Message | None = None
) -> Response:
    """After a write on a cluster: the fragment again (htmx), else back to the cluster page."""
    if _htmx(request):
        with engine_of(request).connect() as conn:
            ctx = cluster_casework_context(conn, cluster_id)
        return _page(request, "_casework_cluster.html", user, ctx=ctx, error=error)
    if error is not None:
        raise HTTPException(400, error)
    return RedirectResponse(f"/clusters/{quote(cluster_id, safe='')}#casework", status_code=303)


def _ad_done(request: Request, user: User, ad_id: int, error: Message | None = None) -> Response:
    """After a write from the ad page: the fragment again (htmx), else back to the ad page."""
    if _htmx(request):
        with engine_of(request).connect() as conn:
            ctx = ad_casework_context(conn, ad_id)
        return _page(request, "_casework_ad.html", user, ctx=ctx, error=error)
    if error is not None:
        raise HTTPException(400, error)
    return RedirectResponse(f"/ads/{ad_id}#casework", status_code=303)


def _case_done(
    request: Request, user: User, case_id: int, error: Message | None = None
) -> Response:
    """After a write on a case: back to the case page (the page again with the error, 400)."""
    if error is None:
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    with engine_of(request).connect() as conn:
        ctx = case_context(conn, case_id)
    return _page(request, "case.html", user, 400, ctx=ctx, error=error)


# --- Cluster: the fragment, its JSON twin, labels, notes, tags, add to a case ----------------

Text = Annotated[str, Form(max_length=20_000)]
Page = Annotated[int, Query(ge=1, le=1_000_000)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/clusters/{cluster_id}/casework", response_class=HTMLResponse, include_in_schema=False)
def cluster_fragment(request: Request, conn: Conn, user: CurrentUser, cluster_id: str) -> Response:
    """The case work fragment of the cluster page (loaded by htmx)."""
    ctx = cluster_casework_context(conn, cluster_id)
    return _page(request, "_casework_cluster.html", user, ctx=ctx, error=None)


@router.get("/api/clusters/{cluster_id}/casework", tags=["casework"])
def cluster_casework_api(conn: Conn, _user: CurrentUser, cluster_id: str) -> ClusterCaseworkPage:
    """The label (with the review flag: ads added and removed since it was set), notes, tags and
    cases of a cluster's current ads, with history."""
    return cluster_casework_context(conn, cluster_id)


@router.post("/clusters/{cluster_id}/label", include_in_schema=False)
def label_cluster(
    request: Request, user: WritingUser, cluster_id: str, label: Text = ""
) -> Response:
    """Label the cluster's current ads (again: supersedes; confirms a flagged label)."""
    if label not in store.LABELS:
        return _cluster_done(request, user, cluster_id, Message("Choose a label."))
    _on_cluster(request, cluster_id, "label", label, user)
    return _cluster_done(request, user, cluster_id)


@router.post("/clusters/{cluster_id}/label/remove", include_in_schema=False)
def unlabel_cluster(request: Request, user: WritingUser, cluster_id: str) -> Response:
    """Remove the cluster's label (every active label on its ads; the rows stay as history)."""
    with engine_of(request).begin() as conn:
        store.remove_cluster_label(conn, cluster_id, by=user.username)
    return _cluster_done(request, user, cluster_id)


@router.post("/clusters/{cluster_id}/notes", include_in_schema=False)
def note_cluster(request: Request, user: WritingUser, cluster_id: str, note: Text = "") -> Response:
    """Write a note on the cluster's current ads."""
    if not note.strip() or len(note) > store.NOTE_MAX:
        error = Message("A note has 1 to %(n)s characters.", n=store.NOTE_MAX)
        return _cluster_done(request, user, cluster_id, error)
    _on_cluster(request, cluster_id, "note", note, user)
    return _cluster_done(request, user, cluster_id)


@router.post("/clusters/{cluster_id}/tags", include_in_schema=False)
def tag_cluster(request: Request, user: WritingUser, cluster_id: str, tag: Text = "") -> Response:
    """Tag the cluster's current ads (the tag is normalised: lower case, spaces as -)."""
    normal = store.normalise_tag(tag)
    if normal is None:
        error = Message("A tag has 1 to 40 letters, digits, - or _.")
        return _cluster_done(request, user, cluster_id, error)
    _on_cluster(request, cluster_id, "tag", normal, user)
    return _cluster_done(request, user, cluster_id)


@router.post("/clusters/{cluster_id}/annotations/{annotation_id}/remove", include_in_schema=False)
def remove_annotation(
    request: Request, user: WritingUser, cluster_id: str, annotation_id: Id
) -> Response:
    """Remove a note or tag (the row stays, with who removed it and when)."""
    with engine_of(request).begin() as conn:
        found = store.annotation_of(conn, annotation_id)
        if found is None or found.kind == "label":
            raise HTTPException(404, Message("there is no note or tag %(n)s", n=annotation_id))
        if found.kind == "tag":
            store.remove_cluster_tag(conn, cluster_id, found.value, by=user.username)
        store.remove_annotation(conn, annotation_id, by=user.username)
    return _cluster_done(request, user, cluster_id)


@router.post("/clusters/{cluster_id}/cases", include_in_schema=False)
def cluster_to_case(
    request: Request, user: WritingUser, cluster_id: str, case_id: Text = "", title: Text = ""
) -> Response:
    """Add the cluster's current ads to an open case, or to a new case titled `title`."""
    with engine_of(request).begin() as conn:
        chosen = _chosen_case(conn, case_id, title, user)
        if isinstance(chosen, Message):
            return _cluster_done(request, user, cluster_id, chosen)
        try:
            store.add_cluster_to_case(conn, chosen, cluster_id, by=user.username)
        except LookupError:
            raise _not_found(cluster_id) from None
    return _cluster_done(request, user, cluster_id)


def _on_cluster(request: Request, cluster_id: str, kind: str, value: str, user: User) -> None:
    with engine_of(request).begin() as conn:
        try:
            store.annotate_cluster(conn, cluster_id, kind, value, by=user.username)
        except LookupError:
            raise _not_found(cluster_id) from None


def _not_found(cluster_id: str) -> HTTPException:
    return HTTPException(
        404,
        Message("there is no cluster %(cluster_id)s in the latest link run", cluster_id=cluster_id),
    )


def _form_id(text: str) -> int:
    """An id typed or chosen in a form, or 0 when it is not one."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return 0
    return int(digits) if int(digits) <= MAX_ID else 0


def _chosen_case(conn: Connection, case_id: str, title: str, user: User) -> int | Message:
    """The open case chosen in a form (its id), a new case (a title), or what is wrong."""
    if case_id.strip():
        wanted = _form_id(case_id)
        found = store.get_case(conn, wanted)
        if found is None or found.status != "open":
            return Message("Choose an open case or give a title for a new one.")
        return wanted
    if not title.strip() or len(title.strip()) > store.TITLE_MAX:
        return Message("Choose an open case or give a title for a new one.")
    return store.create_case(conn, title, "", by=user.username)


# --- Ad: the fragment, its JSON twin, add to a case ------------------------------------------


@router.get("/ads/{ad_id}/casework", response_class=HTMLResponse, include_in_schema=False)
def ad_fragment(request: Request, conn: Conn, user: CurrentUser, ad_id: Id) -> Response:
    """The case work fragment of the ad page (loaded by htmx)."""
    ctx = ad_casework_context(conn, ad_id)
    return _page(request, "_casework_ad.html", user, ctx=ctx, error=None)


@router.get("/api/ads/{ad_id}/casework", tags=["casework"])
def ad_casework_api(conn: Conn, _user: CurrentUser, ad_id: Id) -> AdCaseworkPage:
    """The cases holding an ad and its cluster's label."""
    return ad_casework_context(conn, ad_id)


@router.post("/ads/{ad_id}/cases", include_in_schema=False)
def ad_to_case(
    request: Request, user: WritingUser, ad_id: Id, case_id: Text = "", title: Text = ""
) -> Response:
    """Add the ad to an open case, or to a new case titled `title`."""
    with engine_of(request).begin() as conn:
        chosen = _chosen_case(conn, case_id, title, user)
        if isinstance(chosen, Message):
            return _ad_done(request, user, ad_id, chosen)
        try:
            store.add_ad_to_case(conn, chosen, ad_id, by=user.username)
        except LookupError:
            raise HTTPException(404, Message("there is no ad %(ad_id)s", ad_id=ad_id)) from None
    return _ad_done(request, user, ad_id)


# --- Cases -----------------------------------------------------------------------------------

Status = Annotated[str | None, Query(pattern="^(open|closed)$")]


@router.get("/cases", response_class=HTMLResponse, include_in_schema=False)
def cases_page(
    request: Request, conn: Conn, user: CurrentUser, status: Status = None, page: Page = 1
) -> Response:
    """The list of cases, and the form to open one."""
    return _page(request, "cases.html", user, ctx=cases_context(conn, status, page), error=None)


@router.get("/api/cases", tags=["casework"])
def cases_api(conn: Conn, _user: CurrentUser, status: Status = None, page: Page = 1) -> CasesPage:
    """The cases (or those `open` or `closed`), most recently updated first, with counts; 20 a
    page."""
    return cases_context(conn, status, page)


@router.post("/cases", include_in_schema=False)
def open_case(
    request: Request, user: WritingUser, title: Text = "", summary: Text = ""
) -> Response:
    """Open a new case; on to its page."""
    if (
        not title.strip()
        or len(title.strip()) > store.TITLE_MAX
        or len(summary) > store.SUMMARY_MAX
    ):
        error = Message(
            "A case needs a title of 1 to %(n)s characters and a summary of at most %(m)s.",
            n=store.TITLE_MAX,
            m=store.SUMMARY_MAX,
        )
        with engine_of(request).connect() as conn:
            ctx = cases_context(conn, None)
        return _page(request, "cases.html", user, 400, ctx=ctx, error=error)
    with engine_of(request).begin() as conn:
        case_id = store.create_case(conn, title, summary, by=user.username)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(
    request: Request, conn: Conn, user: CurrentUser, case_id: Id, page: Page = 1
) -> Response:
    """A case: its items, where their ads are now, the union of their ads, the history."""
    return _page(request, "case.html", user, ctx=case_context(conn, case_id, page), error=None)


@router.get("/api/cases/{case_id}", tags=["casework"])
def case_api(conn: Conn, _user: CurrentUser, case_id: Id, page: Page = 1) -> CasePage:
    """A case: items (clusters as they were, single ads) with where their ads are now, labels and
    notes; the union of their ads (paged); the removed items with who removed them when."""
    return case_context(conn, case_id, page)


@router.post("/cases/{case_id}/ads", include_in_schema=False)
def case_add_ad(request: Request, user: WritingUser, case_id: Id, ad_id: Text = "") -> Response:
    """Add a single ad, by its id, to the case."""
    wanted = _form_id(ad_id)
    with engine_of(request).begin() as conn:
        case = _case_or_404(conn, case_id)
        if case.status != "open":
            return _case_done(request, user, case_id, Message("This case is closed."))
        try:
            store.add_ad_to_case(conn, case_id, wanted, by=user.username)
        except LookupError:
            error = Message("There is no ad %(ad_id)s.", ad_id=ad_id.strip()[:20])
            return _case_done(request, user, case_id, error)
    return _case_done(request, user, case_id)


@router.post("/cases/{case_id}/items/{item_id}/remove", include_in_schema=False)
def case_remove_item(request: Request, user: WritingUser, case_id: Id, item_id: Id) -> Response:
    """Remove an item from the case (it stays in the history)."""
    with engine_of(request).begin() as conn:
        _case_or_404(conn, case_id)
        store.remove_case_item(conn, case_id, item_id, by=user.username)
    return _case_done(request, user, case_id)


@router.post("/cases/{case_id}/status", include_in_schema=False)
def case_status(request: Request, user: WritingUser, case_id: Id, status: Text = "") -> Response:
    """Close or reopen the case."""
    if status not in store.CASE_STATUSES:
        return _case_done(request, user, case_id, Message("Choose open or closed."))
    with engine_of(request).begin() as conn:
        _case_or_404(conn, case_id)
        store.set_case_status(conn, case_id, status)
    return _case_done(request, user, case_id)


def _case_or_404(conn: Connection, case_id: int) -> store.Case:
    case = store.get_case(conn, case_id)
    if case is None:
        raise HTTPException(404, Message("there is no case %(case_id)s", case_id=case_id))
    return case


# --- Review ----------------------------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, conn: Conn, user: CurrentUser, page: Page = 1) -> Response:
    """Every labelled cluster whose ads changed since it was labelled."""
    return _page(request, "review.html", user, ctx=review_context(conn, page), error=None)


@router.get("/api/review", tags=["casework"])
def review_api(conn: Conn, _user: CurrentUser, page: Page = 1) -> ReviewPage:
    """Every current cluster whose ads differ from the set its label was given on: the label,
    who set it when, the ads added and removed since (a labelled cluster that split is listed
    once per part); 20 a page."""
    return review_context(conn, page)
