"""The score stage on the store: score the current version of every ad and every current
cluster, and keep them as one score run (with its parameters) in one transaction.

Reads the store's ads, the current cluster memberships and text links of the newest link run;
ads that no link run has seen yet are scored alone, without a cluster.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from adtrace import __version__
from adtrace.extract import Extraction, from_spans
from adtrace.indicators import (
    AdBatchScores,
    ClusterResult,
    Weights,
    load_weights,
    score_ads,
    score_clusters,
)
from adtrace.pipeline.extract import EXTRACTOR_VERSION, span_of
from adtrace.store.clusters import current_memberships, latest_link_run
from adtrace.store.escalations import sync_escalations
from adtrace.store.runs import finish_run, start_run
from adtrace.store.scores import (
    AdScore,
    ClusterScore,
    scoring_ads,
    text_links,
    write_ad_scores,
    write_cluster_scores,
)
from adtrace.store.selectors import stored_selectors

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScoreCounts:
    """What a score run on the store did."""

    run_id: int
    ads: int
    clusters: int
    escalations: int
    link_run_id: int | None


def score_store(
    engine: Engine, *, weights_file: Path | None = None, region: str = "CA", workers: int = 1
) -> ScoreCounts:
    """Score every current ad and cluster; store them as one score run.

    Args:
        engine: the store.
        weights_file: an analyst's weights (the ``score_weights`` setting), or None.
        region: default phone region for extraction.
        workers: processes for extraction and matching (1: in this process).
    """
    weights = load_weights(weights_file)
    with engine.connect() as conn:
        table = scoring_ads(conn)
        extractions = stored_extractions(conn, table.column("version_id").to_pylist())
        link_run = latest_link_run(conn)
        members = dict(current_memberships(conn)) if link_run is not None else {}
        links = text_links(conn) if link_run is not None else []
    scored = score_ads(
        table, weights=weights, region=region, workers=workers, extractions=extractions
    )
    clusters = _clusters(scored, members, links, weights)
    versions = table.column("version_id").to_pylist()
    with engine.begin() as conn:
        params = {"weights_file": str(weights_file) if weights_file else None}
        run_id = start_run(conn, "score", {**params, "link_run_id": link_run}, __version__)
        write_ad_scores(conn, run_id, _ad_rows(scored, versions))
        if link_run is not None:
            write_cluster_scores(conn, run_id, [_cluster_row(c, link_run) for c in clusters])
        escalated = sum(s.escalate for s in scored.scores)
        counts = {"ads": len(scored.ids), "clusters": len(clusters), "escalations": escalated}
        finish_run(conn, run_id, counts)
        opened = sync_escalations(conn)  # newly escalated ads get an escalation (status new)
    log.info("score run %s: %s; %s escalations opened", run_id, counts, opened)
    return ScoreCounts(run_id, len(scored.ids), len(clusters), escalated, link_run)


def stored_extractions(conn: Connection, version_ids: list[int]) -> list[Extraction | None]:
    """Per version, the selectors the current extractor stored for it (None: not extracted yet,
    or by another extractor version — then scoring extracts it itself)."""
    stored = stored_selectors(conn, version_ids, EXTRACTOR_VERSION)
    out: list[Extraction | None] = []
    for version_id in version_ids:
        found = stored.get(int(version_id))
        if found is None:
            out.append(None)
        else:
            language, rows = found
            out.append(from_spans([span_of(row) for row in rows], language or "und"))
    return out


def _clusters(
    scored: AdBatchScores,
    members: dict[int, str],
    links: list[tuple[str, str]],
    weights: Weights,
) -> list[ClusterResult]:
    rows = [i for i, ad in enumerate(scored.ids) if int(ad) in members]
    if not rows:
        return []
    linked = AdBatchScores(
        [scored.ids[i] for i in rows],
        [scored.scores[i] for i in rows],
        [scored.profile_ads[i] for i in rows],
    )
    cluster_ids = [members[int(ad)] for ad in linked.ids]
    return score_clusters(linked, cluster_ids, links, weights=weights)


def _ad_rows(scored: AdBatchScores, versions: list[int]) -> list[AdScore]:
    return [
        AdScore(
            int(ad),
            int(version),
            s.score,
            s.escalate,
            tuple(r.to_store() for r in s.reasons),
        )
        for ad, version, s in zip(scored.ids, versions, scored.scores, strict=True)
    ]


def _cluster_row(cluster: ClusterResult, link_run: int) -> ClusterScore:
    return ClusterScore(
        cluster.cluster_id,
        link_run,
        cluster.scored.score,
        cluster.scored.escalate,
        len(cluster.ad_ids),
        tuple(r.to_store() for r in cluster.scored.reasons),
        cluster.profile,
    )
