"""Partner lookup of incremental runs against a brute-force check."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from adtrace.link.incremental import lsh_partners
from adtrace.text.lsh import band_keys


def brute(old: np.ndarray, new: np.ndarray, rows: int, min_jaccard: float) -> set[int]:
    ok, nk = band_keys(old, rows), band_keys(new, rows)
    found = set()
    for i in range(len(old)):
        for j in range(len(new)):
            if (ok[i] == nk[j]).any() and (old[i] == new[j]).mean() >= min_jaccard:
                found.add(i)
    return found


@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 30),
    st.integers(1, 6),
    st.sampled_from([0.0, 0.2, 0.5]),
)
def test_partners_equal_brute_force_on_small_buckets(
    seed: int, n_old: int, n_new: int, min_jaccard: float
) -> None:
    rng = np.random.default_rng(seed)
    old = rng.integers(0, 4, size=(n_old, 16)).astype(np.uint16)  # small alphabet: many matches
    new = rng.integers(0, 4, size=(n_new, 16)).astype(np.uint16)
    found = set(lsh_partners(old, new, 4, min_jaccard).tolist())
    assert found == brute(old, new, 4, min_jaccard)  # n_new <= PAIRS_PER_KEY: exact
