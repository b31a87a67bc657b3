"""Escalations (A04): the list (by status and owner), one escalation with its ad, reason,
cluster, owner, status, actions and history, the box on the ad page, and their JSON twins.

Every page first opens the escalations an older store is missing (`sync_escalations`, one indexed
query when there is nothing to open). Changes need an analyst or admin (`WritingUser`); a form
answers 303 back to the escalation, or the page again with the error (409: the workflow refuses,
or someone changed it meanwhile; 400: a comment or owner is missing or wrong).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from adtrace.store import clusters as cluster_store
from adtrace.store import escalations as store
from adtrace.store import scores
from adtrace.web import queries
from adtrace.web.auth import User
from adtrace.web.deps import WRITER_ROLES, Conn, CurrentUser, WritingUser
from adtrace.web.deps import store as engine_of
from adtrace.web.i18n import Message
from adtrace.web.i18n import gettext as _
from adtrace.web.i18n import noop as N_
from adtrace.web.pages import PER_PAGE, Paging, render
from adtrace.web.views import Reason, reasons_of

router = APIRouter()


# --- Context objects (the pages and their JSON twins) ------------------------------------------


class EscalationInfo(BaseModel):
    """An escalation: the ad, the cluster and score run it was opened from, the A04 reason in
    English (as when opened), owner (None: nobody), status and when."""

    escalation_id: int
    ad_id: int
    cluster_id: str | None
    score_run: int | None
    reason: str
    owner: str | None
    status: str
    created_at: datetime
    updated_at: datetime


class EscalationRow(EscalationInfo):
    """An escalation in the list, with its ad's site and title."""

    site: str
    title: str | None


class EventInfo(BaseModel):
    """One change: `action` opened, owner, status or comment; `old`/`new` are owners (None:
    nobody) or statuses."""

    event_id: int
    at: datetime
    by: str
    action: str
    old: str | None
    new: str | None
    comment: str | None


class Move(BaseModel):
    """A status the escalation may move to, and whether a comment is required."""

    status: str
    needs_comment: bool


class AdBrief(BaseModel):
    """The escalated ad (None fields: the ad is no longer in the store)."""

    ad_id: int
    site: str | None
    title: str | None
    city: str | None
    posted_at: datetime | None


class EscalationList(BaseModel):
    """What /escalations shows (and /api/escalations returns)."""

    escalations: list[EscalationRow]
    counts: dict[str, int] = Field(description="per status, under the owner filter")
    status: str | None
    owner: str | None
    mine: bool
    unowned: bool
    owners: list[str] = Field(description="who escalations can be assigned to")
    paging: Paging


class EscalationPage(BaseModel):
    """What /escalations/{id} shows (and /api/escalations/{id} returns)."""

    escalation: EscalationInfo
    ad: AdBrief
    flagged_now: bool = Field(description="the newest score run still escalates the ad")
    reasons: list[Reason] = Field(description="the ad's A04 reasons in the newest score run")
    cluster_now: str | None = Field(description="the ad's current cluster")
    moves: list[Move]
    owners: list[str]
    history: list[EventInfo]


class StatusChange(BaseModel):
    """Move an escalation to `status`; `expected`: the status you saw (409 when it changed)."""

    status: str
    comment: str | None = None
    expected: str | None = None


class OwnerChange(BaseModel):
    """Give an escalation to `owner` (null: release it); `expected`: the owner you saw ("" for
    nobody; 409 when it changed)."""

    owner: str | None
    comment: str | None = None
    expected: str | None = None


class NewComment(BaseModel):
    """A comment for the escalation's history."""

    comment: str


# --- Building the contexts -------------------------------------------------------------------


def sync(engine: Engine) -> None:
    """Open the escalations the newest score run calls for (a read when there is none)."""
    with engine.connect() as conn:
        if not store.pending_ads(conn):
            return
    try:
        with engine.begin() as conn:
            store.sync_escalations(conn)
    except IntegrityError:  # another request opened them first
        pass


def _info(e: store.Escalation) -> EscalationInfo:
    return EscalationInfo(
        escalation_id=e.escalation_id,
        ad_id=e.ad_id,
        cluster_id=e.cluster_id,
        score_run=e.score_run,
        reason=e.reason,
        owner=e.owner,
        status=e.status,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )


def list_context(
    conn: Connection, where: store.Filter, page: int, *, mine: bool = False
) -> EscalationList:
    """One page of the escalations matching `where`, newest first."""
    paging = Paging(page=page, per_page=PER_PAGE, total=store.count_escalations(conn, where))
    found = store.list_escalations(conn, where, limit=PER_PAGE, offset=paging.offset)
    brief = queries.ads_brief(conn, [e.ad_id for e in found])
    rows = [
        EscalationRow(
            **_info(e).model_dump(),
            site=brief.get(e.ad_id, {}).get("site", ""),
            title=brief.get(e.ad_id, {}).get("title"),
        )
        for e in found
    ]
    return EscalationList(
        escalations=rows,
        counts=store.status_counts(conn, where),
        status=where.status,
        owner=where.owner,
        mine=mine,
        unowned=where.unowned,
        owners=store.possible_owners(conn),
        paging=paging,
    )


def page_context(conn: Connection, escalation_id: int) -> EscalationPage:
    """One escalation with its ad, current reasons, moves and history; 404 when unknown."""
    found = store.find_escalation(conn, escalation_id)
    if found is None:
        raise HTTPException(404, Message("There is no escalation %(id)s.", id=escalation_id))
    scored = scores.ad_scores(conn, [found.ad_id]).get(found.ad_id)
    brief = queries.ads_brief(conn, [found.ad_id]).get(found.ad_id, {})
    reasons = [] if scored is None else reasons_of(scored.reasons)
    return EscalationPage(
        escalation=_info(found),
        ad=AdBrief(
            ad_id=found.ad_id,
            site=brief.get("site"),
            title=brief.get("title"),
            city=brief.get("city"),
            posted_at=brief.get("posted_at"),
        ),
        flagged_now=scored is not None and scored.escalate,
        reasons=[r for r in reasons if r.indicator == store.ESCALATING_INDICATOR],
        cluster_now=cluster_store.cluster_of(conn, found.ad_id),
        moves=[
            Move(status=s, needs_comment=store.needs_comment(found.status, s))
            for s in store.allowed_statuses(found.status)
        ],
        owners=store.possible_owners(conn),
        history=[EventInfo(**_event_fields(e)) for e in store.history(conn, escalation_id)],
    )


def _event_fields(e: store.EscalationEvent) -> dict[str, Any]:
    return {
        "event_id": e.event_id,
        "at": e.at,
        "by": e.by,
        "action": e.action,
        "old": e.old,
        "new": e.new,
        "comment": e.comment,
    }


# --- Words (translated when the template renders, in the reader's language) -------------------


STATUS_NAMES: dict[str, str] = {
    "new": N_("New"),
    "in_review": N_("In review"),
    "referred": N_("Referred"),
    "closed": N_("Closed"),
}
"""Each status as the interface names it (English msgids)."""


def status_label(status: str | None) -> str:
    """A status as the interface names it, in the active language."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else (status or "")


def move_label(old: str, new: str) -> str:
    """The button that moves an escalation from `old` to `new`."""
    if new == "in_review":
        if old == "closed":
            return _("Reopen")
        return _("Back to review") if old == "referred" else _("Start the review")
    return {"referred": _("Refer"), "closed": _("Close")}.get(new, status_label(new))


def event_text(e: EventInfo) -> str:
    """What an event of the history did, in words."""
    if e.action == "opened":
        return _("Opened")
    if e.action == "status":
        return _("Status: %(old)s → %(new)s") % {
            "old": status_label(e.old),
            "new": status_label(e.new),
        }
    if e.action == "owner":
        if e.new is None:
            return _("Released it")
        if e.new == e.by:
            return _("Took it")
        return _("Assigned it to %(owner)s") % {"owner": e.new}
    return _("Comment")


def error_message(err: store.EscalationError) -> Message:
    """One sentence for the user about a refused change (English; `error_text` translates)."""
    if isinstance(err, store.TransitionRefused):
        return Message(
            "An escalation cannot go from %(old)s to %(new)s.",
            old=STATUS_NAMES.get(err.old, err.old),
            new=STATUS_NAMES.get(err.new, err.new),
        )
    if isinstance(err, store.StaleChange):
        return Message(
            "Someone changed this escalation since you opened it: check it and try again."
        )
    if isinstance(err, store.CommentRequired):
        if err.status is None:
            return Message("A comment cannot be empty.")
        return Message("Referring, closing or reopening an escalation needs a comment.")
    if isinstance(err, store.CommentTooLong):
        return Message("A comment may have at most %(n)s characters.", n=store.MAX_COMMENT)
    if isinstance(err, store.OwnerRefused):
        return Message("%(name)s is not an active analyst or admin.", name=err.username)
    if isinstance(err, store.EscalationNotFound):
        return Message("There is no escalation %(id)s.", id=err.escalation_id)
    return Message(str(err))


def error_text(err: store.EscalationError) -> str:
    """`error_message` in the active language (status names translated too)."""
    message = error_message(err)
    names = set(STATUS_NAMES.values())
    params = {
        k: _(v) if isinstance(v, str) and v in names else v for k, v in message.params.items()
    }
    return _(message.msgid) % params if params else _(message.msgid)


def error_status(err: store.EscalationError) -> int:
    """409 when the workflow or a concurrent change refuses, 404 unknown, else 400."""
    if isinstance(err, store.TransitionRefused | store.StaleChange):
        return 409
    return 404 if isinstance(err, store.EscalationNotFound) else 400


WORDS: dict[str, Any] = {
    "status_label": status_label,
    "move_label": move_label,
    "event_text": event_text,
    "error_text": error_text,
}


# --- Pages -------------------------------------------------------------------------------------

Page = Annotated[int, Query(ge=1, le=1_000_000)]
StatusFilter = Annotated[str | None, Query(pattern="^(new|in_review|referred|closed)?$")]
OwnerFilter = Annotated[str | None, Query(max_length=100)]


def _filter(
    user: User, status: str | None, owner: str | None, mine: bool, unowned: bool
) -> store.Filter:
    return store.Filter(
        status=status or None,
        owner=user.username if mine else (owner or None),
        unowned=unowned and not mine,
    )


@router.get("/escalations", response_class=HTMLResponse, include_in_schema=False)
def escalations_page(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    status: StatusFilter = None,
    owner: OwnerFilter = None,
    mine: bool = False,
    unowned: bool = False,
    page: Page = 1,
) -> HTMLResponse:
    """The escalations, newest first, filtered by status and owner."""
    sync(engine_of(request))
    ctx = list_context(conn, _filter(user, status, owner, mine, unowned), page, mine=mine)
    return render(request, "escalations.html", user, ctx=ctx, **WORDS)


@router.get("/api/escalations", tags=["escalations"])
def escalations_api(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    status: StatusFilter = None,
    owner: OwnerFilter = None,
    mine: bool = False,
    unowned: bool = False,
    page: Page = 1,
) -> EscalationList:
    """Escalations (A04), newest first, paged; filter by `status`, `owner`, `mine` (yours) or
    `unowned`; `counts` per status under the owner filter."""
    sync(engine_of(request))
    return list_context(conn, _filter(user, status, owner, mine, unowned), page, mine=mine)


@router.get("/escalations/nav", response_class=HTMLResponse, include_in_schema=False)
def escalations_nav(request: Request, conn: Conn, user: CurrentUser) -> HTMLResponse:
    """The navigation link's text with the number of new escalations (loaded by htmx)."""
    sync(engine_of(request))
    n_new = store.count_escalations(conn, store.Filter(status="new"))
    return render(request, "_escalation_nav.html", user, n_new=n_new)


@router.get("/escalations/{escalation_id}", response_class=HTMLResponse, include_in_schema=False)
def escalation_page(
    request: Request, conn: Conn, user: CurrentUser, escalation_id: int
) -> HTMLResponse:
    """One escalation: its ad, reason, cluster, owner, status, actions and history."""
    sync(engine_of(request))
    return _page(request, conn, user, escalation_id)


def _page(
    request: Request,
    conn: Connection,
    user: User,
    escalation_id: int,
    error: store.EscalationError | None = None,
    comment: str = "",
) -> HTMLResponse:
    ctx = page_context(conn, escalation_id)
    return render(
        request,
        "escalation.html",
        user,
        error_status(error) if error else 200,
        ctx=ctx,
        can_write=user.role in WRITER_ROLES,
        error=error,
        comment=comment,
        **WORDS,
    )


@router.get("/api/escalations/{escalation_id}", tags=["escalations"])
def escalation_api(
    request: Request, conn: Conn, _user: CurrentUser, escalation_id: int
) -> EscalationPage:
    """One escalation with its ad, current A04 reasons, allowed moves, owners and history."""
    sync(engine_of(request))
    return page_context(conn, escalation_id)


@router.get("/ads/{ad_id}/escalation", response_class=HTMLResponse, include_in_schema=False)
def ad_escalation_box(request: Request, conn: Conn, user: CurrentUser, ad_id: int) -> HTMLResponse:
    """The ad page's escalation box (empty when the ad is not escalated)."""
    sync(engine_of(request))
    found = store.escalation_of_ad(conn, ad_id)
    esc = None if found is None else _info(found)
    can_write = user.role in WRITER_ROLES
    return render(request, "_escalation_ad.html", user, esc=esc, can_write=can_write, **WORDS)


@router.get("/api/ads/{ad_id}/escalation", tags=["escalations"])
def ad_escalation_api(
    request: Request, conn: Conn, _user: CurrentUser, ad_id: int
) -> EscalationInfo | None:
    """The escalation of an ad, or null."""
    sync(engine_of(request))
    found = store.escalation_of_ad(conn, ad_id)
    return None if found is None else _info(found)


# --- Changes (forms: 303 back to the page; API: the page's context) ---------------------------

Text = Annotated[str, Form(max_length=store.MAX_COMMENT * 2)]
Name = Annotated[str, Form(max_length=100)]


def _apply(request: Request, change: Any) -> store.EscalationError | None:
    """Run `change(conn)` in one transaction; the workflow's refusal, if any."""
    try:
        with engine_of(request).begin() as conn:
            change(conn)
    except store.EscalationError as err:
        return err
    return None


def _answer(
    request: Request, user: User, escalation_id: int, error: store.EscalationError | None, text: str
) -> Response:
    if error is None:
        return RedirectResponse(f"/escalations/{escalation_id}", status_code=303)
    if isinstance(error, store.EscalationNotFound):
        raise HTTPException(404, error_message(error))
    with engine_of(request).connect() as conn:
        return _page(request, conn, user, escalation_id, error, text)


@router.post("/escalations/{escalation_id}/status", include_in_schema=False)
def status_form(
    request: Request,
    user: WritingUser,
    escalation_id: int,
    status: Name,
    comment: Text = "",
    expected: Name = "",
) -> Response:
    """Move the escalation to another status."""
    error = _apply(
        request,
        lambda conn: store.set_status(
            conn,
            escalation_id,
            status,
            by=user.username,
            comment=comment,
            expected=expected or None,
        ),
    )
    return _answer(request, user, escalation_id, error, comment)


@router.post("/escalations/{escalation_id}/owner", include_in_schema=False)
def owner_form(
    request: Request,
    user: WritingUser,
    escalation_id: int,
    owner: Name = "",
    expected: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """Take, assign or release (`owner` empty) the escalation."""
    error = _apply(
        request,
        lambda conn: store.set_owner(
            conn, escalation_id, owner or None, by=user.username, expected=expected
        ),
    )
    return _answer(request, user, escalation_id, error, "")


@router.post("/escalations/{escalation_id}/comments", include_in_schema=False)
def comment_form(
    request: Request, user: WritingUser, escalation_id: int, comment: Text = ""
) -> Response:
    """Add a comment to the history."""
    error = _apply(
        request, lambda conn: store.add_comment(conn, escalation_id, comment, by=user.username)
    )
    return _answer(request, user, escalation_id, error, comment)


def _api_answer(request: Request, escalation_id: int, error: Any) -> EscalationPage:
    if error is not None:
        raise HTTPException(error_status(error), error_message(error))
    with engine_of(request).connect() as conn:
        return page_context(conn, escalation_id)


@router.post("/api/escalations/{escalation_id}/status", tags=["escalations"])
def status_api(
    request: Request, user: WritingUser, escalation_id: int, body: StatusChange
) -> EscalationPage:
    """Move an escalation to another status (409: not allowed from its status, or changed since
    `expected`; 400: a comment is required to refer, close or reopen). Send the session's CSRF
    token as the X-CSRF-Token header."""
    error = _apply(
        request,
        lambda conn: store.set_status(
            conn,
            escalation_id,
            body.status,
            by=user.username,
            comment=body.comment,
            expected=body.expected,
        ),
    )
    return _api_answer(request, escalation_id, error)


@router.post("/api/escalations/{escalation_id}/owner", tags=["escalations"])
def owner_api(
    request: Request, user: WritingUser, escalation_id: int, body: OwnerChange
) -> EscalationPage:
    """Give an escalation to an active analyst or admin, or release it (`owner` null)."""
    error = _apply(
        request,
        lambda conn: store.set_owner(
            conn,
            escalation_id,
            body.owner or None,
            by=user.username,
            comment=body.comment,
            expected=body.expected,
        ),
    )
    return _api_answer(request, escalation_id, error)


@router.post("/api/escalations/{escalation_id}/comments", tags=["escalations"])
def comment_api(
    request: Request, user: WritingUser, escalation_id: int, body: NewComment
) -> EscalationPage:
    """Add a comment to an escalation's history (400 when empty)."""
    error = _apply(
        request,
        lambda conn: store.add_comment(conn, escalation_id, body.comment, by=user.username),
    )
    return _api_answer(request, escalation_id, error)
