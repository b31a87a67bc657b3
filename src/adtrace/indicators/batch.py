"""Score a batch of ads, and the clusters of a link run, from an Arrow table.

The stages, in order:

1. extract: the extractor's spans for every ad (title and text);
2. prices: hourly prices and their city baselines (A14);
3. ads: ad-level indicators and the ad score;
4. clusters (when cluster ids are given): one profile per cluster, its indicators and score.

Pure functions of their inputs: the CLI (files) and the pipeline (store) wrap them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from adtrace.extract import Extraction, extract_all
from adtrace.indicators.ad import AdFields, Match, ad_matches, price_matches
from adtrace.indicators.cluster import cluster_matches
from adtrace.indicators.geography import resolve_city
from adtrace.indicators.lexicon import lexicon_with
from adtrace.indicators.prices import baseline_for, baselines, hourly_price
from adtrace.indicators.profile import ProfileAd, cluster_profile
from adtrace.indicators.scoring import Scored, score_ad, score_cluster
from adtrace.indicators.weights import Weights, load_weights

log = logging.getLogger(__name__)

CHUNK_ADS: Final = 2_000
"""Ads per worker task: large enough that sending matches back costs little."""


@dataclass(frozen=True, slots=True)
class AdBatchScores:
    """The ads of a batch, scored: ids, scores and what the clusters need, by input row."""

    ids: list[str]
    scores: list[Scored]
    profile_ads: list[ProfileAd]


@dataclass(frozen=True, slots=True)
class ClusterResult:
    """One cluster: its ads, profile and score."""

    cluster_id: str
    ad_ids: list[str]
    profile: dict[str, Any]
    scored: Scored


def _column(table: pa.Table, name: str) -> list[Any]:
    if name not in table.column_names:
        return [None] * table.num_rows
    column = table.column(name)
    if name == "posted_at" and pa.types.is_timestamp(column.type):
        return [_aware(v) for v in column.to_pylist()]
    values: list[Any] = pc.cast(column, pa.string()).to_pylist()
    return values


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (naive counts as UTC), a datetime, or None when unparsable."""
    if isinstance(value, datetime):
        return _aware(value)
    if not value:
        return None
    try:
        return _aware(datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def _age(value: Any) -> int | None:
    try:
        age = int(float(value))
    except (TypeError, ValueError):
        return None
    return age if 10 <= age <= 99 else None


def _city(given: str | None, extraction: Extraction) -> str | None:
    if given:
        return given
    for span in extraction.places:
        known = resolve_city(str(span.value))
        if known is not None:
            return known.name
    return None


def _city_key(city: str | None) -> str | None:
    known = resolve_city(city)
    return known.name if known else city


def _profile_ad(
    ad_id: str, row: dict[str, Any], extraction: Extraction, city: str | None
) -> ProfileAd:
    return ProfileAd(
        id=ad_id,
        site=row["site"],
        posted_at=parse_time(row["posted_at"]),
        city=city,
        phones=tuple(dict.fromkeys(str(s.value) for s in extraction.phones)),
        emails=tuple(dict.fromkeys(str(s.value) for s in extraction.emails)),
        handles=tuple(dict.fromkeys(f"{s.platform}:{s.value}" for s in extraction.handles)),
        names=tuple(dict.fromkeys(str(s.value) for s in extraction.names)),
        ages=tuple(sorted({int(s.value) for s in extraction.ages if isinstance(s.value, int)})),
    )


@dataclass(frozen=True, slots=True)
class _Found:
    """One ad after extraction and the lexicon: what a worker sends back."""

    id: str
    matches: list[Match]
    hourly: float | None
    city_key: str | None
    profile: ProfileAd


def _find_chunk(
    rows: list[dict[str, Any]], region: str, lexicon_files: tuple[Path, ...]
) -> list[_Found]:
    """Extract and match a chunk of ads (runs in a worker; the A14 price figure waits for the
    batch's baselines)."""
    lexicon = lexicon_with(lexicon_files)
    found = []
    for row in rows:
        ad_id = str(row["id"])
        extraction = row.get("extraction") or extract_all(
            row["text"] or "", row["title"], region=region
        )
        city = _city(row["city"], extraction)
        fields = AdFields(ad_id, row["text"] or "", row["title"], _age(row["age"]), city)
        found.append(
            _Found(
                ad_id,
                ad_matches(fields, extraction, lexicon),
                hourly_price(extraction),
                _city_key(city),
                _profile_ad(ad_id, row, extraction, city),
            )
        )
    return found


def score_ads(
    table: pa.Table,
    *,
    weights: Weights | None = None,
    region: str = "CA",
    workers: int = 1,
    extractions: Sequence[Extraction | None] | None = None,
) -> AdBatchScores:
    """Score every ad of a table (columns ``id``, ``text``; optional ``title``, ``city``,
    ``site``, ``posted_at``, ``age``).

    Args:
        table: the ads.
        weights: score weights and extra lexicon files (the package's when None).
        region: default phone region for extraction.
        workers: processes for extraction and matching, in chunks of :data:`CHUNK_ADS` ads
            (1: in this process).
        extractions: per row, its selectors already extracted (the store keeps them), or None
            where they must be extracted; None for all: extract every row.
    """
    weights = weights or load_weights()
    names = ("id", "text", "title", "city", "site", "posted_at", "age")
    columns = [_column(table, name) for name in names]
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    if extractions is not None:
        for row, given in zip(rows, extractions, strict=True):
            row["extraction"] = given
    chunks = [rows[i : i + CHUNK_ADS] for i in range(0, len(rows), CHUNK_ADS)]
    find = partial(_find_chunk, region=region, lexicon_files=weights.lexicon_files)
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(min(workers, len(chunks))) as pool:
            parts = list(pool.map(find, chunks))
    else:
        parts = [find(chunk) for chunk in chunks]
    found = [ad for part in parts for ad in part]
    prices = baselines([f.hourly for f in found], [f.city_key for f in found])
    scores = [
        score_ad([*f.matches, *price_matches(f.hourly, baseline_for(f.city_key, prices))], weights)
        for f in found
    ]
    return AdBatchScores([f.id for f in found], scores, [f.profile for f in found])


def score_clusters(
    ads: AdBatchScores,
    cluster_ids: Sequence[str],
    text_links: Sequence[tuple[str, str]] = (),
    *,
    weights: Weights | None = None,
) -> list[ClusterResult]:
    """Profile and score every cluster (``cluster_ids`` by row of ``ads``), highest score first.

    Args:
        ads: the scored ads.
        cluster_ids: the cluster of each ad, by row.
        text_links: pairs of ad ids linked by text (template reuse, C06).
        weights: score weights (the package's when None).
    """
    weights = weights or load_weights()
    members: dict[str, list[int]] = {}
    for row, cluster in enumerate(cluster_ids):
        members.setdefault(cluster, []).append(row)
    cluster_of = dict(zip(ads.ids, cluster_ids, strict=True))
    links: dict[str, list[tuple[str, str]]] = {}
    for a, b in text_links:
        if a in cluster_of and cluster_of[a] == cluster_of.get(b):
            links.setdefault(cluster_of[a], []).append((a, b))
    results = []
    for cluster, rows in members.items():
        profile = cluster_profile([ads.profile_ads[r] for r in rows], links.get(cluster, []))
        scored, summary = score_cluster(
            cluster_matches(profile), [ads.scores[r] for r in rows], weights
        )
        profile["score"] = summary
        results.append(ClusterResult(cluster, [ads.ids[r] for r in rows], profile, scored))
    return sorted(results, key=lambda c: (-c.scored.score, not c.scored.escalate, c.cluster_id))
