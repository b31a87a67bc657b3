from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from adtrace.text.shingle import (
    FIELD_BIT,
    ShingleSets,
    intersection_sizes,
    shingle_sets,
    sort_segments,
    unique_in_segments,
)


def _sets(groups: list[list[int]]) -> ShingleSets:
    values = [np.unique(np.asarray(g, dtype=np.uint64)) for g in groups]
    offsets = np.concatenate([[0], np.cumsum([len(v) for v in values])]).astype(np.int64)
    flat = np.concatenate(values) if values else np.zeros(0, dtype=np.uint64)
    return ShingleSets(offsets, flat.astype(np.uint64))


@given(
    st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=2, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=20),
)
def test_intersection_sizes_match_python_sets(
    groups: list[list[int]], pairs: list[tuple[int, int]]
) -> None:
    sets = _sets(groups)
    a = np.asarray([p[0] % len(groups) for p in pairs], dtype=np.int64)
    b = np.asarray([p[1] % len(groups) for p in pairs], dtype=np.int64)
    total, _ = intersection_sizes(sets, a, b)
    expected = [len(set(groups[i]) & set(groups[j])) for i, j in zip(a, b, strict=True)]
    assert total.tolist() == expected


@given(st.lists(st.lists(st.integers(0, 2**48 - 1), max_size=50), max_size=10))
def test_segments_sort_and_dedupe_on_their_own(groups: list[list[int]]) -> None:
    values = np.asarray([v for g in groups for v in g], dtype=np.uint64)
    offsets = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype(np.int64)
    ordered = sort_segments(values, offsets)
    unique, new_offsets = unique_in_segments(values, offsets)
    for i, g in enumerate(groups):
        assert ordered[offsets[i] : offsets[i + 1]].tolist() == sorted(g)
        assert unique[new_offsets[i] : new_offsets[i + 1]].tolist() == sorted(set(g))


def test_short_texts_still_get_a_shingle_and_fields_are_tagged() -> None:
    sets = shingle_sets([["hello there", "one two three four"], ["hello there", ""]], k=3)
    assert sets.sizes.tolist() == [2, 2]  # body "hello there" + title "hello there"
    first = sets.get(0)
    assert ((first & FIELD_BIT) != 0).sum() == 1  # the title's shingle is tagged
    assert len(set(first.tolist())) == 2  # same words, different fields: different shingles


def test_shingles_ignore_case_punctuation_and_digit_values() -> None:
    one = shingle_sets([["Rates: 150/hh, 250/hr. Call NOW!"]])
    two = shingle_sets([["rates 200 hh 300 hr call now"]])
    assert one.values.tolist() == two.values.tolist()
