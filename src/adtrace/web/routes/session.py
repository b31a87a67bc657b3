"""Login (throttled), logout, the user's own account page, the interface language and the
health check."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, text, update

from adtrace.store.schema import users
from adtrace.web import auth, i18n
from adtrace.web.deps import SESSION_COOKIE, Conn, CurrentUser, optional_user, store
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
    """Cookies are Secure when the request came over https (directly, or through a proxy whose
    X-Forwarded-Proto uvicorn trusts: see docs/security.md)."""
    return request.url.scheme == "https"


def client_address(request: Request) -> str:
    """The client's address as the server saw it (the proxy's, behind an untrusted proxy)."""
    return request.client.host if request.client is not None else "unknown"


THROTTLED = Message(
    "Too many failed sign-ins: wait %(minutes)s minutes and try again.",
    minutes=int(auth.THROTTLE_WINDOW.total_seconds() // 60),
)
"""The same answer whether or not the user name exists."""


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
    refused, token = _sign_in(engine, username, password, client_address(request))
    if refused:
        response = _login_form(request, next, THROTTLED, 429)
        response.headers["Retry-After"] = str(int(auth.THROTTLE_WINDOW.total_seconds()))
        return response
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


def _sign_in(engine: Engine, username: str, password: str, address: str) -> tuple[bool, str | None]:
    """(refused by throttling, session token or None): a failure is recorded, a success clears
    the name's failures. A refused attempt checks no password and is not counted. Each outcome
    goes to the audit log (`sign_in`, `sign_in_failed`, `sign_in_refused`)."""
    with engine.begin() as conn:
        if auth.sign_in_refused(conn, username, address):
            _audit_failure(conn, "sign_in_refused", username, address)
            return True, None
        user_id = auth.authenticate(conn, username, password)
        if user_id is None:
            auth.record_failure(conn, username, address)
            _audit_failure(conn, "sign_in_failed", username, address)
            return False, None
        auth.clear_failures(conn, username)
        auth.record_account_event(conn, "sign_in", by=username, username=username, address=address)
        return False, auth.start_session(conn, user_id)


def _audit_failure(conn: Connection, action: str, username: str, address: str) -> None:
    auth.record_account_event(
        conn, action, by=None, username=auth.known_user(conn, username), address=address
    )


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


class AccountPage(BaseModel):
    """What /account shows (and /api/account returns): the signed-in user."""

    username: str
    role: str
    created_at: datetime
    last_sign_in: datetime | None
    password_min: int


def account_context(conn: Connection, user: auth.User) -> AccountPage:
    """The signed-in user's account."""
    found = auth.get_account(conn, user.username)
    return AccountPage(
        username=found.username,
        role=found.role,
        created_at=found.created_at,
        last_sign_in=found.last_sign_in,
        password_min=auth.PASSWORD_MIN,
    )


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(request: Request, conn: Conn, user: CurrentUser) -> HTMLResponse:
    """Your account: name, role, and the form to change your password."""
    ctx = account_context(conn, user)
    return render(request, "account.html", user, ctx=ctx, error=None, done=False)


@router.get("/api/account", tags=["account"])
def account_api(conn: Conn, user: CurrentUser) -> AccountPage:
    """The signed-in user: name, role, when created, last sign-in."""
    return account_context(conn, user)


@router.post("/account/password", response_class=HTMLResponse, include_in_schema=False)
def change_password(
    request: Request,
    engine: Annotated[Engine, Depends(store)],
    user: CurrentUser,
    current: Annotated[str, Form(max_length=auth.PASSWORD_MAX)] = "",
    new: Annotated[str, Form(max_length=auth.PASSWORD_MAX)] = "",
    repeat: Annotated[str, Form(max_length=auth.PASSWORD_MAX)] = "",
) -> HTMLResponse:
    """Change your own password (any role): the current one, the new one twice. Your other
    sessions end; this one stays."""
    address = client_address(request)
    with engine.begin() as conn:
        error, status = _password_changed(conn, user, address, (current, new, repeat))
        ctx = account_context(conn, user)
    return render(request, "account.html", user, status, ctx=ctx, error=error, done=not error)


class PasswordChange(BaseModel):
    """Your current password and the new one (JSON twin of the account page's form)."""

    current: str = Field(max_length=auth.PASSWORD_MAX)
    new: str = Field(max_length=auth.PASSWORD_MAX)


@router.post("/api/account/password", tags=["account"])
def change_password_api(
    request: Request,
    engine: Annotated[Engine, Depends(store)],
    user: CurrentUser,
    body: PasswordChange,
) -> AccountPage:
    """Change your own password; your other sessions end. 400: the current password is wrong
    (counted as a failed sign-in) or the new one is not 12 to 1000 characters; 429: too many
    failed sign-ins."""
    with engine.begin() as conn:
        given = (body.current, body.new, body.new)
        error, status = _password_changed(conn, user, client_address(request), given)
        ctx = account_context(conn, user)
    if error is not None:
        raise HTTPException(status, error)
    return ctx


def _password_changed(
    conn: Connection, user: auth.User, address: str, given: tuple[str, str, str]
) -> tuple[Message | None, int]:
    """(error or None, status). A wrong current password counts as a failed sign-in, so a
    stolen session cannot be used to guess the password."""
    current, new, repeat = given
    if auth.sign_in_refused(conn, user.username, address):
        return THROTTLED, 429
    if new != repeat:
        return Message("The two new passwords differ."), 400
    try:
        if auth.change_own_password(conn, user, current, new):
            auth.record_account_event(
                conn, "password_change", by=user.username, username=user.username, address=address
            )
            return None, 200
    except auth.AccountError as problem:
        return problem.message, 400
    auth.record_failure(conn, user.username, address)
    return Message("Your current password is wrong."), 400


@router.get("/healthz", tags=["health"])
def healthz(engine: Annotated[Engine, Depends(store)]) -> dict[str, str]:
    """`{"status": "ok"}` when the store answers."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}
