"""The link graph: one edge per linked pair of ads, with its score and the kinds of evidence.

A pair linked by text and by a shared phone is one edge with both kind flags and the higher
score. Per cluster, the maximum spanning tree of its edges is the compact explanation written
out by default (n - 1 links for n ads, strongest first), and its weakest edge is the cluster's
weakest link: the point where the cluster would fall apart first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
U8Array = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]

TEXT: Final = 1
TEMPLATE: Final = 16
KIND_FLAGS: Final = {"text": 1, "phone": 2, "email": 4, "handle": 8, "template": 16}


def kind_names(flags: int) -> list[str]:
    """Kind names of a flag set, in a fixed order."""
    return [name for name, bit in KIND_FLAGS.items() if flags & bit]


@dataclass(frozen=True, slots=True)
class LinkGraph:
    """Edges (a < b, no repeats) with score and kind flags."""

    a: IntArray
    b: IntArray
    score: F64Array
    kinds: U8Array

    def __len__(self) -> int:
        return len(self.a)

    def select(self, keep: BoolArray | IntArray) -> LinkGraph:
        """The edges in `keep`."""
        return LinkGraph(self.a[keep], self.b[keep], self.score[keep], self.kinds[keep])

    def within(self, labels: IntArray) -> BoolArray:
        """Edges whose two ads are in the same cluster."""
        return labels[self.a] == labels[self.b]  # type: ignore[no-any-return]


def build_graph(n: int, parts: list[tuple[IntArray, IntArray, F64Array, int]]) -> LinkGraph:
    """Merge edge lists (a, b, score, kind flag) into one graph.

    Args:
        n: number of ads.
        parts: edge lists, each with the kind flag its edges carry.
    """
    a = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    b = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    score = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
    kinds = (
        np.concatenate([np.full(len(p[0]), p[3], dtype=np.uint8) for p in parts])
        if parts
        else np.zeros(0, dtype=np.uint8)
    )
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi
    code = lo[keep] * max(n, 1) + hi[keep]
    score, kinds = score[keep], kinds[keep]
    order = np.argsort(code, kind="stable")
    code, score, kinds = code[order], score[order], kinds[order]
    if len(code) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return LinkGraph(empty, empty, np.zeros(0), np.zeros(0, dtype=np.uint8))
    starts = np.flatnonzero(np.concatenate([[True], code[1:] != code[:-1]]))
    return LinkGraph(
        code[starts] // max(n, 1),
        code[starts] % max(n, 1),
        np.maximum.reduceat(score, starts),
        np.bitwise_or.reduceat(kinds, starts),
    )


def spanning_edges(graph: LinkGraph, labels: IntArray) -> IntArray:
    """Indexes of the edges of each cluster's maximum spanning tree.

    Uses scipy's minimum spanning tree on ``2 - score`` (so every weight is positive and the
    strongest links are preferred); without scipy, a Kruskal pass in Python.
    """
    inside = np.flatnonzero(graph.within(labels))
    if len(inside) == 0:
        return inside
    try:
        return _scipy_spanning(graph, inside, len(labels))
    except ImportError:
        return _kruskal(graph, inside, len(labels))


def _scipy_spanning(graph: LinkGraph, inside: IntArray, n: int) -> IntArray:
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import minimum_spanning_tree  # type: ignore[import-untyped]

    weight = 2.0 - graph.score[inside]
    matrix = coo_matrix((weight, (graph.a[inside], graph.b[inside])), shape=(n, n)).tocsr()
    tree = minimum_spanning_tree(matrix).tocoo()
    lo, hi = np.minimum(tree.row, tree.col), np.maximum(tree.row, tree.col)
    code = lo.astype(np.int64) * n + hi
    edge_code = graph.a[inside] * n + graph.b[inside]
    return np.sort(inside[np.searchsorted(edge_code, code)])


def _kruskal(graph: LinkGraph, inside: IntArray, n: int) -> IntArray:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    chosen: list[int] = []
    order = inside[np.argsort(-graph.score[inside], kind="stable")]
    for e, u, v in zip(
        order.tolist(), graph.a[order].tolist(), graph.b[order].tolist(), strict=True
    ):
        ru, rv = find(u), find(v)
        if ru != rv:
            parent[max(ru, rv)] = min(ru, rv)
            chosen.append(e)
    return np.sort(np.asarray(chosen, dtype=np.int64))


def weakest_edges(graph: LinkGraph, labels: IntArray, spanning: IntArray) -> dict[int, int]:
    """Per cluster label, the index of its weakest spanning edge."""
    if len(spanning) == 0:
        return {}
    cluster = labels[graph.a[spanning]]
    order = np.lexsort((spanning, graph.score[spanning], cluster))
    first = np.concatenate([[True], cluster[order][1:] != cluster[order][:-1]])
    return dict(zip(cluster[order][first].tolist(), spanning[order][first].tolist(), strict=True))
