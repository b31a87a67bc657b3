"""The store cannot be reached (PostgreSQL stopped or restarting, network cut, SQLite locked past
its busy timeout): every request answers 503 with one clear sentence, never a traceback.

The engine bounds the wait (store/engine.py: a connect timeout) and pings each pooled connection
before use, so once the database is back the next request gets a fresh connection: the server
recovers by itself.
"""

from __future__ import annotations

import logging
from typing import Final

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError

from adtrace.web import i18n
from adtrace.web.pages import render

log = logging.getLogger(__name__)

UNREACHABLE: Final = i18n.N_("the database is not reachable: try again in a moment")
"""What the page and the JSON twin say (a msgid: the error page shows it translated)."""

RETRY_AFTER_S: Final = 5
"""The Retry-After a client gets (seconds)."""


def _cause(exc: OperationalError) -> str:
    """The driver's first line (never the statement or its parameters, which may hold a
    searched phone number)."""
    original = exc.orig if exc.orig is not None else exc
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0] if lines else ''}"


async def store_unreachable(request: Request, exc: Exception) -> Response:
    """503 for a request whose store call failed with an OperationalError."""
    assert isinstance(exc, OperationalError)
    log.error("store not reachable on %s %s: %s", request.method, request.url.path, _cause(exc))
    headers = {"Retry-After": str(RETRY_AFTER_S)}
    path = request.url.path
    if path == "/healthz":
        body = {"status": "unavailable", "detail": UNREACHABLE}
        return JSONResponse(body, status_code=503, headers=headers)
    if path.startswith(("/api/", "/static/")) or path == "/openapi.json":
        return JSONResponse({"detail": UNREACHABLE}, status_code=503, headers=headers)
    # The page is rendered without the store: signed out, in the browser's or cookie's language.
    request.state.user = None
    request.state.locale = i18n.choose_locale(
        None, request.cookies.get(i18n.COOKIE), request.headers.get("accept-language", "")
    )
    response = render(request, "error.html", None, 503, status=503, detail=UNREACHABLE)
    response.headers.update(headers)
    return response
