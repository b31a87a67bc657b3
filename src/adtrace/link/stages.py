"""The stages of batch linking, each a function over numpy/Arrow data (see `run`)."""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from adtrace.cluster.components import connected_components
from adtrace.cluster.hubs import HubStats, Split, hub_stats, split_giants, star_edges
from adtrace.cluster.linkage import CoreParams, Linkage, Merge, core_linkage
from adtrace.link.batch import AdBatch
from adtrace.link.boilerplate import learn_boilerplate
from adtrace.link.candidates import text_candidates
from adtrace.link.graph import KIND_FLAGS, TEMPLATE, TEXT, LinkGraph, build_graph
from adtrace.link.model import BoilerplateModel, selector_digest
from adtrace.link.params import LinkParams, Signals
from adtrace.link.similarity import PairSimilarity, verify_pairs
from adtrace.text.minhash import MinHasher
from adtrace.text.shingle import ShingleSets, concat_sets, field_sizes, shingle_sets
from adtrace.text.tokens import HASH_VERSION

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
U16Array = npt.NDArray[np.uint16]
Edges = tuple[IntArray, IntArray, F64Array, int]

log = logging.getLogger(__name__)

SELECTOR_WEIGHT: Final = 1.0
WORKERS: Final = 2


class Clock:
    """Seconds per stage, for the run record."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        """Add the time since the last lap to stage `name`."""
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self.last, 3)
        self.last = now


_FORKED: tuple[AdBatch, int] | None = None
"""The batch and shingle size forked workers inherit (set only while a pool runs)."""


def _chunk_shingles(batch: AdBatch, k: int, bounds: tuple[int, int]) -> ShingleSets:
    texts, titles = batch.masked(*bounds)
    return shingle_sets([texts] + ([titles] if titles is not None else []), k=k)


def _forked_chunk(bounds: tuple[int, int]) -> ShingleSets:
    assert _FORKED is not None
    return _chunk_shingles(*_FORKED, bounds)


def batch_shingles(batch: AdBatch, k: int, workers: int = WORKERS) -> ShingleSets:
    """Shingle sets of every ad, chunk by chunk (masked text exists one chunk at a time).

    With `workers` > 1 and a platform that can fork, chunks run in forked processes: folding
    and masking are Python work that threads would serialise. Results are identical either way.
    """
    global _FORKED
    chunks = list(batch.chunks())
    if workers <= 1 or len(chunks) < 2 or "fork" not in mp.get_all_start_methods():
        return concat_sets([_chunk_shingles(batch, k, c) for c in chunks])
    _FORKED = (batch, k)
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            return concat_sets(pool.map(_forked_chunk, chunks))
    finally:
        _FORKED = None


@dataclass(frozen=True, slots=True)
class TextStage:
    """What the text stages produced."""

    clean: ShingleSets
    signatures: U16Array
    boilerplate: BoilerplateModel
    rows: int
    candidates: int
    links: PairSimilarity
    scores: F64Array
    fields: tuple[IntArray, IntArray]


def text_stage(
    batch: AdBatch,
    params: LinkParams,
    seed: int,
    timings: dict[str, float],
    frozen: BoilerplateModel | None = None,
) -> TextStage:
    """Shingles, boilerplate model, signatures, LSH candidates and verified text links.

    Args:
        batch: the ads.
        params: knobs.
        seed: seed of the model sample and the signatures.
        timings: seconds per stage, filled in.
        frozen: a saved boilerplate model to use instead of learning one (incremental runs).

    Raises:
        ValueError: the frozen model was made with another shingle size or hash version.
    """
    clock = Clock(timings)
    raw = batch_shingles(batch, params.shingle_size)
    clock.lap("shingles")
    if frozen is None:
        model = learn_boilerplate(raw, batch.sites, batch.site_names, params, seed)
    elif (frozen.shingle_size, frozen.hash_version) != (params.shingle_size, HASH_VERSION):
        raise ValueError("the frozen model was made with another shingle size or hash version")
    else:
        model = frozen
    clean = raw.drop(model.contains(raw.values))
    del raw
    clock.lap("model")
    signatures = MinHasher(params.num_perm, seed).signatures(clean)
    clock.lap("signatures")
    a, b, rows = text_candidates(clean, signatures, params)
    clock.lap("candidates")
    fields = field_sizes(clean)
    links = verify_pairs(clean, signatures, a, b, params, fields)
    clock.lap("verify")
    log.info(
        "text: %d ads, %d rows per band, %d candidates, %d links",
        len(batch),
        rows,
        len(a),
        len(links),
    )
    return TextStage(clean, signatures, model, rows, len(a), links, links.score(params), fields)


def core_params(params: LinkParams, seed: int) -> CoreParams:
    """The core-linkage knobs of a run."""
    return CoreParams(
        core_share=params.core_share,
        threshold=params.template_threshold,
        pair_threshold=params.jaccard_threshold,
        min_core_shingles=params.min_containment_shingles,
        max_rounds=params.max_rounds,
        num_perm=params.num_perm,
        min_rows=params.lsh_min_rows,
        max_candidates_per_cluster=params.max_candidates_per_ad,
        seed=seed,
    )


def _text_clusters(text: TextStage, params: LinkParams, seed: int) -> Linkage:
    strong = text.scores >= params.strong_threshold
    return core_linkage(
        text.clean,
        (text.links.a[strong], text.links.b[strong]),
        (text.links.a[~strong], text.links.b[~strong]),
        core_params(params, seed),
    )


@dataclass(frozen=True, slots=True)
class Clustering:
    """Final clusters and how they were made.

    Attributes:
        labels: per ad, the smallest ad of its cluster.
        graph: every link (text, selector, template merge).
        hubs: hub statistics per selector code.
        splits: giant clusters split by community detection.
        before_split: labels before the splits.
    """

    labels: IntArray
    graph: LinkGraph
    hubs: HubStats
    splits: list[Split]
    before_split: IntArray


def _selector_edges(batch: AdBatch, hubs: HubStats) -> list[Edges]:
    sel = batch.selectors
    parts = []
    for kind, flag in KIND_FLAGS.items():
        if kind == "text":
            continue
        use = np.asarray([k == kind for k in sel.kinds], dtype=bool) & ~hubs.is_hub
        a, b, _ = star_edges(sel.ad, sel.code, use)
        parts.append((a, b, np.full(len(a), SELECTOR_WEIGHT), flag))
    return parts


def _merge_edges(merges: list[Merge]) -> Edges:
    a = np.asarray([m.center for m in merges], dtype=np.int64)
    b = np.asarray([m.absorbed for m in merges], dtype=np.int64)
    return a, b, np.asarray([m.score for m in merges], dtype=np.float64), TEMPLATE


def _frozen_hubs(batch: AdBatch, hubs: HubStats, digests: set[str]) -> HubStats:
    """The hub verdicts of a saved model instead of this batch's own."""
    sel = batch.selectors
    is_hub = np.asarray(
        [selector_digest(k, v) in digests for k, v in zip(sel.kinds, sel.values, strict=True)],
        dtype=bool,
    )
    return HubStats(hubs.n_ads, hubs.n_groups, is_hub.reshape(len(sel)))


def _hubs(
    batch: AdBatch, text_labels: IntArray, params: LinkParams, frozen_hubs: set[str] | None
) -> HubStats:
    sel = batch.selectors
    hubs = hub_stats(
        sel.ad,
        sel.code,
        len(sel),
        text_labels,
        min_ads=params.hub_min_ads,
        min_groups=params.hub_min_groups,
        group_share=params.hub_group_share,
    )
    return hubs if frozen_hubs is None else _frozen_hubs(batch, hubs, frozen_hubs)


def _joint_linkage(
    text: TextStage, linkage: Linkage, selector_parts: list[Edges], params: LinkParams, seed: int
) -> Linkage:
    """Text clusters joined by selector links, then merged again by core similarity."""
    n = len(text.clean)
    sa, sb = _joined(selector_parts)
    strong = (np.concatenate([np.arange(n), sa]), np.concatenate([linkage.labels, sb]))
    return core_linkage(
        text.clean, strong, linkage.candidates, core_params(params, seed), lsh=False, start=linkage
    )


def cluster_stage(
    batch: AdBatch,
    text: TextStage | None,
    signals: Signals,
    params: LinkParams,
    seed: int,
    frozen_hubs: set[str] | None = None,
) -> Clustering:
    """Hubs, selector links, non-chaining clustering and giant splits.

    `frozen_hubs` (digests from a saved model) replaces hub detection when given.
    """
    n = len(batch)
    linkage = _text_clusters(text, params, seed) if text is not None else None
    text_labels = linkage.labels if linkage is not None else np.arange(n, dtype=np.int64)
    hubs = _hubs(batch, text_labels, params, frozen_hubs)
    selector_parts = _selector_edges(batch, hubs) if signals != "text" else []
    parts = list(selector_parts)
    if text is None or linkage is None or signals == "selectors":
        labels = connected_components(n, *_joined(selector_parts))
    else:
        final = (
            linkage
            if signals == "text"
            else _joint_linkage(text, linkage, selector_parts, params, seed)
        )
        labels = final.labels
        merges = linkage.merges + (final.merges if final is not linkage else [])
        parts += [(text.links.a, text.links.b, text.scores, TEXT), _merge_edges(merges)]
    graph = build_graph(n, parts)
    limit = max(params.giant_min_ads, int(params.giant_share * n))
    split, splits = split_giants(
        labels,
        graph.a,
        graph.b,
        graph.score,
        limit=limit,
        resolution=params.louvain_resolution,
        seed=seed,
    )
    return Clustering(split, graph, hubs, splits, labels)


def _joined(parts: list[Edges]) -> tuple[IntArray, IntArray]:
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
