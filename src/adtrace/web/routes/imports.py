"""Importing from the browser: the list of imports with the upload form, the page of one import
(job or batch) with its progress, summary and rejected rows, undo; and their JSON twins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, BinaryIO, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import Connection, Engine

from adtrace.ingest.validate import storable
from adtrace.pipeline.ingest import IngestOptions
from adtrace.store import import_jobs
from adtrace.web.auth import User
from adtrace.web.deps import WRITER_ROLES, Conn, CurrentUser, WritingUser, store
from adtrace.web.i18n import Message
from adtrace.web.jobs import EXTENSIONS, ImportRunner, JobRequest
from adtrace.web.jobs import allowed_extension as extension_of
from adtrace.web.pages import Paging, render

router = APIRouter()

IMPORTS_PER_PAGE: Final = 50
REJECTS_PER_PAGE: Final = 50
RAW_SHOWN: Final = 300
"""Characters of a rejected row shown on the page (the CLI's `adtrace import rejects` shows all)."""
COPY_CHUNK: Final = 1024 * 1024
ACTIVE: Final = ("queued", "running")

Page = Annotated[int, Query(ge=1, le=1_000_000)]


class ImportItem(BaseModel):
    """One import in the list: a batch (from the CLI or the browser) or a browser job."""

    job_id: int | None
    batch_id: int | None
    dataset: str
    source: str
    when: datetime
    status: str
    counts: dict[str, int]
    created_by: str | None
    undone_at: datetime | None
    undone_by: str | None
    href: str


class ImportsPage(BaseModel):
    """What /imports shows (and /api/imports returns)."""

    imports: list[ImportItem]
    paging: Paging
    extensions: list[str]
    max_upload_mb: int
    can_upload: bool
    error: str | None = None


class JobInfo(BaseModel):
    """A browser job: who sent which file, when, and where it is."""

    job_id: int
    filename: str
    site: str | None
    dataset: str
    status: str
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    already_imported: bool
    phase: str | None
    rows_read: int | None


class BatchInfo(BaseModel):
    """The batch an import made."""

    batch_id: int
    dataset: str
    source: str
    format: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    undone_at: datetime | None


class RejectRow(BaseModel):
    """A rejected row: line, field, reason, and the row as read (cut after RAW_SHOWN chars)."""

    line: int
    field: str
    reason: str
    raw: str
    raw_cut: bool


class ImportPage(BaseModel):
    """What the page of one import shows (and /api/imports/jobs/{id} or /batches/{id} returns)."""

    job: JobInfo | None
    batch: BatchInfo | None
    status: str
    finished: bool
    counts: dict[str, int]
    undone_by: str | None
    undone_at: datetime | None
    can_undo: bool
    rejects: list[RejectRow]
    rejects_paging: Paging
    message: str | None = None


def runner_of(request: Request) -> ImportRunner:
    """The app's import runner."""
    runner: ImportRunner = request.app.state.import_runner
    return runner


Runner = Annotated[ImportRunner, Depends(runner_of)]


def imports_context(
    conn: Connection, runner: ImportRunner, user: User, page: int, error: str | None = None
) -> ImportsPage:
    """The list of every import (newest first) and what the upload form needs."""
    rows = import_jobs.list_imports(conn)
    paging = Paging(page=page, per_page=IMPORTS_PER_PAGE, total=len(rows))
    return ImportsPage(
        imports=[_item(r) for r in rows[paging.offset : paging.offset + paging.per_page]],
        paging=paging,
        extensions=list(EXTENSIONS),
        max_upload_mb=runner.max_upload_bytes // (1024 * 1024),
        can_upload=user.role in WRITER_ROLES,
        error=error,
    )


def _item(row: import_jobs.ImportRow) -> ImportItem:
    href = (
        f"/imports/jobs/{row.job_id}"
        if row.job_id is not None
        else f"/imports/batches/{row.batch_id}"
    )
    return ImportItem(
        job_id=row.job_id,
        batch_id=row.batch_id,
        dataset=row.dataset,
        source=row.source,
        when=row.when,
        status=row.status,
        counts=row.counts,
        created_by=row.created_by,
        undone_at=row.undone_at,
        undone_by=row.undone_by,
        href=href,
    )


def job_context(
    conn: Connection, runner: ImportRunner, user: User, job_id: int, page: int
) -> ImportPage:
    """The page of a browser job; 404 when there is none."""
    job = import_jobs.get_job(conn, job_id)
    if job is None:
        raise HTTPException(404, Message("there is no import job %(id)s", id=job_id))
    batch = None if job.batch_id is None else import_jobs.get_batch(conn, job.batch_id)
    return _import_page(conn, runner, user, job, batch, page)


def batch_context(
    conn: Connection, runner: ImportRunner, user: User, batch_id: int, page: int
) -> ImportPage:
    """The page of a batch (and of the job that made it, if any); 404 when there is none."""
    batch = import_jobs.get_batch(conn, batch_id)
    if batch is None:
        raise HTTPException(404, Message("there is no import batch %(id)s", id=batch_id))
    job = import_jobs.job_of_batch(conn, batch_id)
    return _import_page(conn, runner, user, job, batch, page)


def _import_page(
    conn: Connection,
    runner: ImportRunner,
    user: User,
    job: import_jobs.ImportJob | None,
    batch: dict[str, Any] | None,
    page: int,
) -> ImportPage:
    status = _status(job, batch)
    batch_id = None if batch is None else int(batch["batch_id"])
    total = 0 if batch_id is None else import_jobs.count_rejects(conn, batch_id)
    paging = Paging(page=page, per_page=REJECTS_PER_PAGE, total=total)
    rows = (
        []
        if batch_id is None
        else import_jobs.page_rejects(conn, batch_id, paging.per_page, paging.offset)
    )
    undone_by = None if job is None else job.counts.get("undone_by")
    return ImportPage(
        job=None if job is None else _job_info(job, runner),
        batch=None if batch is None else _batch_info(batch),
        status=status,
        finished=status not in ACTIVE,
        counts=_counts(job, batch),
        undone_by=None if undone_by is None else str(undone_by),
        undone_at=None if batch is None else import_jobs.as_utc(batch["undone_at"]),
        can_undo=user.role in WRITER_ROLES
        and batch is not None
        and batch["status"] == "complete"
        and status != "undone",
        rejects=[_reject(r) for r in rows],
        rejects_paging=paging,
    )


def _status(job: import_jobs.ImportJob | None, batch: dict[str, Any] | None) -> str:
    if batch is not None and batch["status"] == "undone":
        return "undone"
    if job is not None:
        return job.status
    return "unknown" if batch is None else str(batch["status"])


def _counts(job: import_jobs.ImportJob | None, batch: dict[str, Any] | None) -> dict[str, int]:
    if job is not None and job.counts.get("already_imported"):
        return {k: int(job.counts[k]) for k in import_jobs.COUNT_NAMES if k in job.counts}
    if batch is not None:
        return {k: int(batch[f"rows_{k}"]) for k in import_jobs.COUNT_NAMES}
    return {}


def _job_info(job: import_jobs.ImportJob, runner: ImportRunner) -> JobInfo:
    progress = runner.progress(job.job_id) if job.status in ACTIVE else None
    return JobInfo(
        job_id=job.job_id,
        filename=job.filename,
        site=job.site,
        dataset=job.dataset,
        status=job.status,
        error=job.error,
        created_by=job.created_by,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        already_imported=bool(job.counts.get("already_imported")),
        phase=None if progress is None else progress.phase,
        rows_read=None if progress is None else progress.rows,
    )


def _batch_info(batch: dict[str, Any]) -> BatchInfo:
    return BatchInfo(
        batch_id=int(batch["batch_id"]),
        dataset=str(batch["dataset"]),
        source=str(batch["source"]),
        format=str(batch["format"]),
        status=str(batch["status"]),
        started_at=import_jobs.as_utc(batch["started_at"]) or datetime.min,
        finished_at=import_jobs.as_utc(batch["finished_at"]),
        undone_at=import_jobs.as_utc(batch["undone_at"]),
    )


def _reject(row: dict[str, Any]) -> RejectRow:
    raw = str(row["raw"])
    return RejectRow(
        line=int(row["line"]),
        field=str(row["field"]),
        reason=str(row["reason"]),
        raw=raw[:RAW_SHOWN],
        raw_cut=len(raw) > RAW_SHOWN,
    )


# --- pages -----------------------------------------------------------------------------------


@router.get("/imports", response_class=HTMLResponse, include_in_schema=False)
def imports_page(
    request: Request, conn: Conn, user: CurrentUser, runner: Runner, page: Page = 1
) -> HTMLResponse:
    """Every import, and the upload form."""
    ctx = imports_context(conn, runner, user, page)
    return render(request, "imports.html", user, ctx=ctx, notice=None)


@router.get("/api/imports", tags=["imports"])
def imports_api(conn: Conn, user: CurrentUser, runner: Runner, page: Page = 1) -> ImportsPage:
    """Every import, newest first (paged): batches from the CLI and jobs from the browser."""
    return imports_context(conn, runner, user, page)


@router.get("/imports/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(
    request: Request, conn: Conn, user: CurrentUser, runner: Runner, job_id: int, page: Page = 1
) -> HTMLResponse:
    """A browser import: status (refreshing while it runs), summary, rejected rows, undo."""
    ctx = job_context(conn, runner, user, job_id, page)
    return render(request, "import_job.html", user, ctx=ctx, notice=None)


@router.get("/imports/jobs/{job_id}/status", response_class=HTMLResponse, include_in_schema=False)
def job_status(
    request: Request, conn: Conn, user: CurrentUser, runner: Runner, job_id: int, page: Page = 1
) -> HTMLResponse:
    """The status part of the job page (htmx polls it every second while the job runs)."""
    ctx = job_context(conn, runner, user, job_id, page)
    return render(request, "_import_job_status.html", user, ctx=ctx, notice=None)


@router.get("/api/imports/jobs/{job_id}", tags=["imports"])
def job_api(
    conn: Conn, user: CurrentUser, runner: Runner, job_id: int, page: Page = 1
) -> ImportPage:
    """A browser import: status and progress, counts, rejected rows (paged)."""
    return job_context(conn, runner, user, job_id, page)


@router.get("/imports/batches/{batch_id}", response_class=HTMLResponse, include_in_schema=False)
def batch_page(
    request: Request, conn: Conn, user: CurrentUser, runner: Runner, batch_id: int, page: Page = 1
) -> HTMLResponse:
    """An import batch (from the CLI or the browser): summary, rejected rows, undo."""
    ctx = batch_context(conn, runner, user, batch_id, page)
    return render(request, "import_job.html", user, ctx=ctx, notice=None)


@router.get("/api/imports/batches/{batch_id}", tags=["imports"])
def batch_api(
    conn: Conn, user: CurrentUser, runner: Runner, batch_id: int, page: Page = 1
) -> ImportPage:
    """An import batch: counts, status, rejected rows (paged)."""
    return batch_context(conn, runner, user, batch_id, page)


# --- upload ----------------------------------------------------------------------------------


class UploadRefused(Exception):
    """The upload cannot become a job; `message` is one sentence for the user."""

    def __init__(self, message: Message, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@router.post("/imports", response_class=HTMLResponse, include_in_schema=False)
def upload(
    request: Request,
    user: WritingUser,
    runner: Runner,
    engine: Annotated[Engine, Depends(store)],
    file: Annotated[UploadFile | None, File()] = None,
    site: Annotated[str, Form(max_length=200)] = "",
    dataset: Annotated[str, Form(max_length=200)] = "",
    tz: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Take an uploaded file, queue its import, and go to the job's page (303)."""
    try:
        job_id = _queue(runner, engine, user, file, site.strip(), dataset.strip(), tz.strip())
    except UploadRefused as refused:
        with engine.connect() as conn:
            ctx = imports_context(conn, runner, user, 1, error=str(refused.message))
        return render(
            request, "imports.html", user, refused.status_code, ctx=ctx, notice=refused.message
        )
    return RedirectResponse(f"/imports/jobs/{job_id}", status_code=303)


def _queue(
    runner: ImportRunner,
    engine: Engine,
    user: User,
    upload: UploadFile | None,
    site: str,
    dataset: str,
    tz: str,
) -> int:
    """Check the upload, record the job, copy the file into the runner's folder, queue it."""
    upload, shown, extension = _checked(runner, engine, upload, tz)
    options = IngestOptions(
        site=site or None, dataset=dataset or _stem(shown, extension)[:200], tz=tz or None
    )
    with engine.begin() as conn:
        job_id = import_jobs.create_job(
            conn,
            filename=shown,
            dataset=options.dataset or "",
            site=options.site,
            created_by=user.username,
        )
    path = runner.upload_path(job_id, extension)
    if not _save(upload.file, path, runner.max_upload_bytes):
        path.unlink(missing_ok=True)
        message = _too_big(shown, runner.max_upload_bytes // (1024 * 1024))
        with engine.begin() as conn:
            import_jobs.fail_job(conn, job_id, str(message))
        raise UploadRefused(message, 413)
    runner.submit(JobRequest(job_id, path, shown, options))
    return job_id


def _checked(
    runner: ImportRunner, engine: Engine, upload: UploadFile | None, tz: str
) -> tuple[UploadFile, str, str]:
    """The upload, its name for display and its extension; UploadRefused says what is wrong."""
    if upload is None or not upload.filename:
        raise UploadRefused(Message("Choose a file to import."))
    shown = storable(upload.filename)[:255]
    extension = extension_of(upload.filename)
    if extension is None:
        listed = ", ".join(EXTENSIONS)
        refusal = Message(
            "%(name)s is not a file adtrace imports: use %(list)s.", name=shown, list=listed
        )
        raise UploadRefused(refusal, 415)
    limit_mb = runner.max_upload_bytes // (1024 * 1024)
    if upload.size is not None and upload.size > runner.max_upload_bytes:
        raise UploadRefused(_too_big(shown, limit_mb), 413)
    if tz and not _known_zone(tz):
        refusal = Message(
            "%(tz)s is not a time zone: use a name like America/Toronto, or leave it empty.", tz=tz
        )
        raise UploadRefused(refusal)
    if runner.busy() and engine.dialect.name == "sqlite":
        # SQLite has one writer: this job's row would wait for the running import to commit.
        busy = Message("Another import is running: send this file when it has finished.")
        raise UploadRefused(busy, 409)
    return upload, shown, extension


def _too_big(shown: str, limit_mb: int) -> Message:
    return Message(
        "%(name)s is larger than %(mb)s MB: split it, or use adtrace ingest.",
        name=shown,
        mb=limit_mb,
    )


def _save(source: BinaryIO, path: Any, limit: int) -> bool:
    """Copy the upload to `path` (created private); False when it is larger than `limit`."""
    source.seek(0)
    written = 0
    with open(path, "xb") as out:
        path.chmod(0o600)
        while chunk := source.read(COPY_CHUNK):
            written += len(chunk)
            if written > limit:
                return False
            out.write(chunk)
    return True


def _stem(shown: str, extension: str) -> str:
    """The dataset name a file gives by default: its name without folders and extension."""
    base = shown.replace("\\", "/").rsplit("/", 1)[-1]
    return (base[: -len(extension)] if base.lower().endswith(extension) else base) or "upload"


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# --- undo ------------------------------------------------------------------------------------


@router.post(
    "/imports/batches/{batch_id}/undo", response_class=HTMLResponse, include_in_schema=False
)
def undo(
    request: Request,
    user: WritingUser,
    runner: Runner,
    engine: Annotated[Engine, Depends(store)],
    batch_id: int,
    confirm: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Undo an import in one transaction, then go back to its page (303)."""
    target = _back(back, batch_id)
    if confirm != "yes":
        message = Message("Tick the box to confirm that the import's ads are to be removed.")
        return _undo_refused(request, engine, runner, user, batch_id, target, message)
    try:
        with engine.begin() as conn:
            import_jobs.undo_import(conn, batch_id, user.username)
    except import_jobs.NotUndoable as refused:
        message = _refusal(refused)
        return _undo_refused(request, engine, runner, user, batch_id, target, message)
    return RedirectResponse(target, status_code=303)


def _refusal(refused: import_jobs.NotUndoable) -> Message:
    if refused.reason == "undone":
        return Message("This import was already undone: there is nothing left to remove.")
    if refused.reason == "missing":
        return Message("There is no import batch %(id)s.", id=refused.batch_id)
    return Message(
        "This import is %(status)s, not complete: it cannot be undone.", status=refused.status
    )


def _back(back: str, batch_id: int) -> str:
    """The page to return to: the job page the form came from, else the batch page."""
    prefix = "/imports/jobs/"
    if back.startswith(prefix) and back[len(prefix) :].isdigit():
        return back
    return f"/imports/batches/{batch_id}"


def _undo_refused(
    request: Request,
    engine: Engine,
    runner: ImportRunner,
    user: User,
    batch_id: int,
    target: str,
    message: Message,
) -> HTMLResponse:
    with engine.connect() as conn:
        if target.startswith("/imports/jobs/"):
            ctx = job_context(conn, runner, user, int(target.rsplit("/", 1)[-1]), 1)
        else:
            ctx = batch_context(conn, runner, user, batch_id, 1)
    ctx = ctx.model_copy(update={"message": str(message)})
    return render(request, "import_job.html", user, 409, ctx=ctx, notice=message)
