"""`adtrace purge`: remove ads older than the retention age, or everything about one selector."""

from __future__ import annotations

import getpass
import json
import re
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

if TYPE_CHECKING:
    from adtrace.pipeline.purge import PurgeResult

from adtrace.cli.common import (
    DbOption,
    UsageProblem,
    cli_errors,
    err,
    out,
    settings_with,
    store,
)

PURGE_HELP = """Purge ads last seen over an age ago, or everything about a selector, then VACUUM.

An age purge removes every ad whose newest sighting is older than --older-than (default: the
retention age an admin set in the web app, else retention_days in adtrace.toml), with its
versions, selectors, index rows, links, scores, escalations, and the rejected rows of batches
imported before. A selector purge removes every ad any of whose versions has the phone, e-mail
or handle (or writes it), every rejected row containing it, and every other row naming it. The
purge is recorded (a selector by its keyed hash only) and the store is vacuumed so the bytes are
gone. --dry-run prints what would go and changes nothing.

Example:

    adtrace purge --selector phone:+16135550142 --dry-run --db sqlite:///adtrace.db
"""

_AGE = re.compile(r"^\s*(\d+)\s*d?\s*$", re.IGNORECASE)


def parse_age(text: str) -> int:
    """Days in "365d" or "365"."""
    found = _AGE.match(text)
    if found is None:
        raise UsageProblem(f"--older-than {text!r}: write a number of days such as 365d")
    return int(found.group(1))


def purge(
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="Age in days, e.g. 365d (default: the retention age)."),
    ] = None,
    selector: Annotated[
        str | None,
        typer.Option(
            "--selector",
            help="phone:NUMBER, email:ADDRESS or handle:PLATFORM:NAME.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would go; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    db: DbOption = None,
) -> None:
    """Purge by age or by selector (see the help above)."""
    from adtrace.pipeline.purge import PurgeProblem, purge_store
    from adtrace.store.audit import AuditKeyError, store_key
    from adtrace.store.retention import retention_setting

    with cli_errors():
        if selector is not None and older_than is not None:
            raise UsageProblem("give --older-than or --selector, not both")
        settings = settings_with(db=db)
        engine = store(settings)
        days = parse_age(older_than) if older_than is not None else None
        if selector is None and days is None:
            with engine.connect() as conn:
                days = retention_setting(conn) or settings.retention_days
            if days is None:
                raise UsageProblem(
                    "no retention age is set: give --older-than 365d or --selector KIND:VALUE"
                )
        try:
            result = purge_store(
                engine,
                by=f"cli:{getpass.getuser()}",
                selector=selector,
                older_than_days=days if selector is None else None,
                dry_run=dry_run,
                region=settings.region,
                key=store_key(engine, settings.secret_key) if selector is not None else None,
            )
        except (PurgeProblem, AuditKeyError) as problem:
            raise UsageProblem(str(problem)) from None
    if as_json:
        summary = {
            "purge_id": result.purge_id,
            "dry_run": result.dry_run,
            "vacuumed": result.vacuumed,
            "kind": result.kind,
            "criteria": result.criteria,
            "counts": result.counts,
        }
        out.print(json.dumps(summary, sort_keys=True), markup=False, highlight=False)
    else:
        _print_table(result)
    if not result.dry_run and not result.vacuumed:
        err.print(
            "error: the rows are purged but VACUUM failed (the store was busy): run the same "
            "purge again to rewrite the store",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1)


def _print_table(result: PurgeResult) -> None:
    title = "would remove (dry run)" if result.dry_run else f"purge {result.purge_id}: removed"
    table = Table(title=title, box=None, show_edge=False, pad_edge=False)
    table.add_column("table", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    for name, n in result.counts.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
