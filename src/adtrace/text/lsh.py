"""LSH banding: signatures cut into bands of rows; ads whose band matches become candidate pairs.

Two ads with Jaccard similarity s share at least one of b bands of r rows with probability
``1 - (1 - s**r)**b`` (`lsh_probability`). Fewer rows per band find pairs of lower similarity
but also make far more chance candidates: the number of candidates grows with the square of the
number of ads, so large batches need more rows. `choose_rows` picks the smallest number of rows
whose candidate count stays within a budget, measured on the data rather than assumed.

A bucket holding more than `max_bucket` ads (a template posted thousands of times) yields a star
and a chain through its members instead of every pair: enough to connect them, linear in size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from adtrace.text.shingle import segment_index
from adtrace.text.tokens import splitmix64

U16Array = npt.NDArray[np.uint16]
U64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_BAND_SALT: Final = np.uint64(0x5851F42D4C957F2D)


def lsh_probability(
    similarity: float | npt.NDArray[np.float64], bands: int, rows: int
) -> float | npt.NDArray[np.float64]:
    """Probability that a pair of the given Jaccard similarity becomes a candidate."""
    probability: npt.NDArray[np.float64] = 1.0 - (1.0 - np.asarray(similarity) ** rows) ** bands
    return probability


def band_keys(signatures: U16Array, rows: int, bands: int | None = None) -> U64Array:
    """64-bit key of every band of every signature, shape ``(n, bands)``.

    Args:
        signatures: MinHash signatures.
        rows: rows per band.
        bands: bands to key (default all: ``num_perm // rows``; leftover rows are unused).
    """
    n, num_perm = signatures.shape
    bands = num_perm // rows if bands is None else min(bands, num_perm // rows)
    if bands < 1:
        raise ValueError(f"rows ({rows}) exceeds the signature length ({num_perm})")
    keys = np.zeros((n, bands), dtype=np.uint64)
    for j in range(bands):
        with np.errstate(over="ignore"):
            acc = np.full(n, _BAND_SALT * np.uint64(j + 1), dtype=np.uint64)
        for r in range(rows):
            acc = splitmix64(acc ^ signatures[:, j * rows + r].astype(np.uint64))
        keys[:, j] = acc
    return keys


def _runs(sorted_keys: U64Array) -> tuple[IntArray, IntArray]:
    """Start and length of every run of equal values."""
    if len(sorted_keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    change = np.ones(len(sorted_keys), dtype=bool)
    change[1:] = sorted_keys[1:] != sorted_keys[:-1]
    starts = np.flatnonzero(change)
    return starts, np.diff(np.append(starts, len(sorted_keys)))


def _all_pairs(members: IntArray, starts: IntArray, sizes: IntArray) -> tuple[IntArray, IntArray]:
    """Every pair inside each run ``members[start:start + size]``."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offset_in_run = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(sizes) - sizes, sizes
    )
    position = np.repeat(starts, sizes) + offset_in_run
    later = np.repeat(sizes, sizes) - offset_in_run - 1
    left = np.repeat(position, later)
    step = np.arange(int(later.sum()), dtype=np.int64) - np.repeat(np.cumsum(later) - later, later)
    return members[left], members[left + 1 + step]


def _star_chain(members: IntArray, starts: IntArray, sizes: IntArray) -> tuple[IntArray, IntArray]:
    """For each run: every member paired with the run's first member and with its predecessor."""
    position = segment_index(starts + 1, sizes - 1)
    first = np.repeat(starts, sizes - 1)
    chain = position - 1 > first
    left = np.concatenate([members[first], members[position[chain] - 1]])
    right = np.concatenate([members[position], members[position[chain]]])
    return left, right


def band_pairs(keys: U64Array, members: IntArray, max_bucket: int) -> tuple[IntArray, IntArray]:
    """Candidate pairs from one band (`keys` of the ads in `members`)."""
    order = np.argsort(keys, kind="stable")
    starts, sizes = _runs(keys[order])
    members = members[order]
    small = (sizes > 1) & (sizes <= max_bucket)
    big = sizes > max_bucket
    a1, b1 = _all_pairs(members, starts[small], sizes[small])
    a2, b2 = _star_chain(members, starts[big], sizes[big])
    return np.concatenate([a1, a2]), np.concatenate([b1, b2])


def unique_pairs(a: IntArray, b: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Pairs with ``a < b``, without repeats, sorted."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    code = np.sort(lo[lo != hi] * n + hi[lo != hi])
    if len(code):
        code = code[np.concatenate([[True], code[1:] != code[:-1]])]
    return code // n, code % n


def candidate_pairs(
    signatures: U16Array, rows: int, *, valid: BoolArray | None = None, max_bucket: int = 200
) -> tuple[IntArray, IntArray]:
    """Pairs of ads sharing at least one band.

    Args:
        signatures: MinHash signatures, one row per ad.
        rows: rows per band (see the module docstring for the trade-off).
        valid: ads to index (others, e.g. ads without shingles, are left out).
        max_bucket: buckets larger than this give a star and a chain instead of all pairs.
            Larger keeps more direct pairs (useful evidence) at quadratic cost.

    Returns:
        Sorted pairs ``(a, b)`` with ``a < b``.
    """
    n = signatures.shape[0]
    members = np.arange(n, dtype=np.int64) if valid is None else np.flatnonzero(valid)
    keys = band_keys(signatures[members], rows)
    parts_a: list[IntArray] = []
    parts_b: list[IntArray] = []
    for j in range(keys.shape[1]):
        a, b = band_pairs(keys[:, j], members, max_bucket)
        a, b = unique_pairs(a, b, n)
        parts_a.append(a)
        parts_b.append(b)
    return unique_pairs(np.concatenate(parts_a), np.concatenate(parts_b), max(n, 1))


def choose_rows(
    signatures: U16Array,
    *,
    valid: BoolArray | None = None,
    min_rows: int = 2,
    max_rows: int = 8,
    max_candidates_per_ad: float = 10.0,
    max_bucket: int = 200,
    sample_ads: int = 20_000,
    seed: int = 0,
) -> int:
    """The fewest rows per band whose candidate count stays within budget.

    The count of distinct candidate pairs is measured on a seeded sample of `sample_ads` ads
    (all bands) and scaled by the square of the sampling rate: pairs within a random sample
    are that share of all pairs.

    Args:
        signatures: MinHash signatures.
        valid: ads to index.
        min_rows: fewest rows tried (2 rows x 64 bands finds pairs down to Jaccard 0.2).
        max_rows: most rows tried, used when every smaller value is over budget.
        max_candidates_per_ad: budget of candidate pairs per indexed ad. Higher finds more
            pairs of moderate similarity in large batches, at the cost of verification time.
        max_bucket: as in `candidate_pairs`.
        sample_ads: ads measured. More measures the count more precisely, at more cost.
        seed: seed of the sample.
    """
    members = np.arange(signatures.shape[0]) if valid is None else np.flatnonzero(valid)
    n = len(members)
    budget = max_candidates_per_ad * max(n, 1)
    if n * (n - 1) / 2 <= budget:
        return min_rows
    if n > sample_ads:
        rng = np.random.Generator(np.random.PCG64(seed))
        members = np.sort(rng.choice(members, size=sample_ads, replace=False))
    scale = (n / len(members)) ** 2
    for rows in range(min_rows, max_rows + 1):
        if signatures.shape[1] // rows < 1:
            return max(1, rows - 1)
        a, _ = candidate_pairs(signatures[members], rows, max_bucket=max_bucket)
        if len(a) * scale <= budget:
            return rows
    return max_rows


@dataclass(frozen=True, slots=True)
class LshIndex:
    """Band keys of indexed ads, saved with a run so later batches can be matched to it.

    Attributes:
        ids: the indexed ads' ids.
        keys: their band keys, shape ``(len(ids), bands)``.
        rows: rows per band.
        num_perm: signature length.
        seed: MinHash seed the signatures were made with.
    """

    ids: list[str]
    keys: U64Array
    rows: int
    num_perm: int
    seed: int

    def save(self, path: Path) -> None:
        """Write the index as a compressed ``.npz`` file."""
        np.savez_compressed(
            path,
            ids=np.asarray(self.ids, dtype=object).astype(str),
            keys=self.keys,
            meta=np.asarray([self.rows, self.num_perm, self.seed], dtype=np.int64),
        )

    @classmethod
    def load(cls, path: Path) -> LshIndex:
        """Read an index written by `save`."""
        with np.load(path, allow_pickle=False) as data:
            rows, num_perm, seed = (int(x) for x in data["meta"])
            return cls([str(x) for x in data["ids"]], data["keys"], rows, num_perm, seed)
