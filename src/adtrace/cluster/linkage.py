"""Clustering that does not chain: strong links join at once, weak links by average linkage.

Strong links (a shared non-hub selector, or near-copies of text) join their ads directly; the
resulting blocks are merged through weak links only while the average link score between the
two clusters, over ALL their pairs of ads (a missing link counts 0), stays at or above a
threshold. A path A-B-C-D of weak links therefore cannot pull A and D together: once A and B
are merged, C's single link to B averages out over both.

The merge loop is a heap over block pairs (sparse average-linkage agglomeration); it only runs
on the connected groups of blocks that weak links touch.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adtrace.cluster.components import connected_components

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Merge:
    """One average-linkage merge: the two blocks' roots and their mean link score."""

    left: int
    right: int
    score: float


def _block_pairs(
    blocks: IntArray, a: IntArray, b: IntArray, w: F64Array
) -> tuple[IntArray, IntArray, F64Array]:
    """Weak links summed per pair of distinct blocks."""
    ba, bb = blocks[a], blocks[b]
    lo, hi = np.minimum(ba, bb), np.maximum(ba, bb)
    between = lo != hi
    lo, hi, w = lo[between], hi[between], w[between]
    if len(lo) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    n = int(blocks.max()) + 1
    code = lo * n + hi
    order = np.argsort(code, kind="stable")
    code, w = code[order], w[order]
    starts = np.flatnonzero(np.concatenate([[True], code[1:] != code[:-1]]))
    total = np.add.reduceat(w, starts)
    return code[starts] // n, code[starts] % n, total


def average_linkage(
    n: int,
    strong: tuple[IntArray, IntArray],
    weak: tuple[IntArray, IntArray, F64Array],
    threshold: float,
) -> tuple[IntArray, list[Merge]]:
    """Cluster `n` ads from strong and weak links.

    Args:
        n: number of ads.
        strong: (a, b) links that join ads directly.
        weak: (a, b, score) links merged by average linkage.
        threshold: least mean score (over all pairs of ads across two clusters, missing
            links 0) at which two clusters merge. Higher keeps clusters tight and stops
            chaining sooner; lower recovers more loosely linked copies.

    Returns:
        Per ad, the smallest ad of its cluster; and the merges made, in order.
    """
    blocks = connected_components(n, *strong)
    sizes = np.bincount(blocks, minlength=n)
    pa, pb, total = _block_pairs(blocks, *weak)
    if len(pa) == 0:
        return blocks, []
    parent = {int(x): int(x) for x in np.union1d(pa, pb)}
    merges = _agglomerate(pa, pb, total, sizes, threshold, parent)
    root_of = np.arange(n, dtype=np.int64)
    for node in parent:
        root_of[node] = _find(parent, node)
    return connected_components(n, np.arange(n), root_of[blocks]), merges


def _find(parent: dict[int, int], x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


def _agglomerate(
    pa: IntArray, pb: IntArray, total: F64Array, sizes: IntArray, threshold: float,
    parent: dict[int, int],
) -> list[Merge]:
    """Greedy average-linkage merging over the block graph (heap with lazy deletion)."""
    links: dict[int, dict[int, float]] = {}
    size = {node: int(sizes[node]) for node in parent}
    heap: list[tuple[float, int, int]] = []
    for u, v, w in zip(pa.tolist(), pb.tolist(), total.tolist(), strict=True):
        links.setdefault(u, {})[v] = w
        links.setdefault(v, {})[u] = w
        mean = w / (size[u] * size[v])
        if mean >= threshold:
            heap.append((-mean, u, v))
    heapq.heapify(heap)
    merges: list[Merge] = []
    while heap:
        neg, u, v = heapq.heappop(heap)
        if parent[u] != u or parent[v] != v or v not in links.get(u, {}):
            continue
        if abs(links[u][v] / (size[u] * size[v]) + neg) > 1e-12:
            continue  # stale entry: the pair's total changed since it was pushed
        keep, gone = (u, v) if len(links[u]) >= len(links[v]) else (v, u)
        _merge(keep, gone, links, size, parent, heap, threshold)
        merges.append(Merge(min(u, v), max(u, v), -neg))
    return merges


def _merge(
    keep: int, gone: int, links: dict[int, dict[int, float]], size: dict[int, int],
    parent: dict[int, int], heap: list[tuple[float, int, int]], threshold: float,
) -> None:
    parent[gone] = keep
    size[keep] += size[gone]
    keep_links = links[keep]
    keep_links.pop(gone, None)
    for x, w in links.pop(gone).items():
        if x == keep:
            continue
        x_links = links[x]
        x_links.pop(gone, None)
        keep_links[x] = keep_links.get(x, 0.0) + w
        x_links[keep] = keep_links[x]
    for x, w in keep_links.items():
        mean = w / (size[keep] * size[x])
        if mean >= threshold:
            heapq.heappush(heap, (-mean, keep, x) if keep < x else (-mean, x, keep))
