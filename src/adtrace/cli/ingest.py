"""`adtrace ingest` and `adtrace import list|undo`."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, err, out, settings_with, store
from adtrace.ingest.mapping import parse_map_options
from adtrace.model import BatchId, ImportCounts
from adtrace.pipeline import IngestOptions, IngestResult, ingest_file
from adtrace.store import batches

import_app = typer.Typer(help="Imported batches: list them, undo one.", no_args_is_help=True)

INGEST_HELP = """Import ad exports into the store, each file as one batch.

Reads CSV, JSON Lines, JSON arrays, Parquet and folders of saved HTML pages. Columns are mapped
automatically (shown in the summary) and can be set with --map. Rows that cannot be used are kept
in the store's rejects with file, line, field and reason. Re-importing a file changes nothing.

Example:

    adtrace ingest export.csv --site site-a.example --dataset july --tz America/Toronto
"""


def ingest(
    files: Annotated[list[Path], typer.Argument(help="Files or folders of HTML pages.")],
    site: Annotated[str | None, typer.Option(help="Site of ads whose rows name none.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Dataset name (default: file name).")] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="field=column, repeatable (fields: id site url title text posted_at "
            "seen_at city region country age price phone email).",
        ),
    ] = None,
    tz: Annotated[
        str | None, typer.Option(help="Zone for times without one, e.g. America/Toronto.")
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="strptime format for every time column.")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: detected).")] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (default: detected).")
    ] = None,
    id_from: Annotated[
        Literal["url", "content-hash"] | None,
        typer.Option(help="Derive ad ids when the file has no id column."),
    ] = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object.")
    ] = False,
) -> None:
    with cli_errors():
        options = _options(site, dataset, map_ or [], tz, date_format, encoding, delimiter, id_from)
        missing = [path for path in files if not path.exists()]
        if missing:
            raise UsageProblem(f"{missing[0]}: no such file or folder")
        settings = settings_with(db=db)
        engine = store(settings)
        results = _ingest_all(engine, files, options, show_progress=not as_json)
        total = sum((r.counts for r in results), ImportCounts())
        if as_json:
            typer.echo(json.dumps(total.as_dict()))
        else:
            _print_summary(results, total)


def _options(
    site: str | None,
    dataset: str | None,
    maps: list[str],
    tz: str | None,
    date_format: str | None,
    encoding: str | None,
    delimiter: str | None,
    id_from: Literal["url", "content-hash"] | None,
) -> IngestOptions:
    settings = settings_with(tz=tz)
    try:
        mapping = parse_map_options(maps)
    except ValueError as problem:
        raise UsageProblem(str(problem)) from problem
    if delimiter is not None and len(delimiter.encode("unicode_escape").decode()) > 2:
        raise UsageProblem(f"--delimiter {delimiter!r}: give one character")
    _check_zone(settings.tz)
    return IngestOptions(
        site=site,
        dataset=dataset,
        mapping=mapping,
        tz=settings.tz,
        default_tz=settings.default_tz,
        date_format=date_format,
        id_from=id_from,
        encoding=encoding,
        delimiter="\t" if delimiter == "\\t" else delimiter,
        max_field_chars=settings.max_field_chars,
        chunk_rows=settings.chunk_rows,
    )


def _check_zone(zone: str | None) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if zone is None:
        return
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as problem:
        raise UsageProblem(
            f"--tz {zone!r} is not a known time zone (e.g. America/Toronto)"
        ) from problem


def _ingest_all(
    engine: Engine, files: list[Path], options: IngestOptions, *, show_progress: bool
) -> list[IngestResult]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not show_progress,
    )
    results = []
    with progress:
        for path in files:
            task = progress.add_task(f"ingest {path.name}", total=None)
            results.append(ingest_file(engine, path, options, partial(progress.advance, task)))
            progress.remove_task(task)
    return results


def _print_summary(results: list[IngestResult], total: ImportCounts) -> None:
    table = Table(title="ingest")
    for column in ("file", "batch", "read", "new", "updated", "unchanged", "rejected"):
        table.add_column(column, justify="left" if column == "file" else "right")
    for result in results:
        c = result.counts
        note = " (already imported)" if result.already_imported else ""
        table.add_row(
            Text(result.source + note),
            str(result.batch_id),
            f"{c.read:,}",
            f"{c.new:,}",
            f"{c.updated:,}",
            f"{c.unchanged:,}",
            f"{c.rejected:,}",
        )
    if len(results) > 1:
        table.add_row("total", "", *(f"{v:,}" for v in total.as_dict().values()))
    out.print(table)
    for result in results:
        mapped = ", ".join(f"{field}←{column}" for field, column in result.columns)
        out.print(f"{result.source}: columns {mapped}", markup=False, highlight=False)
    if total.rejected:
        out.print(
            f"{total.rejected:,} rows rejected: see them with adtrace import rejects BATCH",
            markup=False,
        )


@import_app.command("list")
def import_list(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List imported batches, oldest first.

    Example: adtrace import list --db sqlite:///adtrace.db
    """
    with cli_errors():
        engine = store(settings_with(db=db))
        with engine.connect() as conn:
            rows = batches.list_batches(conn)
        if as_json:
            for row in rows:
                out.print(
                    json.dumps(row, default=str, ensure_ascii=False),
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
            return
        table = Table(
            title="imports (times in UTC)",
            box=box.SIMPLE,
            caption="upd = updated, same = unchanged, rej = rejected",
        )
        table.add_column("batch", no_wrap=True)
        table.add_column("dataset", overflow="fold", min_width=8)
        table.add_column("source", overflow="fold", min_width=12)
        table.add_column("started", no_wrap=True)
        table.add_column("status", no_wrap=True)
        for column in ("read", "new", "upd", "same", "rej"):
            table.add_column(column, justify="right", no_wrap=True)
        for r in rows:
            table.add_row(
                str(r["batch_id"]),
                Text(r["dataset"]),
                Text(r["source"]),
                str(r["started_at"])[:16],
                r["status"],
                *(
                    f"{r[f'rows_{n}']:,}"
                    for n in ("read", "new", "updated", "unchanged", "rejected")
                ),
            )
        out.print(table)


@import_app.command("undo")
def import_undo(
    batch: Annotated[int, typer.Argument(help="Batch id (see adtrace import list).")],
    db: DbOption = None,
) -> None:
    """Remove everything a batch brought; ads also seen in other batches stay.

    Example: adtrace import undo 3
    """
    with cli_errors():
        engine = store(settings_with(db=db))
        try:
            with engine.begin() as conn:
                removed = batches.undo_batch(conn, BatchId(batch))
        except batches.BatchNotFound as problem:
            raise UsageProblem(str(problem)) from problem
        out.print(
            f"batch {batch} undone: {removed['ads']:,} ads, {removed['versions']:,} "
            f"versions and {removed['sightings']:,} sightings removed",
            markup=False,
        )


@import_app.command("rejects")
def import_rejects(
    batch: Annotated[int | None, typer.Argument(help="Batch id (default: all).")] = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON lines with the raw rows.")
    ] = False,
) -> None:
    """Show rejected rows with file, line, field and reason.

    Example: adtrace import rejects 3 --json > rejects.jsonl
    """
    with cli_errors():
        engine = store(settings_with(db=db))
        with engine.connect() as conn:
            rows = batches.list_rejects(conn, BatchId(batch) if batch is not None else None)
        if as_json:
            for row in rows:
                out.print(
                    json.dumps(row, ensure_ascii=False),
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
            return
        table = Table(title="rejects")
        for column in ("batch", "source", "line", "field", "reason"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                str(r["batch_id"]),
                Text(r["source"]),
                str(r["line"]),
                Text(r["field"]),
                Text(r["reason"]),
            )
        out.print(table)
