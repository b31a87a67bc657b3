from __future__ import annotations

import numpy as np

from adtrace.cluster.hubs import hub_stats, split_giants, star_edges


def test_a_selector_shared_by_unrelated_ads_is_a_hub() -> None:
    # selector 0: 60 ads in 60 different text clusters; selector 1: 60 ads of one template
    ad = np.concatenate([np.arange(60), np.arange(60, 120)])
    code = np.repeat([0, 1], 60)
    text_clusters = np.concatenate([np.arange(60), np.full(60, 60)])
    stats = hub_stats(ad, code, 2, text_clusters, min_ads=50, min_groups=10, group_share=0.5)
    assert stats.is_hub.tolist() == [True, False]
    assert stats.n_ads.tolist() == [60, 60] and stats.n_groups.tolist() == [60, 1]


def test_star_edges_link_every_ad_to_the_first() -> None:
    ad = np.asarray([4, 2, 9, 7, 3])
    code = np.asarray([0, 0, 0, 1, 1])
    a, b, c = star_edges(ad, code, np.asarray([True, True]))
    assert sorted(zip(a.tolist(), b.tolist(), c.tolist(), strict=True)) == [
        (2, 4, 0),
        (2, 9, 0),
        (3, 7, 1),
    ]
    a, _, _ = star_edges(ad, code, np.asarray([False, True]))
    assert a.tolist() == [3]


def test_giant_clusters_split_into_communities() -> None:
    # two dense groups of 30 joined by one bridge: one cluster of 60
    rng = np.random.default_rng(0)
    edges = [
        (i, j)
        for g in (0, 30)
        for i in range(g, g + 30)
        for j in range(i + 1, g + 30)
        if rng.random() < 0.5
    ]
    edges.append((0, 30))
    a = np.asarray([e[0] for e in edges], dtype=np.int64)
    b = np.asarray([e[1] for e in edges], dtype=np.int64)
    labels = np.zeros(60, dtype=np.int64)
    new, splits = split_giants(labels, a, b, np.ones(len(a)), limit=40, resolution=1.0, seed=0)
    assert new[:30].tolist() == [0] * 30 and new[30:].tolist() == [30] * 30
    (split,) = splits
    assert (split.n_ads, split.parts, split.links_cut) == (60, 2, 1)
    assert split.modularity > 0.4
