"""Login, logout, the interface language and the health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, text, update

from adtrace.store.schema import users
from adtrace.web import auth, i18n
from adtrace.web.deps import SESSION_COOKIE, CurrentUser, optional_user, store
from adtrace.web.i18n import Message
from adtrace.web.pages import render
from adtrace.web.security import LOGIN_CSRF_COOKIE, new_token

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no //host): never an open redirect."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_form(request: Request, target: str, error: str = "", status: int = 200) -> Response:
    token = new_token()
    response = render(
        request, "login.html", None, status, csrf=token, next=_safe_next(target), error=error
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_https(request)
    )
    return response


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(
    request: Request,
    user: Annotated[auth.User | None, Depends(optional_user)],
    next: str = "/",
) -> Response:
    """The login form (or straight on when already signed in)."""
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, next)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    engine: Annotated[Engine, Depends(store)],
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form()] = "/",
    lang: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Check the credentials; on success start a session and go on to `next`.

    With `lang` instead, this is the language switch of a signed-out page: it posts here because
    the login form's CSRF cookie is what protects a page without a session.
    """
    if lang:
        return _language_chosen(request, lang, next)
    with engine.begin() as conn:
        user_id = auth.authenticate(conn, username, password)
        token = None if user_id is None else auth.start_session(conn, user_id)
    if token is None:
        return _login_form(request, next, Message("Wrong user name or password."), 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=auth.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=_https(request),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, engine: Annotated[Engine, Depends(store)]) -> Response:
    """End the session (the CSRF check ran before this)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with engine.begin() as conn:
            auth.end_session(conn, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _language_chosen(request: Request, lang: str, target: str) -> Response:
    """Back to `target` (a path on this site) in `lang`, remembered by a cookie for a year."""
    if lang not in i18n.LOCALES:
        raise HTTPException(400, Message("the language must be one of %(langs)s", langs="en, fr"))
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        i18n.COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=_https(request),
    )
    return response


@router.post("/language", include_in_schema=False)
def language(
    request: Request,
    engine: Annotated[Engine, Depends(store)],
    user: CurrentUser,
    lang: Annotated[str, Form(max_length=10)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the interface language of the signed-in user (kept in users.locale and a cookie).
    A signed-out page's switch posts to /login instead (see `login`)."""
    if lang in i18n.LOCALES:
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.user_id == user.user_id).values(locale=lang))
    return _language_chosen(request, lang, next)


@router.get("/healthz", tags=["health"])
def healthz(engine: Annotated[Engine, Depends(store)]) -> dict[str, str]:
    """`{"status": "ok"}` when the store answers."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}
