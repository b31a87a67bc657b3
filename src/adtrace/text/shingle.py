"""Word shingles (k consecutive tokens) as sorted sets of 48-bit hashes, one set per ad.

Each ad has fields (body, title); a shingle remembers its field in bit 47, so the title's
"new in town" never matches the same words in a body, and similarity can be told per field.
A text with fewer than k tokens gets one shingle of all its tokens, so short ads still compare.

Sets are stored CSR-style (`ShingleSets`): `values[offsets[i]:offsets[i + 1]]` is ad i's set,
sorted and without repeats. Hashes are fixed (no seed) and versioned by
`adtrace.text.tokens.HASH_VERSION`: a saved boilerplate model stays valid across runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from adtrace.text.normalise import fold
from adtrace.text.tokens import Tokens, splitmix64, tokenise_folded

U64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

VALUE_BITS: Final = 48
VALUE_MASK: Final = np.uint64((1 << VALUE_BITS) - 1)
FIELD_BIT: Final = np.uint64(1 << (VALUE_BITS - 1))
_DOC_SHIFT: Final = np.uint64(VALUE_BITS)
_MAX_CHUNK_DOCS: Final = 1 << (64 - VALUE_BITS)
_MIX: Final = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xD6E8FEB86659FD93),
    np.uint64(0xFF51AFD7ED558CCD),
)
MAX_K: Final = len(_MIX)


@dataclass(frozen=True, slots=True)
class ShingleSets:
    """One sorted set of shingle hashes per ad, CSR layout.

    Attributes:
        offsets: ``n + 1`` positions into `values`.
        values: 48-bit shingle hashes (bit 47 set for title shingles), sorted within each ad.
    """

    offsets: IntArray
    values: U64Array

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def sizes(self) -> IntArray:
        """Number of shingles per ad."""
        return np.diff(self.offsets)

    def doc_of_values(self) -> IntArray:
        """The ad each element of `values` belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.sizes)

    def get(self, i: int) -> U64Array:
        """Ad i's set."""
        return self.values[self.offsets[i] : self.offsets[i + 1]]

    def take(self, rows: IntArray) -> ShingleSets:
        """The sets of `rows`, in that order."""
        sizes = self.sizes[rows]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return ShingleSets(offsets, self.values[segment_index(self.offsets[rows], sizes)])

    def drop(self, remove: BoolArray) -> ShingleSets:
        """The sets without the elements flagged in `remove` (aligned with `values`)."""
        kept = ~remove
        counts = np.add.reduceat(kept.astype(np.int64), self.offsets[:-1]) if len(kept) else None
        sizes = np.where(self.sizes > 0, counts, 0) if counts is not None else self.sizes
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return ShingleSets(offsets, self.values[kept])


def sorted_unique(values: U64Array) -> U64Array:
    """Sorted distinct values (a plain sort: faster than `np.unique` on large hash arrays)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def segment_index(starts: IntArray, sizes: IntArray) -> IntArray:
    """Concatenated ranges ``starts[i] .. starts[i] + sizes[i]`` as one index array."""
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(sizes)
    shift = np.repeat(starts - (ends - sizes), sizes)
    return np.arange(total, dtype=np.int64) + shift


def shingle_tokens(tokens: Tokens, n_docs: int, k: int) -> tuple[IntArray, U64Array, IntArray]:
    """The k-shingles of tokenised texts.

    Args:
        tokens: tokens of `n_docs` texts.
        n_docs: number of texts.
        k: tokens per shingle (1 to 5). Larger k makes a match more specific (fewer chance
            matches on common word pairs) but one changed word breaks more shingles: an edit
            rate e keeps about (1 - e)**k of them.

    Returns:
        For every shingle: the text it comes from, its 64-bit hash and the index of its first
        token in `tokens`. A text with fewer than k tokens has one shingle of all of them.
    """
    if not 1 <= k <= MAX_K:
        raise ValueError(f"shingle size must be within [1, {MAX_K}], got {k}")
    doc, h = tokens.doc, tokens.hash
    counts = np.bincount(doc, minlength=n_docs)
    first_of_doc = np.concatenate([[0], np.cumsum(counts)[:-1]])
    long_start = np.flatnonzero(doc[: len(doc) - k + 1] == doc[k - 1 :]) if len(doc) >= k else (
        np.zeros(0, dtype=np.int64)
    )
    short_docs = np.flatnonzero((counts > 0) & (counts < k))
    starts = np.concatenate([long_start, first_of_doc[short_docs]]).astype(np.int64)
    widths = np.concatenate(
        [np.full(len(long_start), k, dtype=np.int64), counts[short_docs]]
    ).astype(np.int64)
    order = np.argsort(starts, kind="stable")
    starts, widths = starts[order], widths[order]
    return doc[starts], _combine(h, starts, widths), starts


def _combine(h: U64Array, starts: IntArray, widths: IntArray) -> U64Array:
    """Hash of tokens ``starts .. starts + widths`` (order-sensitive)."""
    acc = np.zeros(len(starts), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(int(widths.max()) if len(widths) else 0):
            use = widths > j
            term = h[np.minimum(starts + j, len(h) - 1)] * _MIX[j]
            acc = np.where(use, acc + term, acc)
        return splitmix64(acc ^ (widths.astype(np.uint64) << np.uint64(59)))


def _chunk_sets(
    fields: Sequence[Sequence[str]], lo: int, hi: int, k: int, folded: bool
) -> ShingleSets:
    keys: list[U64Array] = []
    for f, texts in enumerate(fields):
        part = [t if folded else fold(t) for t in texts[lo:hi]]
        doc, values, _ = shingle_tokens(tokenise_folded(part), hi - lo, k)
        values = (values >> np.uint64(64 - VALUE_BITS)) & ~FIELD_BIT
        if f:
            values |= FIELD_BIT
        keys.append((doc.astype(np.uint64) << _DOC_SHIFT) | values)
    unique = sorted_unique(np.concatenate(keys))
    doc = (unique >> _DOC_SHIFT).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=hi - lo))])
    return ShingleSets(offsets.astype(np.int64), unique & VALUE_MASK)


def shingle_sets(
    fields: Sequence[Sequence[str]], *, k: int = 3, folded: bool = False,
    chunk: int = 20_000,
) -> ShingleSets:
    """Shingle sets of ads given as parallel fields (body texts, then optionally titles).

    Args:
        fields: one sequence of texts per field, all the same length; field 0 is the body,
            any later field is tagged as title (bit 47).
        k: tokens per shingle (see `shingle_tokens`).
        folded: the texts are already folded (`adtrace.text.normalise.fold`).
        chunk: ads per batch (at most 65,536); bounds temporary memory.
    """
    n = len(fields[0]) if fields else 0
    if any(len(f) != n for f in fields):
        raise ValueError("all fields must have one text per ad")
    chunk = max(1, min(chunk, _MAX_CHUNK_DOCS))
    parts = [_chunk_sets(fields, lo, min(lo + chunk, n), k, folded) for lo in range(0, n, chunk)]
    return concat_sets(parts)


def concat_sets(parts: Sequence[ShingleSets]) -> ShingleSets:
    """The sets of several batches, one after the other."""
    if not parts:
        return ShingleSets(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint64))
    sizes = np.concatenate([p.sizes for p in parts])
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return ShingleSets(offsets, np.concatenate([p.values for p in parts]))


def intersection_sizes(
    sets: ShingleSets, a: IntArray, b: IntArray, *, chunk: int = 1 << 16
) -> tuple[IntArray, IntArray]:
    """Exact |A ∩ B| for pairs of ads, and the part of it in title shingles.

    Each pair's two sorted sets are laid side by side with the pair number in the high bits;
    a stable sort then only merges two sorted runs (linear time), and repeats are the shared
    shingles.

    Args:
        sets: the shingle sets.
        a: first ad of each pair.
        b: second ad of each pair.
        chunk: pairs per batch (at most 65,536).
    """
    total = np.zeros(len(a), dtype=np.int64)
    title = np.zeros(len(a), dtype=np.int64)
    chunk = max(1, min(chunk, _MAX_CHUNK_DOCS))
    for lo in range(0, len(a), chunk):
        hi = min(lo + chunk, len(a))
        shared = _shared_values(sets, a[lo:hi], b[lo:hi])
        pair = (shared >> _DOC_SHIFT).astype(np.int64)
        total[lo:hi] = np.bincount(pair, minlength=hi - lo)
        in_title = (shared & FIELD_BIT) != 0
        title[lo:hi] = np.bincount(pair[in_title], minlength=hi - lo)
    return total, title


def _pair_keys(sets: ShingleSets, rows: IntArray) -> U64Array:
    sizes = sets.sizes[rows]
    values = sets.values[segment_index(sets.offsets[rows], sizes)]
    pair = np.repeat(np.arange(len(rows), dtype=np.uint64), sizes)
    return (pair << _DOC_SHIFT) | values


def _shared_values(sets: ShingleSets, a: IntArray, b: IntArray) -> U64Array:
    """Keys (pair << 48 | value) present in both sets of each pair."""
    merged = np.sort(np.concatenate([_pair_keys(sets, a), _pair_keys(sets, b)]), kind="stable")
    return merged[1:][merged[1:] == merged[:-1]]


def shared_values(sets: ShingleSets, a: IntArray, b: IntArray, *, chunk: int = 1 << 16
                  ) -> tuple[IntArray, U64Array]:
    """Every value each pair of sets shares: (pair index, value), sorted by pair."""
    pairs: list[IntArray] = []
    values: list[U64Array] = []
    chunk = max(1, min(chunk, _MAX_CHUNK_DOCS))
    for lo in range(0, len(a), chunk):
        hi = min(lo + chunk, len(a))
        shared = _shared_values(sets, a[lo:hi], b[lo:hi])
        pairs.append((shared >> _DOC_SHIFT).astype(np.int64) + lo)
        values.append(shared & VALUE_MASK)
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(pairs), np.concatenate(values)


def shared_shingles(sets: ShingleSets, a: int, b: int) -> U64Array:
    """The shingles two ads share."""
    return np.intersect1d(sets.get(a), sets.get(b), assume_unique=True)


def field_sizes(sets: ShingleSets) -> tuple[IntArray, IntArray]:
    """Per ad, the number of body shingles and of title shingles."""
    is_title = ((sets.values & FIELD_BIT) != 0).astype(np.int64)
    doc = sets.doc_of_values()
    title = np.bincount(doc, weights=is_title, minlength=len(sets)).astype(np.int64)
    return sets.sizes - title, title
