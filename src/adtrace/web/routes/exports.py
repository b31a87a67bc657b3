"""Exports: a cluster or a case as CSV, JSON or a PDF report, redacted or not, handed out as a
download and recorded; the list of recorded exports and its JSON twin.

Exporting needs an analyst or an admin (`WritingUser`): an export takes personal data out of
the store, and viewers only read. Every export is recorded (who, when, what, the link run and
the SHA-256 of the bytes); anyone signed in may read that record.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy import Connection

from adtrace.export import make_export, record
from adtrace.export.exporting import SUBJECTS
from adtrace.export.formats import FORMATS
from adtrace.store import exports as export_store
from adtrace.web.deps import Conn, CurrentUser, WritingUser
from adtrace.web.deps import store as engine_of
from adtrace.web.i18n import Message
from adtrace.web.pages import PER_PAGE, Paging, render, request_locale

router = APIRouter()


class ExportsPage(BaseModel):
    """What /exports shows (and /api/exports returns): recorded exports, newest first."""

    exports: list[export_store.ExportRecord]
    paging: Paging
    subject: str | None
    subject_id: str | None


Page = Annotated[int, Query(ge=1, le=1_000_000)]
SubjectFilter = Annotated[str | None, Query(pattern="^(case|cluster)$")]
IdFilter = Annotated[str | None, Query(max_length=40)]


def exports_context(
    conn: Connection, page: int, subject: str | None, subject_id: str | None
) -> ExportsPage:
    """A page of recorded exports (optionally of one subject kind or one subject)."""
    total = export_store.count_exports(conn, subject=subject, subject_id=subject_id)
    paging = Paging(page=page, per_page=PER_PAGE, total=total)
    found = export_store.list_exports(
        conn, subject=subject, subject_id=subject_id, limit=PER_PAGE, offset=paging.offset
    )
    return ExportsPage(
        exports=found,
        paging=paging,
        subject=subject,
        subject_id=subject_id,
    )


@router.post("/exports", tags=["exports"])
def export_download(
    request: Request,
    user: WritingUser,
    subject: Annotated[str, Form(max_length=10)],
    subject_id: Annotated[str, Form(max_length=40)],
    format: Annotated[str, Form(max_length=10)],
    redact: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    """Export a cluster (`subject=cluster`, its id) or a case (`subject=case`, its number) as
    `format` csv, json or pdf; `redact` (any value) hides phones, e-mails, handles and names.
    Answers the file as a download and records the export (header `X-Export-Id`)."""
    if subject not in SUBJECTS:
        raise HTTPException(400, Message("unknown export subject: use cluster or case"))
    if format not in FORMATS:
        raise HTTPException(400, Message("unknown export format: use csv, json or pdf"))
    engine = engine_of(request)
    try:
        with engine.connect() as conn:
            made = make_export(
                conn,
                subject,
                subject_id.strip(),
                format,
                redacted=bool(redact),
                by=user.username,
                lang=request_locale(request),
            )
    except (LookupError, ValueError):
        raise HTTPException(404, Message("there is nothing to export under this id")) from None
    with engine.begin() as conn:
        export_id = record(conn, made)
    headers = {
        "Content-Disposition": f'attachment; filename="{made.filename}"',
        "X-Export-Id": str(export_id),
    }
    return Response(made.data, media_type=made.media_type, headers=headers)


@router.get("/exports", response_class=HTMLResponse, include_in_schema=False)
def exports_page(
    request: Request,
    conn: Conn,
    user: CurrentUser,
    page: Page = 1,
    subject: SubjectFilter = None,
    subject_id: IdFilter = None,
) -> HTMLResponse:
    """The recorded exports."""
    ctx = exports_context(conn, page, subject, subject_id)
    return render(request, "exports.html", user, ctx=ctx)


@router.get("/api/exports", tags=["exports"])
def exports_api(
    conn: Conn,
    _user: CurrentUser,
    page: Page = 1,
    subject: SubjectFilter = None,
    subject_id: IdFilter = None,
) -> ExportsPage:
    """Recorded exports, newest first: subject, format, redacted, link run, number of ads,
    SHA-256 of the bytes handed out, who and when."""
    return exports_context(conn, page, subject, subject_id)
