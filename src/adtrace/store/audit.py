"""The audit log: who searched, viewed, exported and changed what; append-only.

Rows go in `audit_log` (schema.py, migration 0008: triggers refuse UPDATE and DELETE on both
stores). Search terms and selector values never go in a row as such: callers put their keyed hash
(`keyed_hash`, HMAC-SHA-256) in `details`. The key is not in the database, so a copy of the store,
or what a purge leaves of it, cannot be brute-forced back to a 10-digit phone number: it comes
from the `secret_key` setting (`ADTRACE_SECRET_KEY`), else from a key file created with mode 0600
beside the SQLite store (`store.db` → `store.db.key`) or, for PostgreSQL, beside the settings file
(`adtrace.key`). Losing the key only means old hashes no longer match new searches.

Pure functions on a Connection; the caller owns the transaction (`with engine.begin()`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, Text, cast, func, insert, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from adtrace.store.schema import audit_log

log = logging.getLogger(__name__)

KEY_BYTES: Final = 32
MIN_SECRET_CHARS: Final = 32
KEY_FILE_SUFFIX: Final = ".key"
SERVER_KEY_FILE: Final = "adtrace.key"
"""The key file of a PostgreSQL (or in-memory) store: in the settings file's folder."""


class AuditKeyError(ValueError):
    """The audit key cannot be read or made; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One row of the audit log."""

    event_id: int
    at: datetime
    username: str | None
    action: str
    target: str | None
    details: dict[str, Any]
    address: str | None


def record_event(
    conn: Connection,
    *,
    username: str | None,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    address: str | None = None,
    at: datetime | None = None,
) -> int:
    """Append one event to the audit log; returns its id.

    `details` must hold no search term, selector value or password: hash such values with
    `keyed_hash` first. `target` names the object ("ad:17", "cluster:r2-62", "user:bob"). `at`:
    when it happened (default now).
    """
    row = {
        "at": at or datetime.now(UTC),
        "username": username,
        "action": action[:40],
        "target": None if target is None else target[:200],
        "details": details or {},
        "address": None if address is None else address[:64],
    }
    result = conn.execute(insert(audit_log).values(**row).returning(audit_log.c.event_id))
    return int(result.scalar_one())


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append (what `record_event` takes), stamped when it happened."""

    username: str | None
    action: str
    target: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    address: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def loggable(self) -> str:
        """The event as one JSON line for the error log (it holds only hashes and ids)."""
        return json.dumps(
            {
                "at": self.at.isoformat(),
                "username": self.username,
                "action": self.action,
                "target": self.target,
                "details": self.details,
                "address": self.address,
            },
            default=str,
            sort_keys=True,
        )


class AuditWriter:
    """Appends a busy app's events without making requests wait on the store.

    An event is written at once when the store takes it quickly (SQLite: the single writer is
    free within `quick_wait_ms`); otherwise (an import holds SQLite's write lock for its whole
    transaction, PostgreSQL is restarting) it is queued and a background thread retries, oldest
    first, until the store takes it. While events wait, new ones queue behind them, so the log
    keeps their order. An event still unwritten after `retry_seconds`, or when the queue holds
    `max_pending`, or at `close`, is logged at ERROR level whole (hashes and ids only) so it can
    be entered again: it is never dropped silently.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        quick_wait_ms: int = 250,
        retry_seconds: float = 900.0,
        max_pending: int = 100_000,
    ) -> None:
        self.engine = engine
        self.quick_wait_ms = quick_wait_ms
        self.retry_seconds = retry_seconds
        self.max_pending = max_pending
        self._pending: deque[NewEvent] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False

    def append(self, event: NewEvent) -> None:
        """Write `event` now, or queue it for the retry thread."""
        with self._cond:
            queued = bool(self._pending)
        if not queued:
            try:
                self._write([event], quick=True)
                return
            except OperationalError as err:
                log.warning("audit log: the store is busy (%s); events wait", _reason(err))
            except SQLAlchemyError as err:
                _lost([event], err)
                return
        self._queue(event)

    def pending(self) -> int:
        """How many events wait to be written."""
        with self._cond:
            return len(self._pending)

    def flush(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the queue to empty; whether it did."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending and time.monotonic() < deadline:
                self._cond.notify_all()
                self._cond.wait(min(0.05, max(0.0, deadline - time.monotonic())))
            return not self._pending

    def close(self, timeout: float = 5.0) -> None:
        """Write what waits (up to `timeout` seconds), log what could not be, stop the thread.
        The writer stays usable (an app may be started again)."""
        self.flush(timeout)
        with self._cond:
            self._closing = True
            left = list(self._pending)
            self._pending.clear()
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=1.0)
        if left:
            _lost(left, RuntimeError("the app stopped before the store took them"))
        with self._cond:
            self._closing = False

    def _queue(self, event: NewEvent) -> None:
        with self._cond:
            if len(self._pending) >= self.max_pending:
                _lost([event], RuntimeError(f"{self.max_pending} events already wait"))
                return
            self._pending.append(event)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="adtrace-audit-writer", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        backoff = 0.1
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if not self._pending:
                    return
                batch = list(self._pending)[:500]
            try:
                self._write(batch, quick=False)
            except OperationalError as err:
                self._expire(err)
                with self._cond:
                    self._cond.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            except SQLAlchemyError as err:
                _lost(batch, err)
            backoff = 0.1
            with self._cond:
                for event in batch:  # close() may have emptied the queue meanwhile
                    if self._pending and self._pending[0] is event:
                        self._pending.popleft()
                if not self._pending:
                    log.info("audit log: waiting events written")
                self._cond.notify_all()

    def _expire(self, err: Exception) -> None:
        """Log and drop the events older than `retry_seconds`."""
        oldest = datetime.now(UTC).timestamp() - self.retry_seconds
        with self._cond:
            expired = []
            while self._pending and self._pending[0].at.timestamp() < oldest:
                expired.append(self._pending.popleft())
        if expired:
            _lost(expired, err)

    def _write(self, events: list[NewEvent], *, quick: bool) -> None:
        with self.engine.connect() as conn:
            wait = self.quick_wait_ms if quick and conn.dialect.name == "sqlite" else None
            normal = 0
            if wait is not None:
                normal = int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0)
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait)}")
            try:
                for event in events:
                    record_event(
                        conn,
                        username=event.username,
                        action=event.action,
                        target=event.target,
                        details=event.details,
                        address=event.address,
                        at=event.at,
                    )
                conn.commit()
            finally:
                if wait is not None:
                    conn.rollback()
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={normal}")
                    conn.rollback()


def _reason(err: Exception) -> str:
    return str(getattr(err, "orig", err)).splitlines()[0][:200]


def _lost(events: list[NewEvent], err: Exception) -> None:
    for event in events:
        log.error("audit event NOT recorded (%s): %s", _reason(err), event.loggable())


def keyed_hash(value: str, *, key: bytes | None = None) -> str:
    """The HMAC-SHA-256 of `value` under the store's audit key, as 64 hex digits.

    Hash a normalised value with its kind ("phone:+16135550142", "email:a@b.ca", "word:rose") so
    the same person searched twice, however written, gives the same hash (adtrace.web.audit does
    this for searches). `key`: the store's key (`store_key`); when omitted, the key of the store
    the settings name (`adtrace.settings`), which is what the CLI wants.
    """
    return hmac.new(key or default_key(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def default_key() -> bytes:
    """The audit key of the store the settings name (`db`, `secret_key`)."""
    from adtrace.settings import load_settings  # the store package does not depend on settings

    settings = load_settings()
    return key_for_url(settings.db, settings.secret_key)


def store_key(engine: Engine, secret: str | None = None) -> bytes:
    """The audit key of the store behind `engine` (see `key_for_url`)."""
    return key_for_url(engine.url.render_as_string(hide_password=True), secret)


def key_for_url(url: str, secret: str | None = None) -> bytes:
    """The audit key: from `secret` (the setting) when given, else from the key file.

    The key file is made on first use (32 random bytes, hex, mode 0600). Raises AuditKeyError when
    the secret is too short or the key file is unreadable or malformed.
    """
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise AuditKeyError(
                f"the secret_key setting must be at least {MIN_SECRET_CHARS} characters long"
            )
        return secret.encode("utf-8")
    return read_key_file(key_file_for(url))


def key_file_for(url: str) -> Path:
    """Where the key file of the store at `url` lives when no secret is set."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database or ""
    on_disk = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and on_disk:
        return Path(database).with_name(Path(database).name + KEY_FILE_SUFFIX)
    from adtrace.settings import config_file

    return config_file().parent / SERVER_KEY_FILE


def read_key_file(path: Path) -> bytes:
    """The key in `path`, made first when there is none (mode 0600; written whole to a private
    temporary file, then linked into place, so two processes starting at once agree on one key
    and neither reads a half-written file)."""
    if not path.exists():
        _make_key_file(path)
    return _read_existing(path)


def _make_key_file(path: Path) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(KEY_BYTES) + "\n")
        os.link(draft, path)
        log.info("created the audit key file %s (keep it safe, apart from backups)", path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    except OSError as err:
        raise AuditKeyError(f"cannot create the audit key file {path}: {err.strerror}") from err
    finally:
        draft.unlink(missing_ok=True)


def _read_existing(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        mode = stat.S_IMODE(path.stat().st_mode)
    except (OSError, UnicodeDecodeError) as err:
        raise AuditKeyError(f"cannot read the audit key file {path}") from err
    if len(text) != 2 * KEY_BYTES or any(c not in "0123456789abcdef" for c in text):
        raise AuditKeyError(f"the audit key file {path} does not hold 64 hex digits")
    if mode & 0o077:
        log.warning("the audit key file %s can be read by others (mode %o): chmod 600", path, mode)
    return bytes.fromhex(text)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events to list (all optional; every one given narrows)."""

    username: str | None = None
    action: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    term_hashes: tuple[str, ...] = ()
    """Keyed hashes that must all appear in the event's details."""


def list_events(
    conn: Connection, where: AuditFilter, *, limit: int = 50, offset: int = 0
) -> list[AuditEvent]:
    """Events matching `where`, newest first, one page."""
    query = (
        select(audit_log)
        .where(*_conditions(where))
        .order_by(audit_log.c.at.desc(), audit_log.c.event_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_event(row) for row in conn.execute(query).mappings()]


def count_events(conn: Connection, where: AuditFilter) -> int:
    """How many events match `where`."""
    query = select(func.count()).select_from(audit_log).where(*_conditions(where))
    return int(conn.execute(query).scalar_one())


def iter_events(
    conn: Connection, where: AuditFilter, *, chunk: int = 1_000
) -> Iterator[AuditEvent]:
    """Every event matching `where`, newest (highest id) first, read `chunk` rows at a time by
    id, so events appended meanwhile neither shift nor repeat rows."""
    before: int | None = None
    while True:
        query = select(audit_log).where(*_conditions(where))
        if before is not None:
            query = query.where(audit_log.c.event_id < before)
        query = query.order_by(audit_log.c.event_id.desc()).limit(chunk)
        found = [_event(row) for row in conn.execute(query).mappings()]
        yield from found
        if len(found) < chunk:
            return
        before = found[-1].event_id


def actions(conn: Connection) -> list[str]:
    """The actions present in the log, sorted: one index look-up per action (a loose index
    scan), not a scan of every row as DISTINCT would make on a long log."""
    found: list[str] = []
    while True:
        query = select(func.min(audit_log.c.action))
        if found:
            query = query.where(audit_log.c.action > found[-1])
        following = conn.execute(query).scalar()
        if following is None:
            return found
        found.append(str(following))


def _conditions(where: AuditFilter) -> list[Any]:
    col = audit_log.c
    out: list[Any] = []
    if where.username:
        out.append(col.username == where.username)
    if where.action:
        out.append(col.action == where.action)
    if where.target:
        out.append(col.target == where.target)
    if where.since is not None:
        out.append(col.at >= where.since)
    if where.until is not None:
        out.append(col.at < where.until)
    # A hash is 64 hex digits: found anywhere in the details' JSON text, it cannot match by
    # accident across keys or values.
    details = cast(audit_log.c.details, Text)
    out += [details.contains(digest, autoescape=True) for digest in where.term_hashes]
    return out


def _event(row: Any) -> AuditEvent:
    at = row["at"]
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # SQLite gives naive datetimes back
    return AuditEvent(
        event_id=int(row["event_id"]),
        at=at,
        username=row["username"],
        action=row["action"],
        target=row["target"],
        details=dict(row["details"] or {}),
        address=row["address"],
    )
