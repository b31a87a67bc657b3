"""The link stage on the store: link the current version of every ad, keep the run's clusters,
evidence links and model in the store.

Every run is a full batch run for now; incremental runs under a frozen model are the next step.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from sqlalchemy import Engine

from adtrace import __version__
from adtrace.link import LinkParams, LinkResult, Signals, link_table
from adtrace.link.evidence import link_record
from adtrace.store.clusters import (
    ADS_SCHEMA,
    current_ads,
    write_artifacts,
    write_clusters,
    write_links,
)
from adtrace.store.runs import finish_run, start_run

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkCounts:
    """What a link run on the store did."""

    run_id: int
    ads: int
    clusters: int
    links: int


def link_store(engine: Engine, *, signals: Signals = "all", seed: int = 0) -> LinkCounts:
    """Link every ad's current version; store the run, its clusters, links and model in one go.

    The whole run is one transaction: a failure leaves no half-written run behind.
    """
    with engine.connect() as conn:
        table = pa.Table.from_batches(list(current_ads(conn)), schema=ADS_SCHEMA)
    params = LinkParams()
    result = link_table(table, signals=signals, params=params, seed=seed)
    ad_ids = [int(ad) for ad in result.ids]
    links = [link_record(row) for row in result.links.to_pylist()]
    with engine.begin() as conn:
        record = json.loads(json.dumps(dict(result.run, signals=signals), default=str))
        run_id = start_run(conn, "link", record, __version__)
        write_clusters(conn, run_id, list(zip(ad_ids, result.cluster_ids, strict=True)))
        write_links(conn, run_id, links)
        write_artifacts(conn, run_id, _model_files(result))
        clusters = len(set(result.cluster_ids))
        counts = {"ads": len(ad_ids), "clusters": clusters, "links": len(links)}
        finish_run(conn, run_id, counts)
    log.info("link run %s: %s", run_id, counts)
    return LinkCounts(run_id, len(ad_ids), clusters, len(links))


def _model_files(result: LinkResult) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="adtrace-link-") as folder:
        return {path.name: path.read_bytes() for path in result.save(Path(folder))}
