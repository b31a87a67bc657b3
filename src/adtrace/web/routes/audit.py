"""The audit log for admins: /admin/audit (filtered, paged, newest first), its JSON twin and a
CSV export of the filtered log. Admin only (others get 403).

"Who searched this phone": the admin types the phone (or an e-mail, handle, name or words) and
its kind; the page hashes it exactly as searches were recorded (adtrace.web.audit.term_hashes)
and lists the events whose details hold every one of those hashes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Connection

from adtrace.export.formats import safe_cell
from adtrace.store import audit as audit_store
from adtrace.web.audit import request_key, term_hashes
from adtrace.web.deps import AdminUser, Conn
from adtrace.web.deps import store as engine_of
from adtrace.web.i18n import Message
from adtrace.web.pages import Paging, render

router = APIRouter()

PER_PAGE: Final = 50
CSV_CHUNK: Final = 1_000
CSV_MAX_ROWS: Final = 1_000_000
"""A CSV export stops after this many events (narrow the filters for more)."""
TERM_KINDS: Final = ("phone", "email", "handle", "name", "q")
"""What a looked-up term is read as (`q`: words of the free-text field)."""
CSV_COLUMNS: Final = ("event_id", "at", "username", "action", "target", "address", "details")


class AuditQuery(BaseModel):
    """The filters as sent (empty strings for unused ones)."""

    user: str = ""
    action: str = ""
    target: str = ""
    date_from: str = ""
    date_to: str = ""
    term: str = ""
    kind: str = "phone"
    page: int = 1


class AuditRow(BaseModel):
    """One event as the page and the API show it."""

    event_id: int
    at: datetime
    username: str | None
    action: str
    target: str | None
    address: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    """What /admin/audit shows (and /api/admin/audit returns)."""

    query: AuditQuery
    events: list[AuditRow]
    paging: Paging
    actions: list[str]
    kinds: list[str]
    term_hashes: list[str]


def audit_query(
    user: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    target: Annotated[str, Query(max_length=200)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    term: Annotated[str, Query(max_length=320)] = "",
    kind: Annotated[str, Query(pattern="^(phone|email|handle|name|q)$")] = "phone",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> AuditQuery:
    """The query string as an AuditQuery (one dependency for the page, the API and the CSV)."""
    return AuditQuery(
        user=user.strip(),
        action=action.strip(),
        target=target.strip(),
        date_from=date_from.strip(),
        date_to=date_to.strip(),
        term=term,
        kind=kind,
        page=page,
    )


Filters = Annotated[AuditQuery, Depends(audit_query)]


def audit_filter(request: Request, query: AuditQuery) -> tuple[audit_store.AuditFilter, list[str]]:
    """The store filter the query describes and the hashes of its term; 400 on a bad date."""
    hashes: list[str] = []
    if query.term.strip():
        region = request.app.state.region
        hashes = term_hashes(query.kind, query.term, request_key(request), region)
    until = _day(query.date_to, Message("the to date must be written YYYY-MM-DD"))
    where = audit_store.AuditFilter(
        username=query.user or None,
        action=query.action or None,
        target=query.target or None,
        since=_day(query.date_from, Message("the from date must be written YYYY-MM-DD")),
        until=None if until is None else until + timedelta(days=1),
        term_hashes=tuple(hashes),
    )
    return where, hashes


def _day(value: str, problem: Message) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
    except ValueError:
        raise HTTPException(400, problem) from None


def audit_context(request: Request, conn: Connection, query: AuditQuery) -> AuditPage:
    """One page of the filtered log, newest first."""
    where, hashes = audit_filter(request, query)
    total = audit_store.count_events(conn, where)
    paging = Paging(page=query.page, per_page=PER_PAGE, total=total)
    found = audit_store.list_events(conn, where, limit=PER_PAGE, offset=paging.offset)
    return AuditPage(
        query=query,
        events=[AuditRow(**_fields(e)) for e in found],
        paging=paging,
        actions=audit_store.actions(conn),
        kinds=list(TERM_KINDS),
        term_hashes=hashes,
    )


def _fields(event: audit_store.AuditEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "at": event.at,
        "username": event.username,
        "action": event.action,
        "target": event.target,
        "address": event.address,
        "details": event.details,
    }


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request, conn: Conn, user: AdminUser, query: Filters) -> HTMLResponse:
    """The audit log: filters, one page of events, newest first."""
    ctx = audit_context(request, conn, query)
    return render(request, "admin_audit.html", user, ctx=ctx)


@router.get("/api/admin/audit", tags=["audit"])
def audit_api(request: Request, conn: Conn, _user: AdminUser, query: Filters) -> AuditPage:
    """The audit log (admin only): who searched (terms as keyed hashes), viewed, exported and
    changed what; filter by user, action, target, dates (YYYY-MM-DD) and a term typed as
    written (phone, email, handle, name or q words: hashed like the searches); 50 a page."""
    return audit_context(request, conn, query)


@router.get("/admin/audit.csv", include_in_schema=False)
def audit_csv(request: Request, _user: AdminUser, query: Filters) -> StreamingResponse:
    """The filtered log as CSV (every page; cells a spreadsheet would run as formulas are
    neutralised), newest first."""
    where, _hashes = audit_filter(request, query)
    rows = _csv_lines(engine_of(request), where)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    headers = {"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'}
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8", headers=headers)


def _csv_lines(engine: Any, where: audit_store.AuditFilter) -> Iterator[bytes]:
    yield _csv_line(CSV_COLUMNS)
    with engine.connect() as conn:
        for n, event in enumerate(audit_store.iter_events(conn, where, chunk=CSV_CHUNK)):
            if n >= CSV_MAX_ROWS:
                return
            yield _csv_line(_csv_cells(event))


def _csv_cells(event: audit_store.AuditEvent) -> list[str]:
    import json

    return [
        str(event.event_id),
        event.at.isoformat(),
        event.username or "",
        event.action,
        event.target or "",
        event.address or "",
        json.dumps(event.details, sort_keys=True, ensure_ascii=False),
    ]


def _csv_line(cells: Any) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow([safe_cell(str(c)) for c in cells])
    return buffer.getvalue().encode("utf-8")
