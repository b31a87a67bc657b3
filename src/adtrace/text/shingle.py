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
        return ShingleSets(segment_counts(kept, self.offsets), self.values[kept])


def sort_segments(values: U64Array, offsets: IntArray) -> U64Array:
    """Sort every segment ``values[offsets[i]:offsets[i + 1]]`` on its own.

    Segments are padded into 2-D blocks of similar width and sorted row by row: on short
    segments this is an order of magnitude faster than one global sort.
    """
    out = np.empty_like(values)
    sizes = np.diff(offsets)
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty) == 0:
        return out
    width = np.maximum(8, 1 << np.ceil(np.log2(np.maximum(sizes[nonempty], 1))).astype(np.int64))
    pad = np.iinfo(values.dtype).max
    for w in np.unique(width).tolist():
        rows = nonempty[width == w]
        lengths = sizes[rows]
        where = segment_index(offsets[rows], lengths)
        row = np.repeat(np.arange(len(rows)), lengths)
        col = np.arange(len(where)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        block = np.full((len(rows), w), pad, dtype=values.dtype)
        block[row, col] = values[where]
        block.sort(axis=1)
        out[where] = block[row, col]
    return out


def unique_in_segments(values: U64Array, offsets: IntArray) -> tuple[U64Array, IntArray]:
    """Each segment sorted and without repeats; returns the values and the new offsets."""
    ordered = sort_segments(values, offsets)
    keep = np.ones(len(ordered), dtype=bool)
    if len(ordered) > 1:
        keep[1:] = ordered[1:] != ordered[:-1]
    keep[offsets[:-1][np.diff(offsets) > 0]] = True
    segment = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    counts = np.bincount(segment[keep], minlength=len(offsets) - 1)
    return ordered[keep], np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def sorted_unique(values: U64Array) -> U64Array:
    """Sorted distinct values (a plain sort: faster than `np.unique` on large hash arrays)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def members(values: U64Array, wanted: U64Array, *, bitmap_bits: int = 20) -> BoolArray:
    """Which `values` are in the sorted array `wanted`.

    A bitmap over the low `bitmap_bits` bits screens the values first (one gather each, the
    bitmap staying in cache); only the hits are binary-searched. Size the bitmap to a few times
    the number of wanted values.
    """
    found = np.zeros(len(values), dtype=bool)
    if len(wanted) == 0 or len(values) == 0:
        return found
    mask = np.uint64((1 << bitmap_bits) - 1)
    bitmap = np.zeros(1 << bitmap_bits, dtype=bool)
    bitmap[(wanted & mask).astype(np.int64)] = True
    maybe = np.flatnonzero(bitmap[(values & mask).astype(np.int64)])
    at = np.minimum(np.searchsorted(wanted, values[maybe]), len(wanted) - 1)
    found[maybe] = wanted[at] == values[maybe]
    return found


def segment_counts(flags: npt.NDArray[np.bool_], offsets: IntArray) -> IntArray:
    """Offsets of the flagged elements of each segment, once the others are dropped."""
    running = np.concatenate([[0], np.cumsum(flags, dtype=np.int64)])
    counted: IntArray = running[offsets]
    return counted


def segment_index(starts: IntArray, sizes: IntArray) -> IntArray:
    """Concatenated ranges ``starts[i] .. starts[i] + sizes[i]`` as one index array."""
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(sizes)
    shift = np.repeat(starts - (ends - sizes), sizes)
    index: IntArray = np.arange(total, dtype=np.int64) + shift
    return index


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
    long_start = (
        np.flatnonzero(doc[: len(doc) - k + 1] == doc[k - 1 :])
        if len(doc) >= k
        else (np.zeros(0, dtype=np.int64))
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
    docs: list[IntArray] = []
    parts: list[U64Array] = []
    for f, texts in enumerate(fields):
        part = [t if folded else fold(t) for t in texts[lo:hi]]
        doc, values, _ = shingle_tokens(tokenise_folded(part), hi - lo, k)
        values = (values >> np.uint64(64 - VALUE_BITS)) & ~FIELD_BIT
        if f:
            values |= FIELD_BIT
        docs.append(doc)
        parts.append(values)
    doc = np.concatenate(docs)
    order = np.argsort(doc, kind="stable")  # each field is already in doc order: a merge
    offsets = np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=hi - lo))])
    values, offsets = unique_in_segments(np.concatenate(parts)[order], offsets.astype(np.int64))
    return ShingleSets(offsets, values)


def shingle_sets(
    fields: Sequence[Sequence[str]],
    *,
    k: int = 3,
    folded: bool = False,
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
    sets: ShingleSets, a: IntArray, b: IntArray, *, chunk: int = 1 << 15
) -> tuple[IntArray, IntArray]:
    """Exact |A ∩ B| for pairs of ads, and the part of it in title shingles.

    Each pair's two sets are laid side by side in one row of a padded 2-D block; rows are
    sorted (row sorts are far cheaper than one global sort), and equal neighbours are the shared
    shingles (a set holds no repeats).

    Args:
        sets: the shingle sets.
        a: first ad of each pair.
        b: second ad of each pair.
        chunk: pairs per batch.
    """
    total = np.zeros(len(a), dtype=np.int64)
    title = np.zeros(len(a), dtype=np.int64)
    for lo in range(0, len(a), chunk):
        hi = min(lo + chunk, len(a))
        total[lo:hi], title[lo:hi] = _chunk_intersections(sets, a[lo:hi], b[lo:hi])
    return total, title


def _chunk_intersections(sets: ShingleSets, a: IntArray, b: IntArray) -> tuple[IntArray, IntArray]:
    size_a, size_b = sets.sizes[a], sets.sizes[b]
    both = size_a + size_b
    total = np.zeros(len(a), dtype=np.int64)
    title = np.zeros(len(a), dtype=np.int64)
    width = np.maximum(8, 1 << np.ceil(np.log2(np.maximum(both, 1))).astype(np.int64))
    pad = np.iinfo(np.uint64).max
    for w in np.unique(width[both > 0]).tolist():
        rows = np.flatnonzero((width == w) & (both > 0))
        block = np.full((len(rows), w), pad, dtype=np.uint64)
        shift = np.zeros(len(rows), dtype=np.int64)
        for side, sizes in ((a, size_a), (b, size_b)):
            lengths = sizes[rows]
            where = segment_index(sets.offsets[side[rows]], lengths)
            row = np.repeat(np.arange(len(rows)), lengths)
            col = np.arange(len(where)) - np.repeat(np.cumsum(lengths) - lengths - shift, lengths)
            block[row, col] = sets.values[where]
            shift = lengths
        block.sort(axis=1)
        same = (block[:, 1:] == block[:, :-1]) & (block[:, 1:] != pad)
        total[rows] = same.sum(axis=1)
        title[rows] = (same & ((block[:, 1:] & FIELD_BIT) != 0)).sum(axis=1)
    return total, title


def _pair_keys(sets: ShingleSets, rows: IntArray) -> U64Array:
    sizes = sets.sizes[rows]
    values = sets.values[segment_index(sets.offsets[rows], sizes)]
    pair = np.repeat(np.arange(len(rows), dtype=np.uint64), sizes)
    return (pair << _DOC_SHIFT) | values


def _shared_values(sets: ShingleSets, a: IntArray, b: IntArray) -> U64Array:
    """Keys (pair << 48 | value) present in both sets of each pair.

    Both key arrays are sorted (pairs in order, values sorted within a set), so a binary
    search of one in the other finds the shared values without sorting anything.
    """
    smaller_first = np.where(sets.sizes[a] <= sets.sizes[b], True, False)
    small = np.where(smaller_first, a, b)
    large = np.where(smaller_first, b, a)
    queries, table = _pair_keys(sets, small), _pair_keys(sets, large)
    if len(table) == 0 or len(queries) == 0:
        return queries[:0]
    at = np.minimum(np.searchsorted(table, queries), len(table) - 1)
    shared: U64Array = queries[table[at] == queries]
    return shared


def shared_values(
    sets: ShingleSets, a: IntArray, b: IntArray, *, chunk: int = 1 << 16
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


def field_sizes(sets: ShingleSets) -> tuple[IntArray, IntArray]:
    """Per ad, the number of body shingles and of title shingles."""
    title = np.diff(segment_counts((sets.values & FIELD_BIT) != 0, sets.offsets))
    return sets.sizes - title, title
