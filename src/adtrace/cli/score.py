"""`adtrace score`: review-priority scores of ads (and clusters) with their reasons."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from adtrace.cli.common import DbOption, UsageProblem, cli_errors, out, settings_with, store
from adtrace.ingest.records import InputError

if TYPE_CHECKING:  # imported when used: the CLI starts fast
    import pyarrow as pa

    from adtrace.indicators import AdBatchScores, ClusterResult, Scored, Weights

SCORE_HELP = """Score ads for review priority, with the risk indicators behind every score.

A score says which ads and clusters to open first and why; it is never a finding. Each
indicator comes with its id (indicators.csv), the matched span of the title or text, or the
computed figure. A04 (explicit minor reference) never adds points: it sets "escalate" for
immediate human review.

Files: INPUT (.csv, .jsonl or .parquet with id and text; optional title, city, site, posted_at,
age) -o ads.jsonl writes one object per ad: id, score, indicators [{id, span, evidence, ...}],
escalate. With --clusters-out the ads are first linked (as adtrace link does) and every cluster
gets its profile (personas, movement, posting rate, sites, area codes, template reuse, hub and
bridge selectors), indicators and score, highest first. --lang fr writes names and evidence in
French.

Store: --db URL scores the current version of every ad and every current cluster, and keeps
them as a score run.

Weights come from the package, with the file of the score_weights setting on top (--weights).

Examples:

    adtrace score ads.csv -o scores.jsonl --clusters-out clusters.jsonl --lang fr

    adtrace score --db sqlite:///adtrace.db
"""

Lang = Literal["en", "fr"]


def score(
    input_: Annotated[Path | None, typer.Argument(metavar="INPUT", help="Ads file.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Ad scores, JSON Lines.")
    ] = None,
    clusters_out: Annotated[
        Path | None, typer.Option(help="Link the ads and write cluster scores here (JSON Lines).")
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language of names and evidence.")] = "en",
    weights: Annotated[
        Path | None, typer.Option(help="Weights file (TOML) over the defaults.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: all cores).")
    ] = None,
    db: DbOption = None,
) -> None:
    with cli_errors():
        settings = settings_with(db=db, score_weights=str(weights) if weights else None)
        if (input_ is None) == (db is None):
            raise UsageProblem("give INPUT -o ads.jsonl (files) or --db URL (the store), not both")
        weights_file = Path(settings.score_weights) if settings.score_weights else None
        cores = workers or os.cpu_count() or 1
        if input_ is None:
            _score_store(settings.db, weights_file, settings.region, cores)
        else:
            _score_file(input_, output, clusters_out, lang, weights_file, settings.region, cores)


def _weights(weights_file: Path | None) -> Weights:
    from adtrace.indicators import DataFileError, load_weights

    if weights_file is not None and not weights_file.is_file():
        raise UsageProblem(f"{weights_file}: no such weights file (setting score_weights)")
    try:
        return load_weights(weights_file)
    except DataFileError as problem:
        raise UsageProblem(str(problem)) from None


def _score_store(db: str, weights_file: Path | None, region: str, workers: int) -> None:
    from adtrace.indicators import DataFileError
    from adtrace.pipeline.score import score_store

    _weights(weights_file)  # a bad file is bad input (exit 2) before the store is touched
    engine = store(settings_with(db=db))
    try:
        counts = score_store(engine, weights_file=weights_file, region=region, workers=workers)
    except DataFileError as problem:
        raise UsageProblem(str(problem)) from None
    clusters = (
        f"{counts.clusters:,} clusters of link run {counts.link_run_id}"
        if counts.link_run_id is not None
        else "no clusters (run adtrace link --db URL first)"
    )
    out.print(
        f"score run {counts.run_id}: {counts.ads:,} ads, {clusters}, "
        f"{counts.escalations:,} ads escalated for human review",
        markup=False,
        highlight=False,
    )


def _checked_output(path: Path | None, what: str, input_: Path) -> Path:
    if path is None:
        raise UsageProblem(f"{input_}: give the {what} file with -o {what}.jsonl")
    if path.suffix.lower() != ".jsonl":
        raise UsageProblem(f"{path}: the {what} file must end in .jsonl")
    return path


def _score_file(
    input_: Path,
    output: Path | None,
    clusters_out: Path | None,
    lang: Lang,
    weights_file: Path | None,
    region: str,
    workers: int,
) -> None:
    from adtrace.indicators import DataFileError, score_ads
    from adtrace.link.files import read_ads

    ads_path = _checked_output(output, "ads", input_)
    if clusters_out is not None:
        _checked_output(clusters_out, "clusters", input_)
    if not input_.is_file():
        raise UsageProblem(f"{input_}: no such file")
    weights = _weights(weights_file)
    try:
        table = read_ads(input_)
    except (ValueError, KeyError) as problem:
        raise InputError(str(input_), str(problem).strip("'\"")) from problem
    for column in ("id", "text"):
        if column not in table.column_names:
            raise InputError(str(input_), "the column is missing", line=1, field_name=column)
    try:
        scored = score_ads(table, weights=weights, region=region, workers=workers)
    except DataFileError as problem:
        raise UsageProblem(str(problem)) from None
    _write_jsonl(
        ads_path, (_ad_record(i, s, lang) for i, s in zip(scored.ids, scored.scores, strict=True))
    )
    escalated = sum(s.escalate for s in scored.scores)
    message = (
        f"scored {len(scored.ids):,} ads ({escalated:,} escalated for human review): {ads_path}"
    )
    if clusters_out is not None:
        count = _score_clusters(table, scored, clusters_out, lang, weights)
        message += f"; {count:,} clusters: {clusters_out}"
    out.print(message, markup=False, highlight=False)


def _score_clusters(
    table: pa.Table, scored: AdBatchScores, path: Path, lang: Lang, weights: Weights
) -> int:
    from adtrace.indicators import score_clusters
    from adtrace.link import link_table

    try:
        result = link_table(table, signals="all", seed=0)
    except (ValueError, KeyError) as problem:
        raise UsageProblem(f"cannot link the ads: {str(problem).strip(chr(39))}") from problem
    cluster_of = result.clusters
    cluster_ids = [cluster_of[ad] for ad in scored.ids]
    links = [(r["a"], r["b"]) for r in result.links.to_pylist() if "text" in r["kinds"]]
    clusters = score_clusters(scored, cluster_ids, links, weights=weights)
    _write_jsonl(path, (_cluster_record(c, lang) for c in clusters))
    return len(clusters)


def _ad_record(ad_id: str, scored: Scored, lang: Lang) -> dict[str, Any]:
    return {
        "id": ad_id,
        "score": scored.score,
        "indicators": [r.to_json(lang) for r in scored.reasons],
        "escalate": scored.escalate,
    }


def _cluster_record(cluster: ClusterResult, lang: Lang) -> dict[str, Any]:
    return {
        "cluster_id": cluster.cluster_id,
        "score": cluster.scored.score,
        "escalate": cluster.scored.escalate,
        "n_ads": len(cluster.ad_ids),
        "ads": cluster.ad_ids,
        "indicators": [r.to_json(lang) for r in cluster.scored.reasons],
        "profile": cluster.profile,
    }


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
