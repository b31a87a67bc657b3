"""Verification of candidate pairs: MinHash estimate first, exact set overlap where it matters.

Every candidate gets the MinHash estimate of its Jaccard similarity (cheap). Pairs whose
estimate is more than three standard errors below both link rules are dropped without an exact
check; the rest get exact Jaccard and containment over boilerplate-free shingle sets, overall
and per field (body, title).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adtrace.link.params import LinkParams
from adtrace.text.minhash import estimate_jaccard, jaccard_error
from adtrace.text.shingle import ShingleSets, field_sizes, intersection_sizes

IntArray = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
U16Array = npt.NDArray[np.uint16]
BoolArray = npt.NDArray[np.bool_]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PairSimilarity:
    """Text similarity of pairs of ads (row indexes `a`, `b`).

    Attributes:
        estimate: MinHash estimate of the Jaccard similarity.
        jaccard: exact Jaccard similarity of the boilerplate-free shingle sets.
        containment: shared shingles over the smaller set's size.
        body_jaccard: Jaccard over body shingles only.
        title_jaccard: Jaccard over title shingles only (NaN when either has no title).
        smaller: shingle count of the smaller set.
        exact: whether the similarities are exact (False: MinHash estimates, for pairs far
            above the thresholds; per-field values are then NaN).
    """

    a: IntArray
    b: IntArray
    estimate: F64Array
    jaccard: F64Array
    containment: F64Array
    body_jaccard: F64Array
    title_jaccard: F64Array
    smaller: IntArray
    exact: BoolArray

    def __len__(self) -> int:
        return len(self.a)

    def select(self, keep: BoolArray | IntArray) -> PairSimilarity:
        """The pairs in `keep` (mask or indexes)."""
        return PairSimilarity(*(getattr(self, f)[keep] for f in self.__dataclass_fields__))

    def score(self, params: LinkParams) -> F64Array:
        """Link score: Jaccard, or containment where the containment rule applies."""
        by_containment = (self.containment >= params.containment_threshold) & (
            self.smaller >= params.min_containment_shingles
        )
        return np.where(by_containment, np.maximum(self.jaccard, self.containment), self.jaccard)

    def linked(self, params: LinkParams) -> BoolArray:
        """Which pairs pass a link rule."""
        return self.score(params) >= params.jaccard_threshold


def exact_similarity(
    sets: ShingleSets,
    a: IntArray,
    b: IntArray,
    estimate: F64Array,
    fields: tuple[IntArray, IntArray] | None = None,
) -> PairSimilarity:
    """Exact similarities of pairs (with their MinHash estimates attached).

    Args:
        sets: boilerplate-free shingle sets.
        a: first ad of each pair.
        b: second ad of each pair.
        estimate: MinHash estimates of the pairs.
        fields: `field_sizes(sets)` when already computed.
    """
    inter, title_inter = intersection_sizes(sets, a, b)
    size = sets.sizes
    body, title = fields if fields is not None else field_sizes(sets)
    union = size[a] + size[b] - inter
    smaller = np.minimum(size[a], size[b])
    body_inter = inter - title_inter
    body_union = body[a] + body[b] - body_inter
    title_union = title[a] + title[b] - title_inter
    has_titles = (title[a] > 0) & (title[b] > 0)
    return PairSimilarity(
        a=a,
        b=b,
        estimate=estimate,
        jaccard=_ratio(inter, union),
        containment=_ratio(inter, smaller),
        body_jaccard=_ratio(body_inter, body_union),
        title_jaccard=np.where(has_titles, _ratio(title_inter, title_union), np.nan),
        smaller=smaller.astype(np.int64),
        exact=np.ones(len(a), dtype=bool),
    )


def estimated_similarity(
    sizes: IntArray, a: IntArray, b: IntArray, estimate: F64Array
) -> PairSimilarity:
    """Similarities derived from MinHash estimates and set sizes (per-field values NaN)."""
    sa, sb = sizes[a], sizes[b]
    smaller = np.minimum(sa, sb)
    inter = estimate * (sa + sb) / (1.0 + estimate)
    nan = np.full(len(a), np.nan)
    return PairSimilarity(
        a=a,
        b=b,
        estimate=estimate,
        jaccard=estimate,
        containment=np.minimum(_ratio(inter, smaller), 1.0),
        body_jaccard=nan,
        title_jaccard=nan.copy(),
        smaller=smaller.astype(np.int64),
        exact=np.zeros(len(a), dtype=bool),
    )


def concat_similarity(parts: list[PairSimilarity]) -> PairSimilarity:
    """Several similarity batches as one."""
    names = PairSimilarity.__dataclass_fields__
    return PairSimilarity(*(np.concatenate([getattr(p, f) for p in parts]) for f in names))


def _ratio(num: IntArray | F64Array, den: IntArray) -> F64Array:
    return np.where(den > 0, num / np.maximum(den, 1), 0.0)


def verify_pairs(
    sets: ShingleSets,
    signatures: U16Array,
    a: IntArray,
    b: IntArray,
    params: LinkParams,
    fields: tuple[IntArray, IntArray] | None = None,
) -> PairSimilarity:
    """Verified text links among candidate pairs.

    The MinHash estimate decides pairs far from the thresholds (more than three standard
    errors): clearly above links on the estimate, clearly below is dropped. Pairs in between,
    and pairs where a short ad may be contained in a longer one, are checked exactly.

    Args:
        sets: boilerplate-free shingle sets.
        signatures: their MinHash signatures.
        a: first ad of each candidate pair.
        b: second ad of each candidate pair.
        params: link thresholds.
        fields: `field_sizes(sets)` when already computed.

    Returns:
        The pairs that pass a link rule, with their similarities, sorted by pair.
    """
    estimate = estimate_jaccard(signatures, a, b)
    margin = _margin(params)
    sure = estimate - margin >= params.jaccard_threshold
    check = ~sure & _worth_checking(sets.sizes, a, b, estimate, params)
    exact = exact_similarity(sets, a[check], b[check], estimate[check], fields)
    estimated = estimated_similarity(sets.sizes, a[sure], b[sure], estimate[sure])
    similarity = concat_similarity([estimated, exact.select(exact.linked(params))])
    order = np.lexsort((similarity.b, similarity.a))
    log.info(
        "%d candidates: %d linked on the estimate, %d checked exactly; %d text links",
        len(a),
        int(sure.sum()),
        int(check.sum()),
        len(similarity),
    )
    return similarity.select(order)


def _margin(params: LinkParams) -> float:
    """Three standard errors of the estimate near the Jaccard threshold."""
    t = params.jaccard_threshold
    return 3.0 * max(jaccard_error(t, params.num_perm), 0.5 / float(np.sqrt(params.num_perm)))


def _worth_checking(
    sizes: IntArray, a: IntArray, b: IntArray, estimate: F64Array, params: LinkParams
) -> BoolArray:
    """Candidates whose estimate is within three standard errors of a link rule."""
    high = np.minimum(estimate + _margin(params), 1.0)
    by_jaccard = high >= params.jaccard_threshold
    sa, sb = sizes[a], sizes[b]
    smaller = np.minimum(sa, sb)
    inter = high * (sa + sb) / (1.0 + high)
    by_containment = (inter >= params.containment_threshold * smaller) & (
        smaller >= params.min_containment_shingles
    )
    worth: BoolArray = by_jaccard | by_containment
    return worth
