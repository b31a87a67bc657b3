"""What every command shares: the store option, settings, console output and error handling."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from adtrace.ingest.records import InputError
from adtrace.settings import Settings, load_settings
from adtrace.store.engine import StoreError, open_store

log = logging.getLogger(__name__)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (default: $ADTRACE_DB, else sqlite:///adtrace.db).",
        show_default=False,
    ),
]


class UsageProblem(Exception):
    """Bad usage or bad input: exit code 2 with one sentence."""


def settings_with(**overrides: object) -> Settings:
    """Settings from adtrace.toml and ADTRACE_* with command-line options on top."""
    return load_settings(**overrides)


def store(settings: Settings, *, create: bool = True) -> Engine:
    """Open the store the settings name."""
    return open_store(settings.db, create=create, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn known failures into one sentence and the documented exit code; never a traceback.

    2: bad usage or bad input (file, line and field named). 1: anything else.
    """
    try:
        yield
    except ValidationError as problem:
        first = problem.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        err.print(
            f"error: setting {where!r} (adtrace.toml or ADTRACE_*): {first['msg']}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(2) from None
    except (InputError, UsageProblem) as problem:
        err.print(f"error: {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except StoreError as problem:
        err.print(f"error: {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except SQLAlchemyError as problem:
        log.debug("store failure", exc_info=True)
        detail = str(problem.orig if hasattr(problem, "orig") else problem).splitlines()[0]
        err.print(
            f"error: the store failed: {type(problem).__name__}: {detail}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1) from None
    except (OSError, MemoryError) as problem:
        err.print(f"error: {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None
