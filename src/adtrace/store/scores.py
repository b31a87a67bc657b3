"""Score runs in the store: review-priority scores of ads and clusters, with their reasons.

A score run (stage ``"score"`` in `runs`) scores the current version of every ad and every cluster
of one link run. Readers see only the newest *complete* score run, so a run being written is never
half-visible. A score is a review priority with its evidence, never a finding.

Every reason is a JSON object with these keys (``adtrace.indicators.Reason.to_json`` writes them):

- ``indicator``: the indicator id of indicators.csv (``"A01"``, ``"C03"``...);
- ``name_en``, ``name_fr``: its names in English and French;
- ``tier``: evidence tier (V, S, O, H, X, or ``escalate`` for A04);
- ``weight``: the tier's weight used; ``points``: what the reason added to the score;
- ``field``: ``"title"`` or ``"text"`` for a matched span, None for a computed figure;
- ``span``: ``[start, end]`` in the original field, or None;
- ``evidence_en``, ``evidence_fr``: the lexicon entry that matched, or the computed figure, in
  words (never the ad's text: the span points at it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, func, insert, select, true

from adtrace.store.schema import ad_links, ad_versions, ads, cluster_scores, runs
from adtrace.store.schema import ad_scores as ad_scores_table

SCORE_STAGE = "score"
_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class AdScore:
    """The review priority of one ad version.

    Attributes:
        ad_id: the store's ad id.
        version_id: the ad version that was scored.
        score: review priority, 0 or more (higher: open first); not a probability.
        escalate: an explicit minor reference (A04) was found: human review now, whatever the score.
        reasons: the indicators behind the score (see the module docstring for the keys).
        run_id: the score run (0 before it is written).
    """

    ad_id: int
    version_id: int
    score: float
    escalate: bool
    reasons: tuple[dict[str, Any], ...] = ()
    run_id: int = 0


@dataclass(frozen=True, slots=True)
class ClusterScore:
    """The review priority of one cluster of a link run.

    Attributes:
        cluster_id: the link run's cluster id.
        link_run_id: the link run whose clusters were scored.
        score: review priority, 0 or more; cluster-level signals that agree count most.
        escalate: at least one ad of the cluster is escalated (A04).
        n_ads: ads in the cluster.
        reasons: the indicators behind the score (see the module docstring).
        profile: the cluster's profile (personas, movement, posting rate, sites, area codes,
            template reuse, hub selectors; see ``adtrace.indicators.profile``).
        run_id: the score run (0 before it is written).
    """

    cluster_id: str
    link_run_id: int
    score: float
    escalate: bool
    n_ads: int
    reasons: tuple[dict[str, Any], ...] = ()
    profile: dict[str, Any] = field(default_factory=dict)
    run_id: int = 0


def latest_score_run(conn: Connection) -> int | None:
    """The newest complete score run, or None."""
    query = select(func.max(runs.c.run_id)).where(
        runs.c.stage == SCORE_STAGE, runs.c.status == "complete"
    )
    value = conn.execute(query).scalar()
    return None if value is None else int(value)


SCORING_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("version_id", pa.int64()),
        ("site", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("posted_at", pa.timestamp("us", tz="UTC")),
        ("city", pa.string()),
        ("age", pa.int64()),
    ]
)
"""What a score run reads of every ad: `id` is the store's ad id, as text."""


def scoring_ads(conn: Connection) -> pa.Table:
    """The current version of every ad, in ad id order, with what scoring reads."""
    query = (
        select(
            ads.c.ad_id,
            ads.c.current_version_id,
            ads.c.site,
            ad_versions.c.title,
            ad_versions.c.text,
            ad_versions.c.posted_at,
            ad_versions.c.city,
            ad_versions.c.age,
        )
        .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
        .order_by(ads.c.ad_id)
    )
    rows = conn.execute(query).all()
    columns: list[Sequence[Any]] = (
        list(zip(*rows, strict=True)) if rows else [() for _ in SCORING_SCHEMA]
    )
    arrays = [pa.array([str(v) for v in columns[0]], pa.string())]
    arrays += [
        pa.array(list(values), field.type)
        for values, field in zip(columns[1:], list(SCORING_SCHEMA)[1:], strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=SCORING_SCHEMA)


def text_links(conn: Connection) -> list[tuple[str, str]]:
    """Pairs of ad ids (as text) whose current link includes shared text (template reuse)."""
    query = select(ad_links.c.ad_a, ad_links.c.ad_b, ad_links.c.evidence)
    return [
        (str(row.ad_a), str(row.ad_b))
        for row in conn.execute(query)
        if "text" in (row.evidence or {}).get("kinds", [])
    ]


def write_ad_scores(conn: Connection, run_id: int, rows: Sequence[AdScore]) -> None:
    """Store the ad scores of a score run (their own `run_id` is ignored)."""
    records = [
        {
            "run_id": run_id,
            "ad_id": row.ad_id,
            "version_id": row.version_id,
            "score": float(row.score),
            "escalate": bool(row.escalate),
            "reasons": list(row.reasons),
        }
        for row in rows
    ]
    for start in range(0, len(records), _CHUNK):
        conn.execute(insert(ad_scores_table), records[start : start + _CHUNK])


def write_cluster_scores(conn: Connection, run_id: int, rows: Sequence[ClusterScore]) -> None:
    """Store the cluster scores of a score run (their own `run_id` is ignored)."""
    records = [
        {
            "run_id": run_id,
            "cluster_id": row.cluster_id,
            "link_run_id": row.link_run_id,
            "score": float(row.score),
            "escalate": bool(row.escalate),
            "n_ads": row.n_ads,
            "reasons": list(row.reasons),
            "profile": row.profile,
        }
        for row in rows
    ]
    for start in range(0, len(records), _CHUNK):
        conn.execute(insert(cluster_scores), records[start : start + _CHUNK])


def ad_scores(conn: Connection, ad_ids: Sequence[int]) -> dict[int, AdScore]:
    """Scores of these ads in the newest complete score run (ads it did not score are absent)."""
    run_id = latest_score_run(conn)
    found: dict[int, AdScore] = {}
    if run_id is None:
        return found
    unique = sorted({int(a) for a in ad_ids})
    for start in range(0, len(unique), _CHUNK):
        query = select(ad_scores_table).where(
            ad_scores_table.c.run_id == run_id,
            ad_scores_table.c.ad_id.in_(unique[start : start + _CHUNK]),
        )
        found.update({score.ad_id: score for score in _ad_rows(conn.execute(query).mappings())})
    return found


def cluster_score(conn: Connection, cluster_id: str) -> ClusterScore | None:
    """The score of one cluster in the newest complete score run, or None."""
    run_id = latest_score_run(conn)
    if run_id is None:
        return None
    query = select(cluster_scores).where(
        cluster_scores.c.run_id == run_id, cluster_scores.c.cluster_id == cluster_id
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else _cluster_row(row)


def ranked_clusters(conn: Connection, *, limit: int, offset: int = 0) -> list[ClusterScore]:
    """Clusters in review-priority order: highest score first, then escalated, then larger,
    then by cluster id (a stable order for paging)."""
    run_id = latest_score_run(conn)
    if run_id is None:
        return []
    query = (
        select(cluster_scores)
        .where(cluster_scores.c.run_id == run_id)
        .order_by(
            cluster_scores.c.score.desc(),
            cluster_scores.c.escalate.desc(),
            cluster_scores.c.n_ads.desc(),
            cluster_scores.c.cluster_id,
        )
        .limit(limit)
        .offset(offset)
    )
    return [_cluster_row(row) for row in conn.execute(query).mappings()]


def escalations(conn: Connection, *, limit: int, offset: int = 0) -> list[AdScore]:
    """Ads flagged for immediate human review (A04) in the newest complete score run,
    highest score first, then by ad id."""
    run_id = latest_score_run(conn)
    if run_id is None:
        return []
    query = (
        select(ad_scores_table)
        .where(ad_scores_table.c.run_id == run_id, ad_scores_table.c.escalate == true())
        .order_by(ad_scores_table.c.score.desc(), ad_scores_table.c.ad_id)
        .limit(limit)
        .offset(offset)
    )
    return list(_ad_rows(conn.execute(query).mappings()))


def _ad_rows(rows: Any) -> Iterator[AdScore]:
    for row in rows:
        yield AdScore(
            ad_id=int(row["ad_id"]),
            version_id=int(row["version_id"]),
            score=float(row["score"]),
            escalate=bool(row["escalate"]),
            reasons=tuple(row["reasons"]),
            run_id=int(row["run_id"]),
        )


def _cluster_row(row: Any) -> ClusterScore:
    return ClusterScore(
        cluster_id=str(row["cluster_id"]),
        link_run_id=int(row["link_run_id"]),
        score=float(row["score"]),
        escalate=bool(row["escalate"]),
        n_ads=int(row["n_ads"]),
        reasons=tuple(row["reasons"]),
        profile=dict(row["profile"]),
        run_id=int(row["run_id"]),
    )
