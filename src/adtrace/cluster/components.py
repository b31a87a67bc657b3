"""Connected components of a link graph, and deterministic cluster ids.

Components come from ``scipy.sparse.csgraph`` when scipy is installed, else from a vectorised
union-find (hooking and pointer jumping in numpy, O(log n) rounds). Both label every component
by its smallest member, so results do not depend on the backend.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

log = logging.getLogger(__name__)


def connected_components(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Component of each of `n` nodes given edges (a[i], b[i]).

    Returns:
        Per node, the smallest node of its component.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    try:
        labels = _scipy_components(n, a, b)
    except ImportError:
        return union_find(n, a, b)
    return smallest_member(labels)


def _scipy_components(n: int, a: IntArray, b: IntArray) -> IntArray:
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import connected_components as cc  # type: ignore[import-untyped]

    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
    _, labels = cc(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def smallest_member(labels: IntArray) -> IntArray:
    """Relabel components by their smallest member."""
    first = np.full(int(labels.max()) + 1 if len(labels) else 0, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels), dtype=np.int64))
    return first[labels]


def union_find(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Vectorised union-find: per node, the smallest node of its component."""
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    while True:
        pa, pb = parent[a], parent[b]
        lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
        moving = lo != hi
        if not moving.any():
            return parent
        np.minimum.at(parent, hi[moving], lo[moving])
        parent = _compress(parent)


def _compress(parent: IntArray) -> IntArray:
    """Point every node at its root."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def cluster_ids(labels: IntArray, prefix: str = "c") -> list[str]:
    """Cluster id per node: `prefix` and the cluster's rank by smallest member, zero-padded.

    Clusters are numbered in order of their smallest member, so the same partition always gets
    the same ids ("c000000", "c000001", ...).
    """
    if len(labels) == 0:
        return []
    roots = smallest_member(np.unique(labels, return_inverse=True)[1].astype(np.int64))
    order = np.unique(roots, return_inverse=True)[1]
    width = max(6, len(str(int(order.max()))))
    names = np.char.add(prefix, np.char.zfill(order.astype(str), width))
    return [str(x) for x in names.tolist()]
