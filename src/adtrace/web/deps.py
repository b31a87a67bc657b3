"""FastAPI dependencies: the store connection, the signed-in user, the CSRF check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Final

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from adtrace.web import auth
from adtrace.web.i18n import Message
from adtrace.web.security import (
    LOGIN_CSRF_COOKIE,
    SAFE_METHODS,
    reject_csrf,
    sent_token,
    tokens_match,
)

SESSION_COOKIE: Final = "adtrace_session"
WRITER_ROLES: Final = ("admin", "analyst")


_UNKNOWN: Final = object()


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form, the API answers 401."""


def store(request: Request) -> Engine:
    """The app's store engine."""
    engine: Engine = request.app.state.engine
    return engine


def connection(engine: Annotated[Engine, Depends(store)]) -> Iterator[Connection]:
    """One read connection per request."""
    with engine.connect() as conn:
        yield conn


def _lookup_user(request: Request) -> auth.User | None:
    known = getattr(request.state, "user", _UNKNOWN)
    if known is None or isinstance(known, auth.User):
        return known
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        with store(request).connect() as conn:
            found = auth.session_user(conn, token)
    request.state.user = found
    return found


def optional_user(request: Request) -> auth.User | None:
    """The signed-in user, or None."""
    return _lookup_user(request)


def current_user(request: Request) -> auth.User:
    """The signed-in user; raises LoginRequired otherwise."""
    user = _lookup_user(request)
    if user is None:
        raise LoginRequired()
    return user


def writing_user(request: Request) -> auth.User:
    """The signed-in user, who must be allowed to change things (analyst or admin; a viewer
    gets 403)."""
    user = current_user(request)
    if user.role not in WRITER_ROLES:
        raise HTTPException(403, "your role can read but not change anything")
    return user


def admin_user(request: Request) -> auth.User:
    """The signed-in user, who must be an admin (others get 403)."""
    user = current_user(request)
    if user.role != "admin":
        raise HTTPException(403, Message("only an admin can do this"))
    return user


NUL_REFUSED: Final = Message(
    "A field holds a NUL character (U+0000), which adtrace does not store."
)


async def refuse_nul(request: Request) -> None:
    """400 for a NUL in the path, a query parameter, a form field (not a file) or a JSON body:
    PostgreSQL refuses NUL in text (a 500 from deep inside) and no field of adtrace needs one."""
    values = [request.url.path, *request.query_params.values()]
    kind = request.headers.get("content-type", "")
    if request.method not in SAFE_METHODS and kind.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        values += [value for value in form.values() if isinstance(value, str)]
    elif request.method not in SAFE_METHODS and kind.startswith("application/json"):
        body = (await request.body()).decode("utf-8", "replace")
        values.append(body.replace("\\u0000", "\x00"))
    if any("\x00" in value for value in values):
        raise HTTPException(400, NUL_REFUSED)


async def csrf_protect(request: Request) -> None:
    """Reject a state-changing request whose CSRF token is missing or wrong (app-wide)."""
    if request.method in SAFE_METHODS:
        return
    sent = await sent_token(request)
    if request.url.path == "/login":
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    else:
        user = await run_in_threadpool(_lookup_user, request)
        expected = None if user is None else user.csrf_token
    if not tokens_match(expected, sent):
        raise reject_csrf()


Conn = Annotated[Connection, Depends(connection)]
CurrentUser = Annotated[auth.User, Depends(current_user)]
WritingUser = Annotated[auth.User, Depends(writing_user)]
AdminUser = Annotated[auth.User, Depends(admin_user)]
