"""`adtrace link`: group ads into likely operations, with the evidence for every link."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from adtrace.cli.common import UsageProblem, cli_errors, out
from adtrace.ingest.records import InputError

LINK_HELP = """Link ads that share a template or a selector into clusters (likely operations).

INPUT is a .csv, .jsonl or .parquet file with id and text (optional title, site, posted_at, city,
and the selector columns of adtrace extract; selectors are extracted when absent). Writes
clusters.csv with id,cluster_id for every input ad (an ad linked to nothing is its own cluster) and,
with --links, one JSON object per link with its kind, shared values and similarity.

Example:

    adtrace link ads.csv -o clusters.csv --links links.jsonl --signals all
"""


def link(
    input_: Annotated[Path, typer.Argument(metavar="INPUT", help="Ads file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="clusters.csv to write.")],
    links: Annotated[Path | None, typer.Option(help="Evidence links, JSON Lines.")] = None,
    signals: Annotated[
        Literal["text", "selectors", "all"], typer.Option(help="What may link two ads.")
    ] = "all",
    seed: Annotated[int, typer.Option(help="Seed of the run (same seed, same clusters).")] = 0,
) -> None:
    from adtrace.link import link_file

    with cli_errors():
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
