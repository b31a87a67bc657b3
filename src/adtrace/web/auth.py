"""Users, passwords and server-side sessions.

Passwords are hashed with argon2id (argon2-cffi's defaults). A session is a random token in an
HttpOnly, SameSite=Lax cookie; the store keeps only its SHA-256, with the user and the session's
CSRF token, so removing a user or a session takes effect on the next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, delete, func, insert, select

from adtrace.store.schema import sessions, users

ROLES: Final = ("admin", "analyst", "viewer")
SESSION_HOURS: Final = 12
DEMO_ADMIN: Final = "admin"

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    """The signed-in user of a request, with the CSRF token of their session."""

    user_id: int
    username: str
    role: str
    csrf_token: str


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; the string names its own parameters)."""
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(conn: Connection, username: str, password: str, role: str = "analyst") -> int:
    """Create a user; returns the new id. Raises ValueError for an unknown role."""
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    row = {
        "username": username,
        "password_hash": hash_password(password),
        "role": role,
        "created_at": datetime.now(UTC),
    }
    return int(conn.execute(insert(users).returning(users.c.user_id), row).scalar_one())


_DUMMY_HASH: Final = hash_password(secrets.token_urlsafe(16))
"""Checked against when the user does not exist, so a login takes as long either way."""


def authenticate(conn: Connection, username: str, password: str) -> int | None:
    """The id of the enabled user with these credentials, or None.

    A password is checked against a dummy hash when the user does not exist, so the time taken
    does not tell which user names exist.
    """
    row = conn.execute(
        select(users.c.user_id, users.c.password_hash).where(
            users.c.username == username, users.c.disabled_at.is_(None)
        )
    ).first()
    if row is None:
        check_password(_DUMMY_HASH, password)
        return None
    return int(row.user_id) if check_password(row.password_hash, password) else None


def token_hash(token: str) -> str:
    """What the store keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(conn: Connection, user_id: int) -> str:
    """A new session for `user_id`; returns the token for the cookie (the store keeps its hash).
    Expired sessions of every user are removed on the way."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    conn.execute(delete(sessions).where(sessions.c.expires_at <= now))  # expired: no use left
    conn.execute(
        insert(sessions),
        {
            "session_hash": token_hash(token),
            "user_id": user_id,
            "csrf_token": secrets.token_urlsafe(32),
            "created_at": now,
            "expires_at": now + timedelta(hours=SESSION_HOURS),
        },
    )
    return token


def session_user(conn: Connection, token: str) -> User | None:
    """The enabled user of the unexpired session `token`, or None."""
    row = conn.execute(
        select(users.c.user_id, users.c.username, users.c.role, sessions.c.csrf_token)
        .join(users, users.c.user_id == sessions.c.user_id)
        .where(
            sessions.c.session_hash == token_hash(token),
            sessions.c.expires_at > datetime.now(UTC),
            users.c.disabled_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return User(int(row.user_id), row.username, row.role, row.csrf_token)


def end_session(conn: Connection, token: str) -> None:
    """Remove the session `token` (logout)."""
    conn.execute(delete(sessions).where(sessions.c.session_hash == token_hash(token)))


def ensure_demo_admin(engine: Engine) -> str | None:
    """Create the user `admin` with a random password when the store has no user at all.

    Returns the password (shown once by the caller, never stored in clear) or None when users
    already exist. For the demo only: issue 9's production mode never creates a default password.
    """
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(users)).scalar_one():
            return None
        password = secrets.token_urlsafe(12)
        add_user(conn, DEMO_ADMIN, password, role="admin")
    return password
