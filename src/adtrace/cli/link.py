"""`adtrace link`: group ads into likely operations, with the evidence for every link."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with, store
from adtrace.ingest.records import InputError

LINK_HELP = """Link ads that share a template or a selector into clusters (likely operations).

INPUT is a .csv, .jsonl or .parquet file with id and text (optional title, site, posted_at, city,
and the selector columns of adtrace extract; selectors are extracted when absent). Writes
clusters.csv with id,cluster_id for every input ad (an ad linked to nothing is its own cluster) and,
with --links, one JSON object per link with its kind, shared values and similarity.

With --db URL, links the store's ads and keeps the run, its clusters, links and model there. The
first run is full: it learns the boilerplate and hub model and freezes it. Later runs are
incremental: only new and changed ads are signed and matched, the clusters they touch are linked
again under the frozen model, deleted ads leave their clusters, and clusters keep their ids (a
new cluster inherits the id of the previous one it overlaps most; merges and splits are recorded:
adtrace runs diff). --full learns a new model and links every ad again.

Examples:

    adtrace link ads.csv -o clusters.csv --links links.jsonl --signals all

    adtrace link --db sqlite:///adtrace.db

    adtrace link --db sqlite:///adtrace.db --full
"""

clusters_app = typer.Typer(help="Clusters of the store's link runs.", no_args_is_help=True)


@clusters_app.command("export")
def clusters_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV to write.")],
    db: DbOption = None,
) -> None:
    """Write site,id,cluster_id for every ad of the current clusters (id is the site's ad id).

    Example: adtrace clusters export --db sqlite:///adtrace.db -o clusters.csv
    """
    import csv

    from adtrace.store.clusters import exported_clusters, latest_link_run

    with cli_errors():
        engine = store(settings_with(db=db))
        with engine.connect() as conn:
            run_id = latest_link_run(conn)
            if run_id is None:
                raise UsageProblem("the store has no link run yet: run adtrace link --db URL")
            rows = exported_clusters(conn)
        with output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["site", "id", "cluster_id"])
            writer.writerows([[_safe_cell(v) for v in row] for row in rows])
        out.print(f"wrote {len(rows):,} ads of link run {run_id} to {output}", markup=False)


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def link(
    input_: Annotated[Path | None, typer.Argument(metavar="INPUT", help="Ads file.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="clusters.csv.")] = None,
    links: Annotated[Path | None, typer.Option(help="Evidence links, JSON Lines.")] = None,
    signals: Annotated[
        Literal["text", "selectors", "all"] | None,
        typer.Option(help="What may link two ads (default all; on the store: the frozen model's)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the run (same seed, same clusters).")] = 0,
    full: Annotated[
        bool, typer.Option("--full", help="Store: learn a new model and link every ad again.")
    ] = False,
    db: DbOption = None,
) -> None:
    with cli_errors():
        if (input_ is None) == (db is None):
            raise UsageProblem(
                "give INPUT -o clusters.csv (files) or --db URL (the store), not both"
            )
        if input_ is None:
            _link_store(settings_with(db=db).db, signals, seed, full)
            return
        if full:
            raise UsageProblem("--full is for the store (--db URL); a file is always linked whole")
        _link_file(input_, output, links, signals or "all", seed)


def _link_store(
    db: str, signals: Literal["text", "selectors", "all"] | None, seed: int, full: bool
) -> None:
    from adtrace.pipeline import link_store
    from adtrace.pipeline.link import LinkStoreError

    try:
        settings = settings_with(db=db)
        counts = link_store(
            store(settings), signals=signals, seed=seed, full=full, region=settings.region
        )
    except LinkStoreError as problem:
        raise UsageProblem(str(problem)) from problem
    events = ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.events.items()))
    out.print(
        f"link run {counts.run_id} ({counts.mode}): {counts.ads:,} ads linked, "
        f"{counts.clusters:,} clusters, {counts.links:,} links, {counts.moved:,} ads moved"
        + (f"; clusters {events}" if events else "")
        + " (export: adtrace clusters export --db URL -o clusters.csv)",
        markup=False,
        highlight=False,
    )


def _link_file(
    input_: Path,
    output: Path | None,
    links: Path | None,
    signals: Literal["text", "selectors", "all"],
    seed: int,
) -> None:
    from adtrace.link import link_file

    if output is None:
        raise UsageProblem(f"{input_}: give the clusters file with -o clusters.csv")
    if not input_.is_file():
        raise UsageProblem(f"{input_}: no such file")
    if output.suffix.lower() != ".csv":
        raise UsageProblem(f"{output}: the clusters file must end in .csv")
    try:
        result = link_file(input_, output, links, signals, seed=seed)
    except (ValueError, KeyError) as problem:
        raise InputError(str(input_), str(problem).strip("'\"")) from problem
    clusters = len(set(result.cluster_ids))
    out.print(
        f"linked {len(result.ids):,} ads into {clusters:,} clusters: {output}",
        markup=False,
        highlight=False,
    )
