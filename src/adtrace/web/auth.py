"""Users, roles, passwords, server-side sessions and sign-in throttling.

Passwords are hashed with argon2id (argon2-cffi's defaults). A session is a random token in an
HttpOnly, SameSite=Lax cookie; the store keeps only its SHA-256, with the user and the session's
CSRF token. `session_user` joins the users table on every request, so removing or disabling a
user, or changing their role, takes effect on their next request; removing and disabling also
delete the user's sessions at once.

Roles: `admin` (users, settings, retention, and everything an analyst does), `analyst` (case
work, exports, imports), `viewer` (reads; changes nothing, exports nothing). The last active admin
cannot be removed, disabled or demoted (`LastAdmin`), so a store never locks its admins out.

Throttling: failed sign-ins are kept in `login_failures` (a day, then pruned). At
`MAX_USER_FAILURES` failures for one user name, or `MAX_ADDRESS_FAILURES` from one address,
within `THROTTLE_WINDOW`, sign-in is refused until enough of them are older than the window. The
count is kept by the name as typed (case-folded), whether or not such a user exists, so the
refusal tells nothing about which names exist; a success clears the name's failures.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from adtrace.store.audit import record_event
from adtrace.store.schema import audit_log, login_failures, sessions, users
from adtrace.web.i18n import Message

ROLES: Final = ("admin", "analyst", "viewer")
SESSION_HOURS: Final = 12
DEMO_ADMIN: Final = "admin"
USERNAME_MAX: Final = 100
PASSWORD_MIN: Final = 12
PASSWORD_MAX: Final = 1000

MAX_USER_FAILURES: Final = 5
"""Failed sign-ins for one user name within THROTTLE_WINDOW before sign-in is refused: low enough
to stop guessing (5 tries per 15 minutes is 480 a day), high enough for typing mistakes."""
MAX_ADDRESS_FAILURES: Final = 20
"""Failed sign-ins from one address within THROTTLE_WINDOW (whatever the names) before it is
refused: stops one machine trying many names. Behind a reverse proxy every client has the proxy's
address unless the proxy's headers are trusted (uvicorn's --forwarded-allow-ips)."""
THROTTLE_WINDOW: Final = timedelta(minutes=15)
FAILURES_KEPT: Final = timedelta(days=1)

_hasher = PasswordHasher()


class AccountError(ValueError):
    """Something asked of the accounts that cannot be done: one sentence, in English as `str`
    (the CLI prints it) and translatable as `message` (the web pages show it)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class UnknownUser(AccountError):
    """There is no user of that name."""

    def __init__(self, username: str) -> None:
        super().__init__(Message("There is no user %(user)s.", user=username))


class LastAdmin(AccountError):
    """The change would leave the store without an active admin."""

    def __init__(self, username: str) -> None:
        super().__init__(
            Message(
                "%(user)s is the last active admin: make another user admin first.",
                user=username,
            )
        )


@dataclass(frozen=True, slots=True)
class User:
    """The signed-in user of a request, with the CSRF token of their session."""

    user_id: int
    username: str
    role: str
    csrf_token: str


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the admin pages and `adtrace user list` show them (never the hash)."""

    user_id: int
    username: str
    role: str
    created_at: datetime
    disabled_at: datetime | None
    last_sign_in: datetime | None


# --- Passwords ---------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; the string names its own parameters)."""
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> None:
    """Raise AccountError unless `password` is acceptable as a new password."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AccountError(
            Message(
                "A password has %(min)s to %(max)s characters (this one has %(n)s).",
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                n=len(password),
            )
        )


def new_password() -> str:
    """A random password of 16 characters (96 bits), shown once to whoever creates the user."""
    return secrets.token_urlsafe(12)


def check_username(username: str) -> None:
    """Raise AccountError unless `username` can name a user: 1 to 100 characters, no spaces at
    either end, no control or format characters (such as right-to-left overrides)."""
    if not username or len(username) > USERNAME_MAX or username != username.strip():
        raise AccountError(
            Message(
                "A user name has 1 to %(max)s characters and no spaces at either end.",
                max=USERNAME_MAX,
            )
        )
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in username):
        raise AccountError(Message("A user name cannot hold control or formatting characters."))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(Message("The role must be one of %(roles)s.", roles=", ".join(ROLES)))


# --- Users -------------------------------------------------------------------------------------


def add_user(conn: Connection, username: str, password: str, role: str = "analyst") -> int:
    """Create a user; returns the new id. AccountError (a ValueError) for an unknown role, a bad
    name or a name already taken. The password is not checked here (see check_new_password)."""
    _check_role(role)
    check_username(username)
    row = {
        "username": username,
        "password_hash": hash_password(password),
        "role": role,
        "created_at": datetime.now(UTC),
    }
    try:
        with conn.begin_nested():
            return int(conn.execute(insert(users).returning(users.c.user_id), row).scalar_one())
    except IntegrityError:
        raise AccountError(Message("The user name %(user)s is taken.", user=username)) from None


def list_users(conn: Connection) -> list[Account]:
    """Every user by name, with when they last signed in (from the audit log's sign-ins and
    their sessions, whichever is later; None when neither knows)."""
    rows = conn.execute(
        select(
            users.c.user_id,
            users.c.username,
            users.c.role,
            users.c.created_at,
            users.c.disabled_at,
        ).order_by(users.c.username)
    ).all()
    last = _last_sign_ins(conn)
    return [
        Account(
            int(r.user_id),
            r.username,
            r.role,
            _aware(r.created_at),
            None if r.disabled_at is None else _aware(r.disabled_at),
            last.get(r.username),
        )
        for r in rows
    ]


def get_account(conn: Connection, username: str) -> Account:
    """The user `username`; UnknownUser otherwise."""
    for account in list_users(conn):
        if account.username == username:
            return account
    raise UnknownUser(username)


def _last_sign_ins(conn: Connection) -> dict[str, datetime]:
    by_session = conn.execute(
        select(users.c.username, func.max(sessions.c.created_at))
        .join(sessions, sessions.c.user_id == users.c.user_id)
        .group_by(users.c.username)
    ).all()
    by_audit = conn.execute(
        select(audit_log.c.username, func.max(audit_log.c.at))
        .where(audit_log.c.action == "sign_in", audit_log.c.username.is_not(None))
        .group_by(audit_log.c.username)
    ).all()
    found: dict[str, datetime] = {}
    for name, at in [*by_session, *by_audit]:
        if at is not None:
            at = _aware(at)
            found[name] = max(found.get(name, at), at)
    return found


def username_of(conn: Connection, user_id: int) -> str:
    """The name of the user `user_id`; UnknownUser otherwise."""
    found = conn.execute(select(users.c.username).where(users.c.user_id == user_id)).scalar()
    if found is None:
        raise UnknownUser(f"#{user_id}")
    return str(found)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _user_row(conn: Connection, username: str, *, lock: bool = False) -> tuple[int, str, bool]:
    query = select(users.c.user_id, users.c.role, users.c.disabled_at).where(
        users.c.username == username
    )
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise UnknownUser(username)
    return int(row.user_id), str(row.role), row.disabled_at is None


def active_admins(conn: Connection, *, lock: bool = False) -> list[str]:
    """The names of the admins who are not disabled (locked FOR UPDATE on PostgreSQL when
    `lock`, so two admins demoting each other at once cannot both succeed)."""
    query = select(users.c.username).where(users.c.role == "admin", users.c.disabled_at.is_(None))
    return list(conn.execute(query.with_for_update() if lock else query).scalars())


def _keep_an_admin(conn: Connection, username: str) -> None:
    """LastAdmin when `username` is the only active admin."""
    if active_admins(conn, lock=True) == [username]:
        raise LastAdmin(username)


def remove_user(conn: Connection, username: str) -> None:
    """Remove the user and end their sessions at once. What they did stays recorded under their
    name (case work, exports, the audit log)."""
    user_id, _role, _active = _user_row(conn, username, lock=True)
    _keep_an_admin(conn, username)
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
    conn.execute(delete(users).where(users.c.user_id == user_id))


def set_role(conn: Connection, username: str, role: str) -> None:
    """Give the user `role`; their open sessions have it from their next request."""
    _check_role(role)
    user_id, _old, _active = _user_row(conn, username, lock=True)
    if role != "admin":
        _keep_an_admin(conn, username)
    conn.execute(update(users).where(users.c.user_id == user_id).values(role=role))


def set_disabled(conn: Connection, username: str, disabled: bool) -> None:
    """Disable the user (they cannot sign in; their sessions end now) or enable them again."""
    user_id, _role, active = _user_row(conn, username, lock=True)
    if not disabled:
        conn.execute(update(users).where(users.c.user_id == user_id).values(disabled_at=None))
        return
    _keep_an_admin(conn, username)
    if active:
        moment = datetime.now(UTC)
        conn.execute(update(users).where(users.c.user_id == user_id).values(disabled_at=moment))
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


def set_password(conn: Connection, username: str, password: str) -> None:
    """Set the user's password (checked by check_new_password) and end every session of theirs."""
    check_new_password(password)
    user_id, _role, _active = _user_row(conn, username)
    conn.execute(
        update(users)
        .where(users.c.user_id == user_id)
        .values(password_hash=hash_password(password))
    )
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


def change_own_password(conn: Connection, user: User, current: str, new: str) -> bool:
    """The signed-in `user` changes their password: False when `current` is wrong (nothing
    changes); AccountError when `new` is not acceptable. Their other sessions end; this one
    stays."""
    stored = conn.execute(
        select(users.c.password_hash).where(users.c.user_id == user.user_id)
    ).scalar_one_or_none()
    if stored is None or not check_password(stored, current):
        return False
    check_new_password(new)
    conn.execute(
        update(users)
        .where(users.c.user_id == user.user_id)
        .values(password_hash=hash_password(new))
    )
    conn.execute(
        delete(sessions).where(
            sessions.c.user_id == user.user_id, sessions.c.csrf_token != user.csrf_token
        )
    )
    return True


_DUMMY_HASH: Final = hash_password(secrets.token_urlsafe(16))
"""Checked against when the user does not exist, so a login takes as long either way."""


def authenticate(conn: Connection, username: str, password: str) -> int | None:
    """The id of the enabled user with these credentials, or None.

    A password is checked against a dummy hash when the user does not exist (or is disabled),
    so the time taken does not tell which user names exist.
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


# --- Sign-in throttling ------------------------------------------------------------------------


def _failure_key(username: str) -> str:
    """What failures are counted under: the name as typed, case-folded (so `Admin` and `admin`
    share a count), cut to the column's width."""
    return username.strip().casefold()[:USERNAME_MAX]


def sign_in_refused(conn: Connection, username: str, address: str) -> bool:
    """Whether sign-in is refused now for this name or this address (too many recent
    failures). Says the same for a name that exists and one that does not."""
    since = datetime.now(UTC) - THROTTLE_WINDOW
    count = select(func.count()).select_from(login_failures).where(login_failures.c.at > since)
    by_name = conn.execute(
        count.where(login_failures.c.username == _failure_key(username))
    ).scalar_one()
    if by_name >= MAX_USER_FAILURES:
        return True
    by_address = conn.execute(count.where(login_failures.c.address == address[:64])).scalar_one()
    return bool(by_address >= MAX_ADDRESS_FAILURES)


def record_failure(conn: Connection, username: str, address: str) -> None:
    """Remember a failed sign-in; failures older than a day are pruned on the way."""
    now = datetime.now(UTC)
    conn.execute(delete(login_failures).where(login_failures.c.at < now - FAILURES_KEPT))
    conn.execute(
        insert(login_failures),
        {"username": _failure_key(username), "address": address[:64], "at": now},
    )


def clear_failures(conn: Connection, username: str) -> None:
    """Forget the failed sign-ins of this name (after it signed in)."""
    conn.execute(delete(login_failures).where(login_failures.c.username == _failure_key(username)))


# --- The audit log ------------------------------------------------------------------------------


def record_account_event(
    conn: Connection,
    action: str,
    *,
    by: str | None,
    username: str | None,
    address: str | None = None,
    **details: str,
) -> None:
    """Append an account event to the audit log, in the caller's transaction: `sign_in`,
    `sign_in_failed`, `sign_in_refused` (throttled), `user_add`, `user_remove`, `user_role`,
    `user_disable`, `user_enable`, `user_password`, `password_change`. `by` is who acted (None:
    not signed in, or the command line), `username` whom it concerns. Never a password."""
    record_event(
        conn,
        username=by,
        action=action,
        target=None if username is None else f"user:{username}",
        details=dict(details),
        address=address,
    )


def known_user(conn: Connection, username: str) -> str | None:
    """`username` when such a user exists, else None: a failed sign-in is recorded under the
    name only when it names a user (a name typed by mistake may be a password)."""
    found = conn.execute(select(users.c.username).where(users.c.username == username)).scalar()
    return None if found is None else str(found)


# --- Sessions ----------------------------------------------------------------------------------


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
    """The enabled user of the unexpired session `token`, or None. The role is read from the
    users table on every call: a role change applies to the next request."""
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


# --- Start-up ----------------------------------------------------------------------------------


def has_active_admin(engine: Engine) -> bool:
    """Whether the store has an admin who is not disabled (production mode needs one)."""
    with engine.connect() as conn:
        return bool(active_admins(conn))


def ensure_demo_admin(engine: Engine) -> str | None:
    """Create the user `admin` with a random password when the store has no user at all.

    Returns the password (shown once by the caller, never stored in clear) or None when users
    already exist. For the demo only: production mode never calls this (see cli/serve.py).
    """
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(users)).scalar_one():
            return None
        password = new_password()
        add_user(conn, DEMO_ADMIN, password, role="admin")
    return password
