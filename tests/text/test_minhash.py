from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from adtrace.text.minhash import MinHasher, estimate_jaccard, jaccard_error
from adtrace.text.shingle import ShingleSets
from adtrace.text.tokens import splitmix64


def _pair(size: int, jaccard: float, seed: int) -> tuple[ShingleSets, float]:
    """Two random sets with (about) the given Jaccard similarity, and the exact value."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    base = splitmix64(np.arange(seed * 10_000, seed * 10_000 + 3 * size, dtype=np.uint64))
    base >>= np.uint64(16)
    a = np.sort(base[:size])
    b = np.sort(np.concatenate([base[:shared], base[size : 2 * size - shared]]))
    exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    offsets = np.asarray([0, len(a), len(a) + len(b)], dtype=np.int64)
    return ShingleSets(offsets, np.concatenate([a, b])), exact


@settings(max_examples=40)
@given(st.integers(20, 400), st.floats(0.0, 1.0), st.integers(0, 10_000), st.integers(0, 1000))
def test_estimate_within_error_bound(size: int, jaccard: float, seed: int, perm_seed: int) -> None:
    sets, exact = _pair(size, jaccard, seed)
    num_perm = 256
    signatures = MinHasher(num_perm, perm_seed).signatures(sets, workers=1)
    estimate = estimate_jaccard(signatures, np.asarray([0]), np.asarray([1]))[0]
    bound = 5 * max(jaccard_error(exact, num_perm), 1 / num_perm) + 2**-16
    assert abs(estimate - exact) <= bound


def test_estimates_are_unbiased_on_average() -> None:
    errors = []
    for seed in range(200):
        sets, exact = _pair(100, 0.4, seed)
        signatures = MinHasher(128, seed).signatures(sets, workers=1)
        errors.append(estimate_jaccard(signatures, np.asarray([0]), np.asarray([1]))[0] - exact)
    assert abs(float(np.mean(errors))) < 0.01


def test_signatures_depend_only_on_sets_and_seed() -> None:
    sets, _ = _pair(80, 0.5, 3)
    one = MinHasher(64, 5).signatures(sets, workers=1)
    assert np.array_equal(one, MinHasher(64, 5).signatures(sets, workers=2))
    assert not np.array_equal(one, MinHasher(64, 6).signatures(sets))
    empty = ShingleSets(np.zeros(2, dtype=np.int64), np.zeros(0, dtype=np.uint64))
    assert MinHasher(16).signatures(empty).shape == (1, 16)
