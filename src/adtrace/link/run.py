"""Batch linking on one machine: `link_table` runs the stages in order.

Stages (each a pure function over numpy/Arrow batches, so another engine can run them):

1. prepare: selectors read or extracted; their spans masked out of title and body.
2. shingles: word shingles per field (`adtrace.text.shingle`).
3. model: boilerplate learned from shingle frequency over near-duplicate groups.
4. signatures and candidates: MinHash of the boilerplate-free sets, LSH banding.
5. verification: estimate, then exact Jaccard/containment where it matters.
6. text clusters: strong links join, weak links by average linkage.
7. selectors: hub detection against the text clusters; non-hub selectors link their ads.
8. clusters: text and selector links together; giant clusters split by Louvain.
9. evidence: spanning links per cluster with exact similarity and shared selectors;
   cluster profiles with the weakest link.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from adtrace import __version__
from adtrace.cluster.components import cluster_ids as name_clusters
from adtrace.cluster.hubs import HubStats, Split, hub_stats, split_giants, star_edges
from adtrace.cluster.components import connected_components
from adtrace.cluster.linkage import CoreParams, Merge, core_linkage
from adtrace.cluster.profiles import cluster_profiles
from adtrace.link.boilerplate import learn_boilerplate
from adtrace.link.evidence import link_table as evidence_table
from adtrace.link.graph import (
    KIND_FLAGS,
    TEMPLATE,
    TEXT,
    LinkGraph,
    build_graph,
    spanning_edges,
    weakest_edges,
)
from adtrace.link.model import BoilerplateModel, Hub, LinkModel, selector_digest
from adtrace.link.params import LinkParams, Signals
from adtrace.link.selectors import (
    Selectors,
    build_selectors,
    extract_selectors,
    selectors_from_columns,
)
from adtrace.link.similarity import PairSimilarity, exact_similarity, verify_pairs
from adtrace.text.lsh import candidate_pairs, choose_rows
from adtrace.text.minhash import MinHasher, estimate_jaccard
from adtrace.text.normalise import mask_spans, mask_values, strip_placeholders
from adtrace.text.shingle import ShingleSets, shingle_sets

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
U16Array = npt.NDArray[np.uint16]

log = logging.getLogger(__name__)

SELECTOR_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class AdBatch:
    """The ads of one run, as the stages need them.

    Attributes:
        ids: ad ids by row.
        texts: body texts (None read as "").
        titles: titles, or None when the input has none.
        sites: site code per row (-1 unknown).
        site_names: the sites.
        selectors: selectors per ad.
        masked_texts: bodies with selectors masked (same length as `texts`).
        masked_titles: titles with selectors masked.
    """

    ids: list[str]
    texts: list[str]
    titles: list[str] | None
    sites: IntArray
    site_names: list[str]
    selectors: Selectors
    masked_texts: list[str]
    masked_titles: list[str] | None

    def __len__(self) -> int:
        return len(self.ids)


def _strings(table: pa.Table, name: str) -> list[str] | None:
    if name not in table.column_names:
        return None
    return [s or "" for s in pc.cast(table.column(name), pa.string()).to_pylist()]


def _sites(table: pa.Table) -> tuple[IntArray, list[str]]:
    if "site" not in table.column_names:
        return np.full(table.num_rows, -1, dtype=np.int64), []
    encoded = pc.cast(table.column("site"), pa.string()).combine_chunks().dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [str(s) for s in encoded.dictionary.to_pylist()]


def prepare_batch(table: pa.Table) -> AdBatch:
    """Read ids, texts, sites and selectors; mask selectors out of the texts.

    Raises:
        ValueError: the table has no `id` or no `text` column, or repeated ids.
    """
    for required in ("id", "text"):
        if required not in table.column_names:
            found = ", ".join(table.column_names) or "none"
            raise ValueError(f"the input has no {required!r} column (columns found: {found})")
    ids = _strings(table, "id") or []
    if len(set(ids)) != len(ids):
        raise ValueError("the input repeats ad ids; ids must be unique")
    texts = _strings(table, "text") or []
    titles = _strings(table, "title")
    selectors = selectors_from_columns(table)
    if selectors is None:
        selectors = extract_selectors(texts, titles)
    if selectors is None:
        log.warning("no selector columns and adtrace.extract is unavailable: text only")
        selectors = build_selectors([], [], [])
    masked_texts, masked_titles = _mask(texts, titles, selectors)
    sites, site_names = _sites(table)
    return AdBatch(ids, texts, titles, sites, site_names, selectors, masked_texts,
                   masked_titles)


def _mask(texts: list[str], titles: list[str] | None, selectors: Selectors
          ) -> tuple[list[str], list[str] | None]:
    """Selectors masked out of bodies and titles (by span when known, else by value)."""
    masked = [strip_placeholders(t) for t in texts]
    masked_titles = [strip_placeholders(t) for t in titles] if titles is not None else None
    spans = selectors.spans
    bounds = np.searchsorted(spans.ad, np.arange(len(texts) + 1))
    with_spans = np.flatnonzero(np.diff(bounds) > 0)
    for i in with_spans.tolist():
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        masked[i] = mask_spans(masked[i], spans.of_ad(lo, hi, title=False))
        if masked_titles is not None:
            masked_titles[i] = mask_spans(masked_titles[i], spans.of_ad(lo, hi, title=True))
    by_value = np.setdiff1d(np.unique(selectors.ad), with_spans)
    if len(by_value):
        values = selectors.values_of(len(texts))
        for i in by_value.tolist():
            masked[i] = mask_values(masked[i], values[i])
            if masked_titles is not None:
                masked_titles[i] = mask_values(masked_titles[i], values[i])
    return masked, masked_titles


@dataclass(frozen=True, slots=True)
class TextStage:
    """What the text stages produced."""

    raw: ShingleSets
    clean: ShingleSets
    signatures: U16Array
    boilerplate: BoilerplateModel
    rows: int
    candidates: int
    links: PairSimilarity
    scores: F64Array


def text_stage(batch: AdBatch, params: LinkParams, seed: int,
               timings: dict[str, float]) -> TextStage:
    """Shingles, boilerplate model, signatures, LSH candidates and verified text links."""
    clock = _Clock(timings)
    fields = [batch.masked_texts] + ([batch.masked_titles] if batch.masked_titles else [])
    raw = shingle_sets(fields, k=params.shingle_size)
    clock.lap("shingles")
    model = learn_boilerplate(raw, batch.sites, batch.site_names, params, seed)
    clean = raw.drop(model.contains(raw.values))
    clock.lap("model")
    signatures = MinHasher(params.num_perm, seed).signatures(clean)
    clock.lap("signatures")
    valid = clean.sizes > 0
    rows = params.lsh_rows or choose_rows(
        signatures, valid=valid, min_rows=params.lsh_min_rows,
        max_candidates_per_ad=params.max_candidates_per_ad, max_bucket=params.max_bucket)
    a, b = candidate_pairs(signatures, rows, valid=valid, max_bucket=params.max_bucket)
    clock.lap("candidates")
    links = verify_pairs(clean, signatures, a, b, params)
    clock.lap("verify")
    log.info("text: %d ads, %d rows per band, %d candidates, %d links", len(batch), rows,
             len(a), len(links))
    return TextStage(raw, clean, signatures, model, rows, len(a), links, links.score(params))


def core_params(params: LinkParams, seed: int) -> CoreParams:
    """The core-linkage knobs of a run."""
    return CoreParams(core_share=params.core_share, threshold=params.template_threshold,
                      min_core_shingles=params.min_containment_shingles,
                      max_rounds=params.max_rounds, num_perm=params.num_perm,
                      min_rows=params.lsh_min_rows,
                      max_candidates_per_cluster=params.max_candidates_per_ad, seed=seed)


def _text_clusters(text: TextStage, params: LinkParams, seed: int
                   ) -> tuple[IntArray, list[Merge]]:
    strong = text.scores >= params.strong_threshold
    return core_linkage(text.clean, (text.links.a[strong], text.links.b[strong]),
                        (text.links.a[~strong], text.links.b[~strong]), core_params(params, seed))


class _Clock:
    """Seconds per stage, for the run record."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self.last, 3)
        self.last = now


@dataclass(frozen=True, slots=True)
class Clustering:
    """Final clusters and how they were made."""

    labels: IntArray
    graph: LinkGraph
    hubs: HubStats
    splits: list[Split]


def _selector_edges(batch: AdBatch, hubs: HubStats) -> list[tuple[IntArray, IntArray, F64Array,
                                                                  int]]:
    sel = batch.selectors
    parts = []
    for kind, flag in KIND_FLAGS.items():
        if kind == "text":
            continue
        use = np.asarray([k == kind for k in sel.kinds], dtype=bool) & ~hubs.is_hub
        a, b, _ = star_edges(sel.ad, sel.code, use)
        parts.append((a, b, np.full(len(a), SELECTOR_WEIGHT), flag))
    return parts


def _merge_edges(merges: list[Merge]) -> tuple[IntArray, IntArray, F64Array, int]:
    a = np.asarray([m.center for m in merges], dtype=np.int64)
    b = np.asarray([m.absorbed for m in merges], dtype=np.int64)
    return a, b, np.asarray([m.score for m in merges], dtype=np.float64), TEMPLATE


def cluster_stage(batch: AdBatch, text: TextStage | None, signals: Signals, params: LinkParams,
                  seed: int) -> Clustering:
    """Hubs, selector links, non-chaining clustering and giant splits."""
    n = len(batch)
    sel = batch.selectors
    merges: list[Merge] = []
    if text is not None:
        text_labels, merges = _text_clusters(text, params, seed)
    else:
        text_labels = np.arange(n, dtype=np.int64)
    hubs = hub_stats(sel.ad, sel.code, len(sel), text_labels, min_ads=params.hub_min_ads,
                     min_groups=params.hub_min_groups, group_share=params.hub_group_share)
    parts: list[tuple[IntArray, IntArray, F64Array, int]] = []
    selector_parts = _selector_edges(batch, hubs) if signals != "text" else []
    if signals == "selectors" or text is None:
        labels = connected_components(n, *_joined(selector_parts))
        merges = []
    elif signals == "text":
        labels = text_labels
    else:
        sa, sb = _joined(selector_parts)
        weak = text.scores < params.strong_threshold
        labels, more = core_linkage(
            text.clean, (np.concatenate([np.arange(n), sa]), np.concatenate([text_labels, sb])),
            (text.links.a[weak], text.links.b[weak]), core_params(params, seed))
        merges += more
    if text is not None and signals != "selectors":
        parts += [(text.links.a, text.links.b, text.scores, TEXT), _merge_edges(merges)]
    graph = build_graph(n, parts + selector_parts)
    limit = max(params.giant_min_ads, int(params.giant_share * n))
    labels, splits = split_giants(labels, graph.a, graph.b, graph.score, limit=limit,
                                  resolution=params.louvain_resolution, seed=seed)
    return Clustering(labels, graph, hubs, splits)


def _joined(parts: list[tuple[IntArray, IntArray, F64Array, int]]) -> tuple[IntArray, IntArray]:
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


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
    """

    ids: list[str]
    cluster_ids: list[str]
    links: pa.Table
    profiles: pa.Table
    model: LinkModel
    params: LinkParams
    run: dict[str, Any]
    batch: AdBatch = field(repr=False)

    @property
    def clusters(self) -> dict[str, str]:
        """Ad id → cluster id, for every input ad."""
        return dict(zip(self.ids, self.cluster_ids, strict=True))

    def clusters_table(self) -> pa.Table:
        """Columns id, cluster_id in input order."""
        return pa.table({"id": self.ids, "cluster_id": self.cluster_ids})


def _hub_records(batch: AdBatch, hubs: HubStats) -> tuple[Hub, ...]:
    sel = batch.selectors
    return tuple(
        Hub(sel.kinds[c], selector_digest(sel.kinds[c], sel.values[c]), int(hubs.n_ads[c]),
            int(hubs.n_groups[c]))
        for c in np.flatnonzero(hubs.is_hub).tolist()
    )


def _edge_similarity(graph: LinkGraph, edges: IntArray, text: TextStage | None
                     ) -> PairSimilarity:
    a, b = graph.a[edges], graph.b[edges]
    if text is None:
        nan = np.full(len(edges), np.nan)
        return PairSimilarity(a, b, nan, nan, nan, nan, nan, np.zeros(len(edges), np.int64))
    estimate = estimate_jaccard(text.signatures, a, b)
    return exact_similarity(text.clean, a, b, estimate)


def _written_edges(clustering: Clustering, params: LinkParams) -> IntArray:
    if params.links_output == "all":
        return np.arange(len(clustering.graph), dtype=np.int64)
    return spanning_edges(clustering.graph, clustering.labels)


def _weakest_columns(clustering: Clustering, spanning: IntArray, ids: list[str],
                     names: list[str]) -> dict[str, list[Any]]:
    graph, labels = clustering.graph, clustering.labels
    weakest = weakest_edges(graph, labels, spanning)
    split_of = {s.root: s for s in clustering.splits}
    roots = sorted(set(labels.tolist()), key=lambda r: names[r])
    score: list[float | None] = []
    pair: list[list[str]] = []
    for root in roots:
        e = weakest.get(root)
        score.append(None if e is None else round(float(graph.score[e]), 4))
        pair.append([] if e is None else [ids[int(graph.a[e])], ids[int(graph.b[e])]])
    del split_of
    return {"weakest_score": score, "weakest_link": pair}


def link_table(
    table: pa.Table,
    *,
    signals: Signals = "all",
    params: LinkParams | None = None,
    seed: int = 0,
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

    Returns:
        The clusters of every ad, evidence links, profiles, the model and the run record.
    """
    params = params or LinkParams()
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    batch = prepare_batch(table)
    clock.lap("prepare")
    text = text_stage(batch, params, seed, timings) if len(batch) else None
    clock.last = time.perf_counter()
    clustering = cluster_stage(batch, text, signals, params, seed)
    clock.lap("cluster")
    names = name_clusters(clustering.labels)
    edges = _written_edges(clustering, params)
    hubs = _hub_records(batch, clustering.hubs)
    links = evidence_table(batch.ids, names, clustering.graph, edges,
                           _edge_similarity(clustering.graph, edges, text), batch.selectors,
                           clustering.hubs.is_hub)
    spanning = edges if params.links_output == "spanning" else spanning_edges(
        clustering.graph, clustering.labels)
    sel = batch.selectors
    profiles = cluster_profiles(
        table, names, sel.ad.tolist(), [sel.kinds[c] for c in sel.code.tolist()],
        [sel.values[c] for c in sel.code.tolist()],
        _weakest_columns(clustering, spanning, batch.ids, names))
    clock.lap("evidence")
    model = LinkModel(text.boilerplate if text else BoilerplateModel(np.zeros(0, np.uint64)),
                      hubs)
    run = _run_record(batch, text, clustering, params, signals, seed, names, links, timings)
    return LinkResult(batch.ids, names, links, profiles, model, params, run, batch)


def _run_record(batch: AdBatch, text: TextStage | None, clustering: Clustering,
                params: LinkParams, signals: Signals, seed: int, names: list[str],
                links: pa.Table, timings: dict[str, float]) -> dict[str, Any]:
    return {
        "code_version": __version__,
        "params": params.to_dict(),
        "signals": signals,
        "seed": seed,
        "counts": {
            "ads": len(batch), "clusters": len(set(names)), "links_written": links.num_rows,
            "graph_edges": len(clustering.graph),
            "text_candidates": text.candidates if text else 0,
            "text_links": len(text.links) if text else 0,
            "lsh_rows": text.rows if text else 0,
            "hubs": int(clustering.hubs.is_hub.sum()),
        },
        "splits": [vars_of(s) for s in clustering.splits],
        "model": (text.boilerplate.summary() if text else {}),
        "timings": timings,
    }


def vars_of(split: Split) -> dict[str, Any]:
    """A split as a JSON-able dict."""
    return {name: getattr(split, name) for name in split.__dataclass_fields__}
