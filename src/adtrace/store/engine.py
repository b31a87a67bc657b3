"""Open a store: a SQLite file (WAL) on a laptop, PostgreSQL for a team, one SQLAlchemy engine."""

from __future__ import annotations

import logging
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from adtrace.store import migrate

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The store cannot be opened or used; the message is one sentence for the user."""


PG_CONNECT_TIMEOUT_S: Final = 5
"""How long a new PostgreSQL connection may take before it fails (libpq connect_timeout; a
`connect_timeout` in the store URL wins): a request never hangs on an unreachable server."""


def create_store_engine(url: str, *, busy_timeout_ms: int = 30_000) -> Engine:
    """An engine for `url` with the pragmas each backend needs.

    SQLite gets WAL (readers never block the writer), foreign keys and a busy timeout so a second
    process waits for a lock instead of failing. PostgreSQL gets a connect timeout and a ping
    before each connection leaves the pool: after a server restart the pool's dead connections
    are replaced on their next use, so the app recovers without being restarted.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise StoreError(
            f"store URL {url!r} is not valid: use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/DB"
        ) from err
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"store URL {url!r}: only sqlite and postgresql stores are supported")
    postgresql = parsed.get_backend_name() == "postgresql"
    connect_args: dict[str, Any] = {}
    if postgresql and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    try:
        # Plain executemany: psycopg pipelines a short cached statement much faster than
        # SQLAlchemy's multi-row "insertmanyvalues" statements, which it must parse each time.
        engine = create_engine(
            parsed,
            pool_pre_ping=postgresql,
            use_insertmanyvalues=False,
            connect_args=connect_args,
        )
    except (NoSuchModuleError, ImportError) as err:
        raise StoreError(
            f"store URL {url!r} needs a driver that is not installed: "
            "pip install 'adtrace[postgresql]'"
        ) from err
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


SQLITE_CACHE_KIB: Final = 64 * 1024


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Python's sqlite3 opens transactions lazily; take control so BEGIN covers reads too.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # 64 MB of page cache per connection (the default is 2 MB): indexing 100k ads for
        # search took 100 s with the default and 52 s with this (benchmarks/bench_web.py).
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def open_store(url: str, *, create: bool = True, busy_timeout_ms: int = 30_000) -> Engine:
    """Open the store at `url`, creating its schema when it is empty and `create` is set.

    A store at an older schema is not migrated silently: the user runs `adtrace db upgrade`.
    """
    engine = create_store_engine(url, busy_timeout_ms=busy_timeout_ms)
    try:
        current = migrate.current_revision(engine)
    except Exception as err:  # driver errors differ by backend; the user needs one sentence
        raise StoreError(
            f"cannot open the store {engine.url.render_as_string()}: "
            f"{type(err).__name__}: {str(err).splitlines()[0]}"
        ) from err
    head = migrate.head_revision()
    if current is None and create:
        log.info("creating the store schema (revision %s)", head)
        migrate.upgrade(engine)
    elif current is None:
        raise StoreError(f"the store {engine.url} is empty: run adtrace db upgrade")
    elif current != head:
        raise StoreError(
            f"the store is at schema {current}, this adtrace needs {head}: "
            "back it up (adtrace db backup) and run adtrace db upgrade"
        )
    return engine
