"""Retention (admins only; 403 for anyone else): the retention age, a preview of a purge (by
age or of a selector: the rows it would remove, nothing changed), the purge itself behind a
confirmation checkbox, and the list of past purges. JSON twins under /api/admin/retention (send
the session's CSRF token as the X-CSRF-Token header).

A purge runs in the request: it removes the rows in one transaction, then vacuums the store
(SQLite rewrites its file; PostgreSQL rewrites the touched tables, which blocks them meanwhile).
The selector a form sends is never recorded as such: the purge record keeps its keyed hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from adtrace.pipeline.purge import KINDS, PurgeProblem, PurgeResult, purge_store
from adtrace.settings import load_settings
from adtrace.store import retention
from adtrace.web import auth
from adtrace.web.audit import request_key
from adtrace.web.deps import AdminUser
from adtrace.web.deps import store as engine_of
from adtrace.web.i18n import Message
from adtrace.web.pages import Paging, render

router = APIRouter()

PURGES_PER_PAGE: Final = 50
MAX_DAYS: Final = 36_500
Page = Annotated[int, Query(ge=1, le=1_000_000)]


class PurgeRow(BaseModel):
    """A past purge as the list shows it (a selector only by its kind and keyed hash)."""

    purge_id: int
    kind: str
    criteria: dict[str, Any]
    counts: dict[str, int]
    rows_removed: int
    by: str
    at: datetime


class RetentionPage(BaseModel):
    """What /admin/retention shows (and /api/admin/retention returns)."""

    retention_days: int | None
    file_days: int | None
    purges: list[PurgeRow]
    paging: Paging


class PurgeAsked(BaseModel):
    """A purge to preview or run (JSON twin of the forms): a selector, or an age in days."""

    selector: str | None = Field(None, max_length=400)
    older_than_days: int | None = None
    confirm: bool = False


class PurgeDone(BaseModel):
    """What a purge removed, or a preview would remove (`purge_id` None); `vacuumed` False after a
    purge: the store was busy and could not be rewritten whole (purge again to finish)."""

    purge_id: int | None
    kind: str
    criteria: dict[str, Any]
    counts: dict[str, int]
    vacuumed: bool


class RetentionSetting(BaseModel):
    """The retention age in days, 1 to 36500 (None: keep forever)."""

    retention_days: int | None = None


def retention_context(request: Request, page: int) -> RetentionPage:
    """The setting and one page of past purges, newest first."""
    with engine_of(request).connect() as conn:
        days = retention.retention_setting(conn)
        total = retention.count_purges(conn)
        paging = Paging(page=page, per_page=PURGES_PER_PAGE, total=total)
        found = retention.list_purges(conn, limit=PURGES_PER_PAGE, offset=paging.offset)
    rows = [
        PurgeRow(
            purge_id=p.purge_id,
            kind=p.kind,
            criteria=p.criteria,
            counts=p.counts,
            rows_removed=sum(n for k, n in p.counts.items() if k not in retention.NOT_REMOVED),
            by=p.by,
            at=p.at,
        )
        for p in found
    ]
    return RetentionPage(retention_days=days, file_days=_file_days(), purges=rows, paging=paging)


def _file_days() -> int | None:
    """retention_days in adtrace.toml / ADTRACE_RETENTION_DAYS (what `adtrace purge` falls back
    to when no admin set an age here)."""
    try:
        return load_settings().retention_days
    except ValueError:  # a broken settings file is the CLI's to report
        return None


def _run(request: Request, user: auth.User, asked: PurgeAsked, *, dry_run: bool) -> PurgeDone:
    """Preview or run a purge; 400 with one sentence when it cannot be done."""
    if not dry_run and not asked.confirm:
        raise HTTPException(400, Message("tick the box to confirm the purge"))
    if asked.older_than_days is not None and asked.older_than_days > MAX_DAYS:
        raise HTTPException(400, _problem())
    try:
        result = purge_store(
            engine_of(request),
            by=user.username,
            selector=asked.selector,
            older_than_days=asked.older_than_days,
            dry_run=dry_run,
            region=request.app.state.region,
            key=request_key(request) if asked.selector is not None else None,
        )
    except PurgeProblem:
        raise HTTPException(400, _problem()) from None
    return _done(result)


def _problem() -> Message:
    return Message(
        "this purge cannot be done: give an age of at least one day, or a phone number, an "
        "e-mail address or a handle written as platform:name"
    )


def _done(result: PurgeResult) -> PurgeDone:
    return PurgeDone(
        purge_id=result.purge_id,
        kind=result.kind,
        criteria=result.criteria,
        counts=result.counts,
        vacuumed=result.vacuumed,
    )


def _asked(kind: str, value: str, days: str, confirm: str | None) -> PurgeAsked:
    """The forms' fields as a purge: kind "age" with `days`, or a selector kind with `value`."""
    if kind == "age":
        if not days.strip().isdigit() or not 1 <= int(days) <= MAX_DAYS:
            raise HTTPException(400, _problem())
        return PurgeAsked(selector=None, older_than_days=int(days), confirm=bool(confirm))
    if kind not in KINDS or not value.strip():
        raise HTTPException(400, _problem())
    selector = f"{kind}:{value.strip()}"
    return PurgeAsked(selector=selector, older_than_days=None, confirm=bool(confirm))


# --- Pages -------------------------------------------------------------------------------------


def _page(
    request: Request,
    user: auth.User,
    status_code: int = 200,
    *,
    page: int = 1,
    **extra: Any,
) -> HTMLResponse:
    shown = {"error": None, "done": None, "preview": None, "form": None, **extra}
    ctx = retention_context(request, page)
    return render(request, "admin_retention.html", user, status_code, ctx=ctx, **shown)


@router.get("/admin/retention", response_class=HTMLResponse, include_in_schema=False)
def retention_page(request: Request, user: AdminUser, page: Page = 1) -> HTMLResponse:
    """The retention age, the purge forms and the past purges."""
    return _page(request, user, page=page)


@router.post("/admin/retention/setting", include_in_schema=False)
def setting_form(
    request: Request,
    user: AdminUser,
    days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Save the retention age (empty: keep forever)."""
    value = days.strip()
    if value and not value.isdigit():
        return _page(request, user, 400, error=_bad_age())
    try:
        _save(request, user, int(value) if value else None)
    except HTTPException as refused:
        return _page(request, user, refused.status_code, error=refused.detail)
    return RedirectResponse("/admin/retention", status_code=303)


def _bad_age() -> Message:
    return Message("the retention age must be a whole number of days from 1 to 36500")


def _save(request: Request, user: auth.User, days: int | None) -> None:
    """Save the retention age; 400 when it is out of range."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise HTTPException(400, _bad_age())
    with engine_of(request).begin() as conn:
        retention.save_retention_setting(conn, days, by=user.username)


@router.post("/admin/retention/preview", response_class=HTMLResponse, include_in_schema=False)
def preview_form(
    request: Request,
    user: AdminUser,
    kind: Annotated[str, Form(max_length=10)] = "age",
    value: Annotated[str, Form(max_length=300)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """What a purge would remove; the page then offers to run it, with a confirmation box."""
    try:
        asked = _asked(kind, value, days, None)
        preview = _run(request, user, asked, dry_run=True)
    except HTTPException as refused:
        return _page(request, user, refused.status_code, error=refused.detail)
    form = {"kind": kind, "value": value.strip(), "days": days.strip()}
    return _page(request, user, preview=preview, form=form)


@router.post("/admin/retention/purge", response_class=HTMLResponse, include_in_schema=False)
def purge_form(
    request: Request,
    user: AdminUser,
    kind: Annotated[str, Form(max_length=10)] = "age",
    value: Annotated[str, Form(max_length=300)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
    confirm: Annotated[str | None, Form(max_length=10)] = None,
) -> HTMLResponse:
    """Run a purge the admin confirmed; the page shows what it removed."""
    try:
        done = _run(request, user, _asked(kind, value, days, confirm), dry_run=False)
    except HTTPException as refused:
        return _page(request, user, refused.status_code, error=refused.detail)
    return _page(request, user, done=done)


# --- JSON twins --------------------------------------------------------------------------------


@router.get("/api/admin/retention", tags=["admin"])
def retention_api(request: Request, _user: AdminUser, page: Page = 1) -> RetentionPage:
    """The retention age (web setting and settings file) and past purges, newest first (50 a
    page; a selector purge names its selector only by kind and keyed hash). Admins only."""
    return retention_context(request, page)


@router.post("/api/admin/retention/setting", tags=["admin"])
def setting_api(request: Request, user: AdminUser, body: RetentionSetting) -> RetentionSetting:
    """Save the retention age in days, 1 to 36500 (null: keep forever). 400: out of range."""
    _save(request, user, body.retention_days)
    return body


@router.post("/api/admin/retention/preview", tags=["admin"])
def preview_api(request: Request, user: AdminUser, body: PurgeAsked) -> PurgeDone:
    """Rows per table a purge would remove (`selector` "phone:...", "email:...",
    "handle:PLATFORM:NAME", or `older_than_days`); nothing changes. 400: not exactly one."""
    return _run(request, user, body, dry_run=True)


@router.post("/api/admin/retention/purge", tags=["admin"])
def purge_api(request: Request, user: AdminUser, body: PurgeAsked) -> PurgeDone:
    """Purge (with `confirm`: true), then vacuum; answers the rows removed per table and the
    purge's record id. 400: not confirmed, or not exactly one of selector and age."""
    return _run(request, user, body, dry_run=False)
