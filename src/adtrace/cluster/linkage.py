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
    VALUE_MASK,
    ShingleSets,
    concat_sets,
    intersection_sizes,
    segment_index,
)

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
U64Array = npt.NDArray[np.uint64]
U16Array = npt.NDArray[np.uint16]

log = logging.getLogger(__name__)

_CLUSTER_SHIFT: Final = np.uint64(48)
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
        min_core_shingles: clusters whose cores have fewer shingles never merge by template:
            a tiny core (a mixed cluster, a very short ad) matches anything that contains it.
        max_rounds: merging rounds at most (each about halves a template's clusters).
        num_perm: MinHash permutations for core signatures.
        min_rows: fewest LSH rows per band for core candidates.
        max_candidates_per_cluster: LSH budget per cluster.
        seed: MinHash seed.
    """

    core_share: float = 0.6
    threshold: float = 0.25
    min_core_shingles: int = 8
    max_rounds: int = 8
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


def cluster_cores(sets: ShingleSets, labels: IntArray, share: float
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
    full_index = np.full(len(labels), -1, dtype=np.int64)
    full_index[used] = index
    sizes = np.bincount(index, minlength=len(roots))
    parts: list[ShingleSets] = []
    for lo in range(0, len(roots), _CHUNK_CLUSTERS):
        hi = min(lo + _CHUNK_CLUSTERS, len(roots))
        parts.append(_chunk_cores(sets, full_index, sizes, lo, hi, share))
    offsets = np.concatenate([[0], np.cumsum(np.concatenate([p.sizes for p in parts]))]) \
        if parts else np.zeros(1)
    values = np.concatenate([p.values for p in parts]) if parts else np.zeros(0, np.uint64)
    return roots.astype(np.int64), ShingleSets(offsets.astype(np.int64), values)


def _chunk_cores(sets: ShingleSets, index: IntArray, sizes: IntArray, lo: int, hi: int,
                 share: float) -> ShingleSets:
    ads = np.flatnonzero((index >= lo) & (index < hi))
    counts = sets.sizes[ads]
    values = sets.values[segment_index(sets.offsets[ads], counts)]
    local = np.repeat(index[ads] - lo, counts).astype(np.uint64)
    keys = np.sort((local << _CLUSTER_SHIFT) | values)
    if len(keys) == 0:
        return ShingleSets(np.zeros(hi - lo + 1, dtype=np.int64), keys)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    repeats = np.diff(np.append(starts, len(keys)))
    cluster = (keys[starts] >> _CLUSTER_SHIFT).astype(np.int64)
    need = np.maximum(1, np.ceil(share * sizes[lo:hi][cluster] - 1e-9))
    keep = repeats >= need
    kept = keys[starts][keep]
    per = np.bincount(cluster[keep], minlength=hi - lo)
    return ShingleSets(np.concatenate([[0], np.cumsum(per)]).astype(np.int64), kept & VALUE_MASK)


@dataclass
class _Cores:
    """Current clusters: their roots (smallest ad), cores and core signatures."""

    roots: IntArray
    cores: ShingleSets
    signatures: U16Array

    @property
    def sizes(self) -> IntArray:
        return self.cores.sizes

    def index_of(self, ads: IntArray) -> IntArray:
        return np.searchsorted(self.roots, ads)  # type: ignore[no-any-return]


def _compute_cores(sets: ShingleSets, labels: IntArray, params: CoreParams) -> _Cores:
    roots, cores = cluster_cores(sets, labels, params.core_share)
    signatures = MinHasher(params.num_perm, params.seed).signatures(cores)
    return _Cores(roots, cores, signatures)


def _update_cores(old: _Cores, sets: ShingleSets, labels: IntArray, centres: IntArray,
                  params: CoreParams) -> _Cores:
    """Cores after a round: recomputed for the clusters that absorbed others, kept elsewhere."""
    roots = np.unique(labels)
    changed_labels = np.where(np.isin(labels, centres), labels, -1)
    fresh = _compute_cores(sets, changed_labels, params)
    is_fresh = np.isin(roots, fresh.roots)
    kept = old.index_of(roots[~is_fresh])
    order = np.argsort(np.concatenate([roots[~is_fresh], fresh.roots]), kind="stable")
    cores = concat_sets([old.cores.take(kept), fresh.cores]).take(order)
    signatures = np.concatenate([old.signatures[kept], fresh.signatures])[order]
    return _Cores(roots, cores, signatures)


def _core_scores(cores: _Cores, a: IntArray, b: IntArray, params: CoreParams) -> F64Array:
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


def _star_matching(a: IntArray, b: IntArray, score: F64Array, sizes: IntArray
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


def _lsh_candidates(cores: _Cores, params: CoreParams) -> tuple[IntArray, IntArray]:
    """Pairs of clusters (as root ads) whose core signatures share an LSH band."""
    valid = cores.sizes > 0
    rows = choose_rows(cores.signatures, valid=valid, min_rows=params.min_rows,
                       max_candidates_per_ad=params.max_candidates_per_cluster)
    a, b = candidate_pairs(cores.signatures, rows, valid=valid)
    return cores.roots[a], cores.roots[b]


def core_linkage(
    sets: ShingleSets,
    strong: tuple[IntArray, IntArray],
    weak: tuple[IntArray, IntArray],
    params: CoreParams,
) -> tuple[IntArray, list[Merge]]:
    """Cluster ads: strong links join, then clusters merge by core similarity in rounds.

    Candidate cluster pairs (weak links, and LSH over the first round's core signatures) are
    kept as pairs of ads and re-mapped to the current clusters each round; only pairs touching
    a cluster that changed are scored again.

    Args:
        sets: boilerplate-free shingle sets of the ads.
        strong: (a, b) links that join ads directly.
        weak: (a, b) links that only propose cluster pairs to compare.
        params: see `CoreParams`.

    Returns:
        Per ad, the smallest ad of its cluster; and every merge made.
    """
    n = len(sets)
    labels = connected_components(n, *strong)
    cores = _compute_cores(sets, labels, params)
    la, lb = _lsh_candidates(cores, params)
    cand_a, cand_b = np.concatenate([la, weak[0]]), np.concatenate([lb, weak[1]])
    changed = np.ones(len(cores.roots), dtype=bool)
    merges: list[Merge] = []
    for round_no in range(1, params.max_rounds + 1):
        a, b = unique_pairs(cores.index_of(labels[cand_a]), cores.index_of(labels[cand_b]),
                            max(len(cores.roots), 1))
        touched = changed[a] | changed[b]
        a, b = a[touched], b[touched]
        score = _core_scores(cores, a, b, params)
        keep = score >= params.threshold
        ads_per = np.bincount(cores.index_of(labels), minlength=len(cores.roots))
        chosen = _star_matching(a[keep], b[keep], score[keep], ads_per)
        if not chosen:
            break
        centre_of = np.arange(len(cores.roots), dtype=np.int64)
        for centre, other, s in chosen:
            centre_of[other] = centre
            merges.append(Merge(round_no, int(cores.roots[centre]), int(cores.roots[other]), s))
        labels = connected_components(n, np.arange(n),
                                      cores.roots[centre_of[cores.index_of(labels)]])
        centres = np.unique(labels[cores.roots[np.unique([c for c, _, _ in chosen])]])
        cores = _update_cores(cores, sets, labels, centres, params)
        changed = np.isin(cores.roots, centres)
        log.debug("core linkage round %d: %d merges", round_no, len(chosen))
    return labels, merges
