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
    """

    a: IntArray
    b: IntArray
    estimate: F64Array
    jaccard: F64Array
    containment: F64Array
    body_jaccard: F64Array
    title_jaccard: F64Array
    smaller: IntArray

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


def exact_similarity(sets: ShingleSets, a: IntArray, b: IntArray, estimate: F64Array
                     ) -> PairSimilarity:
    """Exact similarities of pairs (with their MinHash estimates attached)."""
    inter, title_inter = intersection_sizes(sets, a, b)
    size = sets.sizes
    body, title = field_sizes(sets)
    union = size[a] + size[b] - inter
    smaller = np.minimum(size[a], size[b])
    body_inter = inter - title_inter
    body_union = body[a] + body[b] - body_inter
    title_union = title[a] + title[b] - title_inter
    has_titles = (title[a] > 0) & (title[b] > 0)
    return PairSimilarity(
        a=a, b=b, estimate=estimate,
        jaccard=_ratio(inter, union),
        containment=_ratio(inter, smaller),
        body_jaccard=_ratio(body_inter, body_union),
        title_jaccard=np.where(has_titles, _ratio(title_inter, title_union), np.nan),
        smaller=smaller.astype(np.int64),
    )


def _ratio(num: IntArray, den: IntArray) -> F64Array:
    return np.where(den > 0, num / np.maximum(den, 1), 0.0)


def verify_pairs(
    sets: ShingleSets, signatures: U16Array, a: IntArray, b: IntArray, params: LinkParams
) -> PairSimilarity:
    """Verified text links among candidate pairs.

    Args:
        sets: boilerplate-free shingle sets.
        signatures: their MinHash signatures.
        a: first ad of each candidate pair.
        b: second ad of each candidate pair.
        params: link thresholds.

    Returns:
        The pairs that pass a link rule, with their similarities.
    """
    estimate = estimate_jaccard(signatures, a, b)
    worth = _worth_checking(sets.sizes, a, b, estimate, params)
    similarity = exact_similarity(sets, a[worth], b[worth], estimate[worth])
    linked = similarity.select(similarity.linked(params))
    log.info("verified %d of %d candidates exactly; %d text links", int(worth.sum()), len(a),
             len(linked))
    return linked


def _worth_checking(sizes: IntArray, a: IntArray, b: IntArray, estimate: F64Array,
                    params: LinkParams) -> BoolArray:
    """Candidates whose estimate is within three standard errors of a link rule."""
    t = params.jaccard_threshold
    margin = 3.0 * max(jaccard_error(t, params.num_perm), 0.5 / np.sqrt(params.num_perm))
    high = np.minimum(estimate + margin, 1.0)
    by_jaccard = high >= t
    sa, sb = sizes[a], sizes[b]
    smaller = np.minimum(sa, sb)
    inter = high * (sa + sb) / (1.0 + high)
    by_containment = (inter >= params.containment_threshold * smaller) & (
        smaller >= params.min_containment_shingles
    )
    return by_jaccard | by_containment
