"""Clustering that does not chain: strong links join at once, clusters merge by their templates.

Strong links (a shared non-hub selector, near-copies of text) join ads directly into blocks.
Blocks then merge in rounds by the similarity of their cores: a cluster's core is the set of
shingles that at least `core_share` of its ads contain (for one ad, its own shingles). Edits,
typos and persona details differ from copy to copy and drop out of the core; the template
stays. Two clusters merge when their cores are similar enough (Jaccard, or containment for a
small cluster inside a large one).

In each round a cluster either absorbs others or is absorbed, never both, and cores are
recomputed before the next round: a cluster grows only by what resembles its whole core, so a
path of weak links A-B-C-D does not pull A and D together (a centroid-like linkage). Candidate
cluster pairs come from the weak text links and from LSH over the core signatures.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from adtrace.cluster.components import connected_components
from adtrace.text.lsh import candidate_pairs, choose_rows, unique_pairs
from adtrace.text.minhash import MinHasher, estimate_jaccard
from adtrace.text.shingle import (
    ShingleSets,
    concat_sets,
    intersection_sizes,
    segment_index,
    sort_segments,
)

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
U64Array = npt.NDArray[np.uint64]
U16Array = npt.NDArray[np.uint16]

log = logging.getLogger(__name__)

_CHUNK_CLUSTERS: Final = 1 << 16


@dataclass(frozen=True, slots=True)
class CoreParams:
    """Knobs of core linkage.

    Attributes:
        core_share: share of a cluster's ads that must contain a shingle for it to be in the
            core. Above 0.5 a two-ad core is what both share, which is what stops chains;
            higher keeps only wording nearly every copy has.
        threshold: core Jaccard at which two clusters merge. Lower merges more loosely
            related clusters (more recall, more risk of joining operations that share generic
            wording). Containment is not used between cores: a small core inside a large one
            is too often generic wording; a short ad inside a long one links at ad level.
        pair_threshold: Jaccard at which two single ads merge (their "cores" are their whole
            texts, edits included, so the ad-level link threshold applies, not `threshold`).
        min_core_shingles: clusters whose cores have fewer shingles never merge by template:
            a tiny core (a mixed cluster, a very short ad) matches anything that contains it.
        max_rounds: merging rounds at most (each about halves a template's clusters).
        lsh_rounds: rounds that look for new candidates by LSH over the current cores (a
            merged core is cleaner and finds partners the first look missed); later rounds
            only re-score known candidate pairs. Each look costs about one signature pass.
        num_perm: MinHash permutations for core signatures.
        min_rows: fewest LSH rows per band for core candidates.
        max_candidates_per_cluster: LSH budget per cluster.
        seed: MinHash seed.
    """

    core_share: float = 0.6
    threshold: float = 0.25
    pair_threshold: float = 0.3
    min_core_shingles: int = 8
    max_rounds: int = 8
    lsh_rounds: int = 1
    num_perm: int = 128
    min_rows: int = 2
    max_candidates_per_cluster: float = 50.0
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Merge:
    """One merge: the absorbing cluster, the absorbed one (their smallest ads), the score."""

    round: int
    center: int
    absorbed: int
    score: float


def cluster_cores(
    sets: ShingleSets, labels: IntArray, share: float
) -> tuple[IntArray, ShingleSets]:
    """Core shingle set of every cluster.

    Args:
        sets: shingle sets of the ads.
        labels: cluster label per ad (ads with label -1 are left out).
        share: least share of the cluster's ads holding a shingle.

    Returns:
        The cluster labels in ascending order, and their cores in that order.
    """
    used = labels >= 0
    roots, index = np.unique(labels[used], return_inverse=True)
    sizes = np.bincount(index, minlength=len(roots))
    alone = sizes[index] == 1
    ads = np.flatnonzero(used)
    single = sets.take(ads[alone])  # a one-ad cluster's core is the ad's own set
    group_index = np.full(len(labels), -1, dtype=np.int64)
    groups = np.flatnonzero(sizes > 1)
    group_index[ads[~alone]] = np.searchsorted(groups, index[~alone])
    parts: list[ShingleSets] = []
    for lo in range(0, len(groups), _CHUNK_CLUSTERS):
        hi = min(lo + _CHUNK_CLUSTERS, len(groups))
        parts.append(_chunk_cores(sets, group_index, sizes[groups], lo, hi, share))
    cores = concat_sets([single, *parts])
    order = np.argsort(np.concatenate([roots[sizes == 1], roots[groups]]), kind="stable")
    return roots.astype(np.int64), cores.take(order)


def _chunk_cores(
    sets: ShingleSets, index: IntArray, sizes: IntArray, lo: int, hi: int, share: float
) -> ShingleSets:
    """Cores of clusters lo..hi (by index), counting each cluster's shingles in its own row."""
    ads = np.flatnonzero((index >= lo) & (index < hi))
    ads = ads[np.argsort(index[ads], kind="stable")]
    counts = sets.sizes[ads]
    values = sets.values[segment_index(sets.offsets[ads], counts)]
    per_cluster = np.bincount(index[ads] - lo, weights=counts, minlength=hi - lo).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(per_cluster)]).astype(np.int64)
    values = sort_segments(values, offsets)
    if len(values) == 0:
        return ShingleSets(np.zeros(hi - lo + 1, dtype=np.int64), values)
    cluster = np.repeat(np.arange(hi - lo), per_cluster)
    starts = np.flatnonzero(
        np.concatenate([[True], (values[1:] != values[:-1]) | (cluster[1:] != cluster[:-1])])
    )
    repeats = np.diff(np.append(starts, len(values)))
    owner = cluster[starts]
    need = np.maximum(1, np.ceil(share * sizes[lo:hi][owner] - 1e-9))
    keep = repeats >= need
    per = np.bincount(owner[keep], minlength=hi - lo)
    return ShingleSets(np.concatenate([[0], np.cumsum(per)]).astype(np.int64), values[starts][keep])


@dataclass
class Cores:
    """Current clusters: their roots (smallest ad, ascending), cores and core signatures."""

    roots: IntArray
    cores: ShingleSets
    signatures: U16Array
    position: IntArray

    @property
    def sizes(self) -> IntArray:
        """Core size of each cluster."""
        return self.cores.sizes

    def index_of(self, ads: IntArray) -> IntArray:
        """Cluster index of root ads (-1 for ads that are not a root)."""
        index: IntArray = self.position[ads]
        return index


def _positions(n: int, roots: IntArray) -> IntArray:
    position = np.full(n, -1, dtype=np.int64)
    position[roots] = np.arange(len(roots), dtype=np.int64)
    return position


def _compute_cores(sets: ShingleSets, labels: IntArray, params: CoreParams) -> Cores:
    roots, cores = cluster_cores(sets, labels, params.core_share)
    signatures = MinHasher(params.num_perm, params.seed).signatures(cores)
    return Cores(roots, cores, signatures, _positions(len(labels), roots))


def _update_cores(
    old: Cores, sets: ShingleSets, labels: IntArray, changed: IntArray, params: CoreParams
) -> Cores:
    """Cores after a round: recomputed for the `changed` clusters (by root), kept elsewhere."""
    n = len(labels)
    is_changed = np.zeros(n, dtype=bool)
    is_changed[changed] = True
    fresh = _compute_cores(sets, np.where(is_changed[labels], labels, -1), params)
    unchanged = old.roots[~is_changed[old.roots] & (labels[old.roots] == old.roots)]
    kept = old.index_of(unchanged)
    roots = np.concatenate([unchanged, fresh.roots])
    order = np.argsort(roots, kind="stable")
    cores = concat_sets([old.cores.take(kept), fresh.cores]).take(order)
    signatures = np.concatenate([old.signatures[kept], fresh.signatures])[order]
    return Cores(roots[order], cores, signatures, _positions(n, roots[order]))


def _core_scores(cores: Cores, a: IntArray, b: IntArray, params: CoreParams) -> F64Array:
    """Core Jaccard similarity (0 when either core is below `min_core_shingles`).

    The MinHash estimate screens the pairs; those within three standard errors of the
    threshold, or above it, are scored exactly.
    """
    estimate = estimate_jaccard(cores.signatures, a, b)
    sa, sb = cores.sizes[a], cores.sizes[b]
    big_enough = np.minimum(sa, sb) >= params.min_core_shingles
    margin = 3.0 * 0.5 / np.sqrt(cores.signatures.shape[1])
    check = np.flatnonzero(big_enough & (estimate + margin >= params.threshold))
    exact = np.zeros(len(a))
    inter, _ = intersection_sizes(cores.cores, a[check], b[check])
    exact[check] = inter / np.maximum(sa[check] + sb[check] - inter, 1)
    return exact


def _star_matching(
    a: IntArray, b: IntArray, score: F64Array, sizes: IntArray
) -> list[tuple[int, int, float]]:
    """Greedy merges, best first: a cluster absorbs others or is absorbed, not both."""
    role: dict[int, int] = {}  # 1 centre, 2 absorbed
    merges: list[tuple[int, int, float]] = []
    order = np.lexsort((b, a, -score))
    for u, v, s in zip(a[order].tolist(), b[order].tolist(), score[order].tolist(), strict=True):
        ru, rv = role.get(u, 0), role.get(v, 0)
        if ru == 2 or rv == 2 or (ru == 1 and rv == 1):
            continue
        if ru == 0 and rv == 0:
            centre, other = (u, v) if (sizes[u], -u) >= (sizes[v], -v) else (v, u)
        else:
            centre, other = (u, v) if ru == 1 else (v, u)
        role[centre], role[other] = 1, 2
        merges.append((centre, other, s))
    return merges


def _lsh_candidates(cores: Cores, params: CoreParams) -> tuple[IntArray, IntArray]:
    """Pairs of clusters (as root ads) whose core signatures share an LSH band."""
    valid = cores.sizes > 0
    rows = choose_rows(
        cores.signatures,
        valid=valid,
        min_rows=params.min_rows,
        max_candidates_per_ad=params.max_candidates_per_cluster,
    )
    a, b = candidate_pairs(cores.signatures, rows, valid=valid)
    return cores.roots[a], cores.roots[b]


@dataclass(frozen=True, slots=True)
class Linkage:
    """Result of core linkage.

    Attributes:
        labels: per ad, the smallest ad of its cluster.
        merges: every merge made, in order.
        candidates: the candidate pairs considered, as pairs of ads (reusable by a later
            linkage over coarser clusters).
    """

    labels: IntArray
    merges: list[Merge]
    candidates: tuple[IntArray, IntArray]
    cores: Cores


def _merge_round(
    labels: IntArray, cores: Cores, chosen: list[tuple[int, int, float]]
) -> tuple[IntArray, IntArray]:
    """Labels after merging each absorbed cluster into its centre, and the merged roots."""
    centre_of = np.arange(len(cores.roots), dtype=np.int64)
    for centre, other, _ in chosen:
        centre_of[other] = centre
    new_root = cores.roots.copy()
    np.minimum.at(new_root, centre_of, cores.roots)  # smallest ad of each merged group
    index = cores.index_of(labels)
    merged = np.unique(new_root[centre_of[[c for c, _, _ in chosen]]])
    return new_root[centre_of[index]], merged


def core_linkage(
    sets: ShingleSets,
    strong: tuple[IntArray, IntArray],
    weak: tuple[IntArray, IntArray],
    params: CoreParams,
    *,
    lsh: bool = True,
    start: Linkage | None = None,
) -> Linkage:
    """Cluster ads: strong links join, then clusters merge by core similarity in rounds.

    Candidate cluster pairs (weak links, and LSH over the first round's core signatures) are
    kept as pairs of ads and re-mapped to the current clusters each round; only pairs touching
    a cluster that changed are scored again.

    Args:
        sets: boilerplate-free shingle sets of the ads.
        strong: (a, b) links that join ads directly.
        weak: (a, b) pairs of ads whose clusters should be compared (weak links, or the
            candidates of an earlier linkage).
        params: see `CoreParams`.
        lsh: also find candidate clusters by LSH over the first round's cores.
        start: an earlier linkage whose clusters `strong` only joins further: its cores are
            reused for every cluster the strong links leave unchanged.
    """
    n = len(sets)
    labels = connected_components(n, *strong)
    if start is None:
        cores = _compute_cores(sets, labels, params)
    else:
        joined = np.unique(labels * (n + 1) + start.labels) // (n + 1)
        roots, count = np.unique(joined, return_counts=True)
        cores = _update_cores(start.cores, sets, labels, roots[count > 1], params)
    la, lb = _lsh_candidates(cores, params) if lsh else (weak[0][:0], weak[1][:0])
    cand_a, cand_b = np.concatenate([la, weak[0]]), np.concatenate([lb, weak[1]])
    changed = np.ones(len(cores.roots), dtype=bool)
    merges: list[Merge] = []
    for round_no in range(1, params.max_rounds + 1):
        ia, ib = cores.index_of(labels[cand_a]), cores.index_of(labels[cand_b])
        touched = (ia != ib) & (changed[ia] | changed[ib])
        a, b = unique_pairs(ia[touched], ib[touched], max(len(cores.roots), 1))
        score = _core_scores(cores, a, b, params)
        ads_per = np.bincount(cores.index_of(labels), minlength=len(cores.roots))
        single = (ads_per[a] == 1) & (ads_per[b] == 1)
        keep = score >= np.where(single, params.pair_threshold, params.threshold)
        chosen = _star_matching(a[keep], b[keep], score[keep], ads_per)
        if not chosen:
            break
        merges += [
            Merge(round_no, int(cores.roots[c]), int(cores.roots[o]), sc) for c, o, sc in chosen
        ]
        labels, merged = _merge_round(labels, cores, chosen)
        cores = _update_cores(cores, sets, labels, merged, params)
        changed = np.zeros(len(cores.roots), dtype=bool)
        changed[cores.index_of(merged)] = True
        if lsh and round_no < params.lsh_rounds:  # merged cores are cleaner: look again
            la, lb = _lsh_candidates(cores, params)
            cand_a, cand_b = np.concatenate([cand_a, la]), np.concatenate([cand_b, lb])
        log.debug("core linkage round %d: %d merges", round_no, len(chosen))
    return Linkage(labels, merges, (cand_a, cand_b), cores)
