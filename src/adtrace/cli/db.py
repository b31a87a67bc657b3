"""`adtrace db upgrade|backup`: operate the store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with
from adtrace.store import migrate
from adtrace.store.engine import create_store_engine

db_app = typer.Typer(help="Operate the store: migrate, back up.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """Migrate the store's schema to this version of adtrace (creates it when empty).

    Example: adtrace db upgrade --db postgresql+psycopg://adtrace@localhost/adtrace
    """
    with cli_errors():
        engine = create_store_engine(settings_with(db=db).db)
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        out.print(f"store schema: {before or 'empty'} → {migrate.head_revision()}", markup=False)


@db_app.command("backup")
def backup(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Backup file.")] = None,
    db: DbOption = None,
) -> None:
    """Copy a SQLite store consistently while it is in use (PostgreSQL: use pg_dump).

    Example: adtrace db backup -o adtrace-backup.db
    """
    with cli_errors():
        url = make_url(settings_with(db=db).db)
        if url.get_backend_name() != "sqlite" or not url.database:
            raise UsageProblem("adtrace db backup copies SQLite stores; for PostgreSQL use pg_dump")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = output or Path(f"{Path(url.database).stem}-{stamp}.db")
        if target.exists():
            raise UsageProblem(f"{target} exists already; choose another -o")
        engine = create_store_engine(url.render_as_string(hide_password=False))
        raw = engine.raw_connection()
        try:
            # VACUUM INTO takes a transactionally consistent copy (the target is a bound
            # parameter). It cannot run inside a transaction, and the store engine sends BEGIN
            # when a SQLAlchemy connection starts one: use the driver's connection directly.
            cursor = raw.cursor()
            cursor.execute("VACUUM INTO ?", (str(target),))
            cursor.close()
        finally:
            raw.close()
        out.print(
            f"backed up {url.database} to {target} ({target.stat().st_size:,} bytes)", markup=False
        )
