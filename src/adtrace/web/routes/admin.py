"""Users administration (admins only; 403 for anyone else): list, add with a generated password
shown once, change role, disable and enable, reset the password, remove. Every page action has a
JSON twin under /api/admin/ (send the session's CSRF token as the X-CSRF-Token header).

The rules are `adtrace.web.auth`'s: removing or disabling a user ends their sessions at once, a
role change applies to their next request, and the last active admin cannot be removed,
disabled or demoted (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Final

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from adtrace.web import auth
from adtrace.web.deps import AdminUser, Conn
from adtrace.web.deps import store as engine_of
from adtrace.web.i18n import Message
from adtrace.web.pages import Paging, render
from adtrace.web.routes.session import client_address

router = APIRouter()

USERS_PER_PAGE: Final = 50
Page = Annotated[int, Query(ge=1, le=1_000_000)]
UserId = Annotated[int, Path(ge=1, le=2**53)]


class UsersPage(BaseModel):
    """What /admin/users shows (and /api/admin/users returns): users by name, paged."""

    users: list[auth.Account]
    paging: Paging
    roles: list[str]
    active_admins: int


class NewUser(BaseModel):
    """A user to add (JSON twin of the add form)."""

    username: str = Field(max_length=auth.USERNAME_MAX)
    role: str = Field("analyst", max_length=20)


class RoleChange(BaseModel):
    """A new role (JSON twin of the role form)."""

    role: str = Field(max_length=20)


class OneTimePassword(BaseModel):
    """A user and the password just generated for them: shown once, never stored in clear."""

    user_id: int
    username: str
    role: str
    password: str


class Done(BaseModel):
    """The user after a change (None once removed)."""

    user: auth.Account | None


def users_context(conn: Connection, page: int) -> UsersPage:
    """One page of users, by name."""
    everyone = auth.list_users(conn)
    paging = Paging(page=page, per_page=USERS_PER_PAGE, total=len(everyone))
    shown = everyone[paging.offset : paging.offset + paging.per_page]
    return UsersPage(
        users=list(shown),
        paging=paging,
        roles=list(auth.ROLES),
        active_admins=len(auth.active_admins(conn)),
    )


def _status_of(problem: auth.AccountError) -> int:
    if isinstance(problem, auth.UnknownUser):
        return 404
    return 409 if isinstance(problem, auth.LastAdmin) else 400


Change = Callable[[Connection, str], None]


@dataclass(frozen=True, slots=True)
class Action:
    """A change to one user, as the audit log records it (`user_role` with the new role...)."""

    name: str
    change: Change
    details: dict[str, str] = field(default_factory=dict)


def _apply(request: Request, by: auth.User, user_id: int, action: Action) -> str:
    """Run `action` on the user `user_id` and record it in one transaction; returns their name.
    Raises HTTPException (404, 409, 400) with a translatable message when it cannot be done."""
    try:
        with engine_of(request).begin() as conn:
            username = auth.username_of(conn, user_id)
            action.change(conn, username)
            auth.record_account_event(
                conn,
                action.name,
                by=by.username,
                username=username,
                address=client_address(request),
                **action.details,
            )
    except auth.AccountError as problem:
        raise HTTPException(_status_of(problem), problem.message) from None
    return username


def _add(request: Request, by: auth.User, username: str, role: str) -> OneTimePassword:
    password, name = auth.new_password(), username.strip()
    try:
        with engine_of(request).begin() as conn:
            user_id = auth.add_user(conn, name, password, role)
            auth.record_account_event(
                conn,
                "user_add",
                by=by.username,
                username=name,
                address=client_address(request),
                role=role,
            )
    except auth.AccountError as problem:
        raise HTTPException(_status_of(problem), problem.message) from None
    return OneTimePassword(user_id=user_id, username=name, role=role, password=password)


def _reset(request: Request, by: auth.User, user_id: int) -> OneTimePassword:
    password = auth.new_password()
    action = Action("user_password", lambda conn, name: auth.set_password(conn, name, password))
    username = _apply(request, by, user_id, action)
    with engine_of(request).connect() as conn:
        role = auth.get_account(conn, username).role
    return OneTimePassword(user_id=user_id, username=username, role=role, password=password)


def _role(role: str) -> Action:
    return Action("user_role", lambda conn, name: auth.set_role(conn, name, role), {"role": role})


DISABLE: Final = Action("user_disable", lambda conn, name: auth.set_disabled(conn, name, True))
ENABLE: Final = Action("user_enable", lambda conn, name: auth.set_disabled(conn, name, False))
REMOVE: Final = Action("user_remove", auth.remove_user)


def _done(request: Request, username: str | None) -> Done:
    if username is None:
        return Done(user=None)
    with engine_of(request).connect() as conn:
        return Done(user=auth.get_account(conn, username))


# --- Pages -------------------------------------------------------------------------------------


def _page(
    request: Request,
    user: auth.User,
    status_code: int = 200,
    *,
    created: OneTimePassword | None = None,
    error: Message | None = None,
    page: int = 1,
) -> HTMLResponse:
    with engine_of(request).connect() as conn:
        ctx = users_context(conn, page)
    return render(
        request, "admin_users.html", user, status_code, ctx=ctx, created=created, error=error
    )


def _back() -> Response:
    return RedirectResponse("/admin/users", status_code=303)


def _form_change(request: Request, user: auth.User, user_id: int, action: Action) -> Response:
    """A form's change, then back to the list; the list again with the reason when refused."""
    try:
        _apply(request, user, user_id, action)
    except HTTPException as refused:
        if refused.status_code == 404:
            raise
        return _page(request, user, refused.status_code, error=_reason(refused))
    return _back()


def _reason(refused: HTTPException) -> Message | None:
    return refused.detail if isinstance(refused.detail, Message) else None


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(request: Request, user: AdminUser, page: Page = 1) -> HTMLResponse:
    """The users: role, created, disabled, last sign-in; forms to add and change them."""
    return _page(request, user, page=page)


@router.post("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def add_form(
    request: Request,
    user: AdminUser,
    username: Annotated[str, Form(max_length=auth.USERNAME_MAX + 20)] = "",
    role: Annotated[str, Form(max_length=20)] = "analyst",
) -> HTMLResponse:
    """Add a user with a generated password, shown once on the page that answers."""
    try:
        created = _add(request, user, username, role)
    except HTTPException as refused:
        return _page(request, user, refused.status_code, error=_reason(refused))
    return _page(request, user, created=created)


@router.post("/admin/users/{user_id}/role", include_in_schema=False)
def role_form(
    request: Request,
    user: AdminUser,
    user_id: UserId,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Change a user's role (applies to their next request)."""
    return _form_change(request, user, user_id, _role(role))


@router.post("/admin/users/{user_id}/disable", include_in_schema=False)
def disable_form(request: Request, user: AdminUser, user_id: UserId) -> Response:
    """Disable a user: they cannot sign in and their sessions end now."""
    return _form_change(request, user, user_id, DISABLE)


@router.post("/admin/users/{user_id}/enable", include_in_schema=False)
def enable_form(request: Request, user: AdminUser, user_id: UserId) -> Response:
    """Enable a disabled user again."""
    return _form_change(request, user, user_id, ENABLE)


@router.post("/admin/users/{user_id}/remove", include_in_schema=False)
def remove_form(request: Request, user: AdminUser, user_id: UserId) -> Response:
    """Remove a user (their sessions end now; what they did stays recorded under their name)."""
    return _form_change(request, user, user_id, REMOVE)


@router.post(
    "/admin/users/{user_id}/password", response_class=HTMLResponse, include_in_schema=False
)
def reset_form(request: Request, user: AdminUser, user_id: UserId) -> HTMLResponse:
    """Give a user a new generated password, shown once; their sessions end."""
    return _page(request, user, created=_reset(request, user, user_id))


# --- JSON twins --------------------------------------------------------------------------------


@router.get("/api/admin/users", tags=["admin"])
def users_api(conn: Conn, _user: AdminUser, page: Page = 1) -> UsersPage:
    """Users by name (50 a page): role, created, disabled, last sign-in. Admins only."""
    return users_context(conn, page)


@router.post("/api/admin/users", tags=["admin"])
def add_api(request: Request, user: AdminUser, body: NewUser) -> OneTimePassword:
    """Add a user; the answer holds the generated password (the only time it is shown). 400: bad
    name or role, or the name is taken."""
    return _add(request, user, body.username, body.role)


@router.post("/api/admin/users/{user_id}/role", tags=["admin"])
def role_api(request: Request, user: AdminUser, user_id: UserId, body: RoleChange) -> Done:
    """Change a user's role. 409: they are the last active admin."""
    name = _apply(request, user, user_id, _role(body.role))
    return _done(request, name)


@router.post("/api/admin/users/{user_id}/disable", tags=["admin"])
def disable_api(request: Request, user: AdminUser, user_id: UserId) -> Done:
    """Disable a user (sessions end now). 409: they are the last active admin."""
    name = _apply(request, user, user_id, DISABLE)
    return _done(request, name)


@router.post("/api/admin/users/{user_id}/enable", tags=["admin"])
def enable_api(request: Request, user: AdminUser, user_id: UserId) -> Done:
    """Enable a disabled user."""
    name = _apply(request, user, user_id, ENABLE)
    return _done(request, name)


@router.post("/api/admin/users/{user_id}/remove", tags=["admin"])
def remove_api(request: Request, user: AdminUser, user_id: UserId) -> Done:
    """Remove a user (sessions end now). 409: they are the last active admin."""
    _apply(request, user, user_id, REMOVE)
    return _done(request, None)


@router.post("/api/admin/users/{user_id}/password", tags=["admin"])
def reset_api(request: Request, user: AdminUser, user_id: UserId) -> OneTimePassword:
    """Give a user a new generated password (in the answer, shown once); their sessions end."""
    return _reset(request, user, user_id)
