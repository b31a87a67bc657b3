"""Link runs in the store: the ads they read, and the clusters, links and model files they wrote."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, func, insert, select

from adtrace.store.schema import ad_clusters, ad_links, ad_versions, ads, run_artifacts, runs

ADS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("site", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("posted_at", pa.string()),
        ("city", pa.string()),
    ]
)
"""The columns a link run reads: `id` is the store's ad id, as text."""


def current_ads(conn: Connection, batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """The current version of every ad, in ad id order, as Arrow batches (bounded memory)."""
    query = (
        select(
            ads.c.ad_id,
            ads.c.site,
            ad_versions.c.title,
            ad_versions.c.text,
            ad_versions.c.posted_at,
            ad_versions.c.city,
        )
        .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
        .order_by(ads.c.ad_id)
    )
    result = conn.execution_options(yield_per=batch_rows).execute(query)
    for rows in result.partitions():
        columns = list(zip(*rows, strict=True))
        yield pa.record_batch(
            [
                pa.array([str(v) for v in columns[0]], pa.string()),
                pa.array(columns[1], pa.string()),
                pa.array(columns[2], pa.string()),
                pa.array(columns[3], pa.string()),
                pa.array([None if v is None else str(v) for v in columns[4]], pa.string()),
                pa.array(columns[5], pa.string()),
            ],
            schema=ADS_SCHEMA,
        )


def write_clusters(conn: Connection, run_id: int, clusters: Sequence[tuple[int, str]]) -> None:
    """Store (ad id, cluster id) for every ad of the run."""
    rows = [{"run_id": run_id, "ad_id": ad, "cluster_id": cluster} for ad, cluster in clusters]
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(ad_clusters), rows[start : start + 10_000])


def write_links(conn: Connection, run_id: int, links: Sequence[dict[str, Any]]) -> None:
    """Store the run's evidence links (`a` and `b` are store ad ids as text)."""
    rows = [
        {
            "run_id": run_id,
            "ad_a": int(link["a"]),
            "ad_b": int(link["b"]),
            "cluster_id": link["cluster_id"],
            "score": link["score"],
            "evidence": {k: v for k, v in link.items() if k not in ("a", "b", "cluster_id")},
        }
        for link in links
    ]
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(ad_links), rows[start : start + 10_000])


def write_artifacts(conn: Connection, run_id: int, files: dict[str, bytes]) -> None:
    """Keep the run's model files (the frozen model a later run can reuse)."""
    if files:
        conn.execute(
            insert(run_artifacts),
            [{"run_id": run_id, "name": name, "data": data} for name, data in files.items()],
        )


def latest_link_run(conn: Connection) -> int | None:
    """The newest complete link run, or None."""
    query = select(func.max(runs.c.run_id)).where(
        runs.c.stage == "link", runs.c.status == "complete"
    )
    value = conn.execute(query).scalar()
    return None if value is None else int(value)


def exported_clusters(conn: Connection, run_id: int) -> list[tuple[str, str, str]]:
    """(site, site ad id, cluster id) for every ad of the run, by cluster then site and id."""
    query = (
        select(ads.c.site, ads.c.site_ad_id, ad_clusters.c.cluster_id)
        .join(ads, ads.c.ad_id == ad_clusters.c.ad_id)
        .where(ad_clusters.c.run_id == run_id)
        .order_by(ad_clusters.c.cluster_id, ads.c.site, ads.c.site_ad_id)
    )
    return [(r.site, r.site_ad_id, r.cluster_id) for r in conn.execute(query)]
