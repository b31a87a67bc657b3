"""/openapi.json and /docs (Swagger UI served from the app, no CDN), for signed-in users."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from adtrace.web.deps import CurrentUser
from adtrace.web.pages import render

router = APIRouter()


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, user: CurrentUser) -> HTMLResponse:
    """Swagger UI over /openapi.json (its files come from the npm package swagger-ui-dist)."""
    return render(request, "docs.html", user)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _user: CurrentUser) -> JSONResponse:
    """The OpenAPI description of the JSON API."""
    return JSONResponse(request.app.openapi())
