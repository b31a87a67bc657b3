"""The app factory: `create_app(settings or engine)` gives the FastAPI app `adtrace serve` runs."""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from adtrace import __version__
from adtrace.settings import Settings
from adtrace.store.engine import open_store
from adtrace.web.audit import install_audit
from adtrace.web.deps import LoginRequired, csrf_protect, optional_user, refuse_nul
from adtrace.web.head import HeadAsGet
from adtrace.web.jobs import MAX_UPLOAD_BYTES, ImportRunner
from adtrace.web.limits import BodyLimit
from adtrace.web.pages import render
from adtrace.web.routes import (
    admin,
    ads,
    casework,
    clusters,
    compare,
    dashboard,
    docs,
    escalations,
    exports,
    imports,
    retention,
    search,
    session,
)
from adtrace.web.security import SecurityHeaders
from adtrace.web.unavailable import store_unreachable


def create_app(source: Settings | Engine) -> FastAPI:
    """The web app over a store: pass the settings (the store is opened from `db`) or an engine."""
    if isinstance(source, Settings):
        engine = open_store(source.db, busy_timeout_ms=source.sqlite_busy_timeout_ms)
        region = source.region
    else:
        engine, region = source, "CA"
    app = FastAPI(
        title="adtrace",
        version=__version__,
        description="Search, read, compare and see clusters of ads. Every page has a JSON twin.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by routes/docs.py, behind the login
        dependencies=[Depends(refuse_nul), Depends(csrf_protect)],
    )
    app.state.engine = engine
    app.state.region = region
    install_audit(app, source)  # innermost middleware: sees the route, the user, the status
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimit, uploads={"/imports": MAX_UPLOAD_BYTES})
    static = resources.files("adtrace.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in (
        session,
        dashboard,
        search,
        ads,
        clusters,
        compare,
        docs,
        escalations,
        imports,
        casework,
        exports,
        admin,
        retention,
    ):
        app.include_router(module.router)
    # Browser imports: one worker thread; a stop rolls back the running import.
    app.state.import_runner = ImportRunner(engine, region=region)
    app.router.on_startup.append(app.state.import_runner.start)
    app.router.on_shutdown.append(app.state.import_runner.shutdown)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, store_unreachable)
    return app


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/openapi.json", "/healthz")


async def _login_required(request: Request, _exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    if request.headers.get("hx-request"):
        # htmx follows this header with a full-page navigation to the login form.
        return Response(status_code=401, headers={"HX-Redirect": "/login"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _wants_json(request) or request.url.path.startswith("/static/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    user = optional_user(request) if exc.status_code != 403 else None
    # A Message (or a plain msgid) stays a str here; error.html shows it translated.
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return render(
        request, "error.html", user, exc.status_code, status=exc.status_code, detail=detail
    )
