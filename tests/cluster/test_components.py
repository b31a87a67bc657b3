from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from adtrace.cluster.components import cluster_ids, connected_components, union_find

edges = st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=80)


def _networkx_labels(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(pairs)
    label = [0] * n
    for component in nx.connected_components(graph):
        for node in component:
            label[node] = min(component)
    return label


@given(st.integers(1, 60), edges)
def test_components_equal_networkx(n: int, pairs: list[tuple[int, int]]) -> None:
    pairs = [(a % n, b % n) for a, b in pairs]
    a = np.asarray([p[0] for p in pairs], dtype=np.int64)
    b = np.asarray([p[1] for p in pairs], dtype=np.int64)
    expected = _networkx_labels(n, pairs)
    assert connected_components(n, a, b).tolist() == expected
    assert union_find(n, a, b).tolist() == expected


def test_cluster_ids_follow_the_smallest_member() -> None:
    labels = np.asarray([5, 5, 2, 2, 9, 5], dtype=np.int64)
    assert cluster_ids(labels) == ["c000000", "c000000", "c000001", "c000001", "c000002", "c000000"]
    assert cluster_ids(np.zeros(0, dtype=np.int64)) == []
