"""`adtrace extract`: selectors from a file into a file, or from the store's ads into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, err, out, settings_with, store
from adtrace.ingest.records import InputError
from adtrace.pipeline import extract_store

EXTRACT_HELP = """Extract selectors (phones, e-mails, handles, URLs, names, ages, prices, places,
language) from ads, through obfuscations ("4I6 five five five", "quatre un six", keycaps).

Files: INPUT (.csv, .jsonl or .parquet with id and text, optional title) -o OUT (.jsonl, .csv or
.parquet), one object per ad in input order. Store: --db URL extracts every ad version not yet
extracted into the store's selector tables. Both modes run on all cores (--workers N to limit).

Examples:

    adtrace extract ads.csv -o selectors.jsonl

    adtrace extract --db sqlite:///adtrace.db --workers 2
"""


def extract(
    input_: Annotated[Path | None, typer.Argument(metavar="INPUT", help="Ads file.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")] = None,
    db: DbOption = None,
    redo: Annotated[bool, typer.Option(help="Store mode: extract every version again.")] = False,
    region: Annotated[
        str | None, typer.Option(help="Default phone region (ISO code, default CA).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: all cores).")
    ] = None,
) -> None:
    with cli_errors():
        settings = settings_with(db=db, region=region)
        if (input_ is None) == (db is None):
            raise UsageProblem("give INPUT -o OUT (files) or --db URL (the store), not both")
        if input_ is not None:
            _extract_file(input_, output, settings.region, workers)
        else:
            extract_into_store(settings.db, settings.region, redo=redo, workers=workers)


def _extract_file(input_: Path, output: Path | None, region: str, workers: int | None) -> None:
    from adtrace.extract import extract_file

    if output is None:
        raise UsageProblem(f"{input_}: give the output file with -o OUT.jsonl")
    if not input_.is_file():
        raise UsageProblem(f"{input_}: no such file")
    try:
        count = extract_file(input_, output, region=region, workers=workers)
    except ValueError as problem:
        raise InputError(str(input_), str(problem)) from problem
    out.print(f"extracted {count:,} ads into {output}", markup=False, highlight=False)


def extract_into_store(
    db: str, region: str, *, redo: bool = False, show: bool = True, workers: int | None = None
) -> None:
    """Store mode, shared with `adtrace run`: extract new versions, then bring the search index
    up to date (rebuilt after --redo, since re-extracted names change unchanged versions)."""
    settings = settings_with(db=db)
    engine = store(settings)
    progress = Progress(
        TextColumn("extract"),
        BarColumn(),
        TextColumn("{task.completed:,} versions"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not show,
    )
    with progress:
        task = progress.add_task("extract", total=None)
        counts = extract_store(
            engine,
            region=region,
            redo=redo,
            workers=workers,
            progress=lambda n: progress.advance(task, n),
        )
    from adtrace.store.search_index import index_pending, rebuild_index

    indexed = rebuild_index(engine) if redo else index_pending(engine)
    out.print(
        f"extract run {counts.run_id}: {counts.versions:,} ad versions, "
        f"{counts.selectors:,} selectors; search index: {indexed:,} "
        + ("terms rebuilt" if redo else "ads indexed"),
        markup=False,
        highlight=False,
    )
