from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from adtrace.cluster.components import connected_components
from adtrace.text.lsh import (
    LshIndex,
    band_keys,
    candidate_pairs,
    choose_rows,
    lsh_probability,
)
from adtrace.text.minhash import MinHasher
from adtrace.text.shingle import ShingleSets, intersection_sizes
from adtrace.text.tokens import splitmix64


def _random_sets(n_pairs: int, seed: int) -> tuple[ShingleSets, np.ndarray]:
    """Pairs of sets (2i, 2i+1) with Jaccard similarities spread over [0, 1]."""
    rng = np.random.default_rng(seed)
    values, offsets = [], [0]
    for i in range(n_pairs):
        size = int(rng.integers(30, 120))
        target = rng.uniform(0, 1)
        shared = round(2 * size * target / (1 + target))
        base = splitmix64(np.arange(3 * size, dtype=np.uint64) + np.uint64(10**6 * (i + 1)))
        base >>= np.uint64(16)
        for s in (base[:size], np.concatenate([base[:shared], base[size : 2 * size - shared]])):
            values.append(np.sort(s))
            offsets.append(offsets[-1] + len(s))
    sets = ShingleSets(np.asarray(offsets, dtype=np.int64), np.concatenate(values))
    a = np.arange(0, 2 * n_pairs, 2)
    inter, _ = intersection_sizes(sets, a, a + 1)
    sizes = sets.sizes
    return sets, inter / (sizes[a] + sizes[a + 1] - inter)


@settings(max_examples=10)
@given(st.integers(0, 1000), st.sampled_from([2, 3, 4]))
def test_recall_follows_the_banding_curve(seed: int, rows: int) -> None:
    sets, jaccard = _random_sets(300, seed)
    signatures = MinHasher(128, seed).signatures(sets)
    a, b = candidate_pairs(signatures, rows)
    found = set(zip(a.tolist(), b.tolist(), strict=True))
    hit = np.asarray([(2 * i, 2 * i + 1) in found for i in range(len(jaccard))])
    expected = lsh_probability(jaccard, 128 // rows, rows)
    high = expected > 0.999
    assert hit[high].mean() >= 0.98  # pairs LSH should catch are caught
    assert abs(hit.mean() - expected.mean()) < 0.1  # and overall recall matches the curve


def test_probability_is_an_s_curve() -> None:
    s = np.linspace(0, 1, 11)
    p = lsh_probability(s, 32, 4)
    assert p[0] == 0.0 and p[-1] == 1.0
    assert np.all(np.diff(p) >= 0)


def test_big_buckets_stay_connected_without_all_pairs() -> None:
    signatures = np.zeros((500, 8), dtype=np.uint16)  # 500 identical ads
    a, b = candidate_pairs(signatures, 2, max_bucket=50)
    assert len(a) < 2 * 500 * 4
    assert (connected_components(500, a, b) == 0).all()


def test_choose_rows_respects_the_budget() -> None:
    signatures = np.zeros((300, 32), dtype=np.uint16)
    signatures[:, 16:] = np.arange(300)[:, None]  # the second half tells ads apart
    # every band made only of the first 16 rows puts all 300 ads in one bucket
    assert choose_rows(signatures, max_candidates_per_ad=1.0, min_rows=2, max_rows=20) == 17
    assert choose_rows(signatures, max_candidates_per_ad=1e6, min_rows=2) == 2


def test_index_round_trip(tmp_path: Path) -> None:
    keys = band_keys(np.arange(40, dtype=np.uint16).reshape(5, 8), 2)
    index = LshIndex(["a", "b", "c", "d", "e"], keys, rows=2, num_perm=8, seed=3)
    index.save(tmp_path / "index.npz")
    loaded = LshIndex.load(tmp_path / "index.npz")
    assert loaded.ids == index.ids and np.array_equal(loaded.keys, keys)
    assert (loaded.rows, loaded.num_perm, loaded.seed) == (2, 8, 3)
