"""Batch linking on one machine: `link_table` runs the stages in order.

Stages (functions over numpy/Arrow data in `adtrace.link.stages`, so another engine can run the
same steps):

1. prepare: ids, texts, sites; selectors read from list columns or extracted.
2. shingles: selectors masked out, word shingles per field, chunk by chunk.
3. model: boilerplate learned from shingle frequency over near-duplicate groups.
4. signatures and candidates: MinHash of the boilerplate-free sets; LSH banding, plus
   containment anchors for short ads copied inside long ones.
5. verification: MinHash estimate, then exact Jaccard/containment where it matters.
6. text clusters: strong links join; clusters merge by core (template) similarity, in rounds.
7. hubs: selectors whose ads fall in many unrelated text clusters give evidence, not links.
8. clusters: text clusters joined by non-hub selectors, merged again by core similarity;
   giant clusters split by Louvain.
9. evidence: the spanning links of every cluster with exact similarity and shared selectors;
   cluster profiles with the weakest link.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from adtrace import __version__
from adtrace.cluster.components import cluster_ids as name_clusters
from adtrace.cluster.hubs import HubStats, Split
from adtrace.cluster.profiles import cluster_profiles
from adtrace.link.batch import AdBatch, prepare_batch
from adtrace.link.evidence import PairEvidence, explain_pair
from adtrace.link.evidence import link_table as evidence_table
from adtrace.link.graph import LinkGraph, spanning_edges, weakest_edges
from adtrace.link.model import BoilerplateModel, Hub, LinkModel, selector_digest
from adtrace.link.params import LinkParams, Signals
from adtrace.link.similarity import PairSimilarity, concat_similarity, exact_similarity
from adtrace.link.stages import Clock, Clustering, TextStage, cluster_stage, text_stage
from adtrace.text.lsh import LshIndex, band_keys
from adtrace.text.minhash import estimate_jaccard
from adtrace.text.template import Template, extract_template
from adtrace.text.tokens import HASH_VERSION

IntArray = npt.NDArray[np.int64]
U16Array = npt.NDArray[np.uint16]
RUN_FORMAT = 1

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkResult:
    """Everything a link run produced.

    Attributes:
        ids: ad ids by input row.
        cluster_ids: cluster id by input row (every ad has one; an unlinked ad is alone).
        links: evidence records (see `adtrace.link.evidence.LINK_SCHEMA`).
        profiles: one summary row per cluster.
        model: the learned boilerplate and hub model.
        params: the parameters used.
        run: the versioned run record (code version, parameters, seed, counts, timings).
        batch: the prepared ads (for on-demand evidence and templates).
        signatures: the ads' MinHash signatures (None without text).
        lsh_rows: rows per LSH band used by the run.
    """

    ids: list[str]
    cluster_ids: list[str]
    links: pa.Table
    profiles: pa.Table
    model: LinkModel
    params: LinkParams
    run: dict[str, Any]
    batch: AdBatch = field(repr=False)
    signatures: U16Array | None = field(default=None, repr=False)
    lsh_rows: int = 0

    def lsh_index(self) -> LshIndex | None:
        """The LSH index of the ads' text signatures, to match a later batch against this run
        (None when the run had no text)."""
        if self.signatures is None or self.lsh_rows == 0:
            return None
        keys = band_keys(self.signatures, self.lsh_rows)
        return LshIndex(self.ids, keys, self.lsh_rows, self.params.num_perm, self.run["seed"])

    def save(self, directory: Path) -> list[Path]:
        """Write the run record, the model and the LSH index into `directory`.

        Files: ``run.json`` (code version, parameters, seed, counts, timings, splits, hubs),
        ``model.json`` and ``boilerplate.npz`` (see `LinkModel.save`), ``lsh_index.npz``.
        Ad text and selector values are not written (hubs are keyed hashes).
        """
        directory.mkdir(parents=True, exist_ok=True)
        written = self.model.save(directory)
        run_path = directory / "run.json"
        run_path.write_text(json.dumps(self.run, indent=2, sort_keys=True, default=str) + "\n")
        written.append(run_path)
        index = self.lsh_index()
        if index is not None:
            index.save(directory / "lsh_index.npz")
            written.append(directory / "lsh_index.npz")
        return written

    @property
    def clusters(self) -> dict[str, str]:
        """Ad id → cluster id, for every input ad."""
        return dict(zip(self.ids, self.cluster_ids, strict=True))

    def clusters_table(self) -> pa.Table:
        """Columns id, cluster_id in input order."""
        return pa.table({"id": self.ids, "cluster_id": self.cluster_ids})

    def _row(self, ad_id: str) -> int:
        try:
            return self.ids.index(ad_id)
        except ValueError:
            raise KeyError(f"no ad with id {ad_id!r}") from None

    def explain(self, id_a: str, id_b: str) -> PairEvidence:
        """Why two ads look alike: shared passages (spans in both ads' original fields),
        shared selectors, and exact text similarity. Works for any pair, linked or not."""
        a, b = self._row(id_a), self._row(id_b)
        return explain_pair(self.batch, a, b, self.params.shingle_size, self.model.boilerplate)

    def members(self, cluster_id: str) -> list[str]:
        """Ids of a cluster's ads, in input order."""
        return [i for i, c in zip(self.ids, self.cluster_ids, strict=True) if c == cluster_id]

    def template(self, cluster_id: str, *, max_texts: int = 50) -> Template:
        """The template behind a cluster (its common skeleton, with slots), from the first
        `max_texts` ads' bodies with selectors masked."""
        rows = [i for i, c in enumerate(self.cluster_ids) if c == cluster_id][:max_texts]
        if not rows:
            raise KeyError(f"no cluster {cluster_id!r}")
        texts = [self.batch.masked_fields(i)["text"] for i in rows]
        return extract_template(texts, max_texts=max_texts)


def _hub_records(batch: AdBatch, hubs: HubStats) -> tuple[Hub, ...]:
    sel = batch.selectors
    return tuple(
        Hub(
            sel.kinds[c],
            selector_digest(sel.kinds[c], sel.values[c]),
            int(hubs.n_ads[c]),
            int(hubs.n_groups[c]),
        )
        for c in np.flatnonzero(hubs.is_hub).tolist()
    )


def _edge_similarity(graph: LinkGraph, edges: IntArray, text: TextStage | None) -> PairSimilarity:
    """Exact text similarity of the written edges (reusing what verification computed)."""
    a, b = graph.a[edges], graph.b[edges]
    if text is None:
        nan = np.full(len(edges), np.nan)
        none = np.zeros(len(edges), np.int64)
        return PairSimilarity(a, b, nan, nan, nan, nan, nan, none, none.astype(bool))
    links, n = text.links, len(text.clean)
    at = np.minimum(np.searchsorted(links.a * n + links.b, a * n + b), len(links) - 1)
    known = np.zeros(len(a), dtype=bool)
    if len(links):
        known = (links.a[at] == a) & (links.b[at] == b) & links.exact[at]
    reuse, missing = np.flatnonzero(known), np.flatnonzero(~known)
    estimate = estimate_jaccard(text.signatures, a[missing], b[missing])
    fresh = exact_similarity(text.clean, a[missing], b[missing], estimate, text.fields)
    both = concat_similarity([links.select(at[reuse]), fresh])
    return both.select(np.argsort(np.concatenate([reuse, missing]), kind="stable"))


def _written_edges(clustering: Clustering, params: LinkParams) -> IntArray:
    if params.links_output == "all":
        return np.arange(len(clustering.graph), dtype=np.int64)
    return spanning_edges(clustering.graph, clustering.labels)


def _cluster_columns(
    clustering: Clustering, spanning: IntArray, ids: list[str]
) -> dict[str, list[Any]]:
    """Per cluster (in cluster-id order): its weakest link, and the giant it was split from."""
    graph, labels = clustering.graph, clustering.labels
    weakest = weakest_edges(graph, labels, spanning)
    giants = {s.root for s in clustering.splits}
    score: list[float | None] = []
    pair: list[list[str]] = []
    split_from: list[str | None] = []
    for root in np.unique(labels).tolist():  # ids number clusters by their smallest ad
        e = weakest.get(root)
        score.append(None if e is None else round(float(graph.score[e]), 4))
        pair.append([] if e is None else [ids[int(graph.a[e])], ids[int(graph.b[e])]])
        before = int(clustering.before_split[root])
        split_from.append(ids[before] if before in giants else None)
    return {"weakest_score": score, "weakest_link": pair, "split_from": split_from}


def link_table(
    table: pa.Table,
    *,
    signals: Signals = "all",
    params: LinkParams | None = None,
    seed: int = 0,
    model: LinkModel | None = None,
) -> LinkResult:
    """Link ads into likely operations, with evidence.

    Args:
        table: columns `id` and `text`; optional `title`, `site`, `posted_at`, `city`,
            `persona`, and selector list columns `phones`, `emails`, `handles` (when none is
            present, selectors are extracted with `adtrace.extract`).
        signals: "text" links by text only (selectors are still masked out of the text),
            "selectors" by shared phone, e-mail or handle only, "all" by both.
        params: knobs (see `LinkParams`); defaults when None.
        seed: seed of every random choice (MinHash permutations, model sample, Louvain).
            The same input, parameters and seed give the same clusters.
        model: a saved model (`LinkModel.load`) to freeze instead of learning one: the same
            shingles count as boilerplate and the same selectors as hubs (incremental runs).

    Returns:
        The clusters of every ad, evidence links, profiles, the model and the run record.
    """
    params = params or LinkParams()
    timings: dict[str, float] = {}
    clock = Clock(timings)
    batch = prepare_batch(table)
    clock.lap("prepare")
    frozen = model.boilerplate if model is not None else None
    text = text_stage(batch, params, seed, timings, frozen) if len(batch) else None
    clock.last = time.perf_counter()
    hubs_given = model.hub_digests() if model is not None else None
    clustering = cluster_stage(batch, text, signals, params, seed, hubs_given)
    clock.lap("cluster")
    names = name_clusters(clustering.labels)
    links, profiles = _evidence(table, batch, text, clustering, names, params)
    clock.lap("evidence")
    boilerplate = text.boilerplate if text else BoilerplateModel(np.zeros(0, np.uint64))
    learned = LinkModel(boilerplate, _hub_records(batch, clustering.hubs))
    run = _run_record(batch, text, clustering, params, signals, seed, names, links, timings)
    signatures, rows = (text.signatures, text.rows) if text is not None else (None, 0)
    return LinkResult(
        batch.ids, names, links, profiles, learned, params, run, batch, signatures, rows
    )


def _evidence(
    table: pa.Table,
    batch: AdBatch,
    text: TextStage | None,
    clustering: Clustering,
    names: list[str],
    params: LinkParams,
) -> tuple[pa.Table, pa.Table]:
    """The written links with their evidence, and the cluster profiles."""
    graph = clustering.graph
    edges = _written_edges(clustering, params)
    similarity = _edge_similarity(graph, edges, text)
    sel = batch.selectors
    links = evidence_table(batch.ids, names, graph, edges, similarity, sel, clustering.hubs.is_hub)
    spanning = (
        edges if params.links_output == "spanning" else spanning_edges(graph, clustering.labels)
    )
    kinds = [sel.kinds[c] for c in sel.code.tolist()]
    values = [sel.values[c] for c in sel.code.tolist()]
    profiles = cluster_profiles(
        table,
        names,
        sel.ad.tolist(),
        kinds,
        values,
        _cluster_columns(clustering, spanning, batch.ids),
    )
    return links, profiles


def _run_record(
    batch: AdBatch,
    text: TextStage | None,
    clustering: Clustering,
    params: LinkParams,
    signals: Signals,
    seed: int,
    names: list[str],
    links: pa.Table,
    timings: dict[str, float],
) -> dict[str, Any]:
    return {
        "format": RUN_FORMAT,
        "code_version": __version__,
        "hash_version": HASH_VERSION,
        "params": params.to_dict(),
        "signals": signals,
        "seed": seed,
        "counts": {
            "ads": len(batch),
            "clusters": len(set(names)),
            "links_written": links.num_rows,
            "graph_edges": len(clustering.graph),
            "text_candidates": text.candidates if text else 0,
            "text_links": len(text.links) if text else 0,
            "lsh_rows": text.rows if text else 0,
            "hubs": int(clustering.hubs.is_hub.sum()),
        },
        "splits": [{**vars_of(s), "root": batch.ids[s.root]} for s in clustering.splits],
        "model": (text.boilerplate.summary() if text else {}),
        "timings": timings,
    }


def vars_of(split: Split) -> dict[str, Any]:
    """A split as a JSON-able dict."""
    return {name: getattr(split, name) for name in split.__dataclass_fields__}
