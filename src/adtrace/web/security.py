"""Security headers on every response and the CSRF check on every state-changing request.

CSRF: a signed-in session has its own random token, put in a meta tag on every page; the static
`app.js` sends it as the `X-CSRF-Token` header on every htmx request, and forms carry it as the
`csrf_token` field. Before login (the login form itself) the token is a random cookie repeated in
the form (double submit). GET, HEAD and OPTIONS never change anything and are not checked.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Final

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

DOCS_CSP: Final = CSP + "; img-src 'self' data:"
"""/docs only: Swagger UI's stylesheet draws its icons as data: images (nothing leaves the app)."""

HEADERS: Final = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER: Final = "x-csrf-token"
CSRF_FIELD: Final = "csrf_token"
LOGIN_CSRF_COOKIE: Final = "adtrace_login_csrf"

log = logging.getLogger(__name__)


class SecurityHeaders:
    """ASGI middleware adding HEADERS to every response, error 500s included; pages and the API
    are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        static = path.startswith("/static/")
        own = {**HEADERS, "content-security-policy": DOCS_CSP if path == "/docs" else CSP}

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode("latin-1").lower() not in HEADERS
                ]
                headers += [(k.encode(), v.encode()) for k, v in own.items()]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # An unhandled error: answer 500 here, with the headers (Starlette's own error
            # response would bypass this middleware), and log it for the operator.
            log.exception("unhandled error on %s %s", scope.get("method"), path)
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": b"Internal server error"})


def new_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(32)


async def sent_token(request: Request) -> str:
    """The CSRF token the request carries: the header, else the form field, else ''."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def tokens_match(expected: str | None, sent: str) -> bool:
    """Constant-time comparison; an empty or missing token never matches."""
    return bool(expected) and bool(sent) and hmac.compare_digest(str(expected), sent)


def reject_csrf() -> HTTPException:
    """The error a request with a missing or wrong CSRF token gets."""
    return HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
