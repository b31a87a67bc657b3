"""Candidate pairs of ads for text verification: LSH for similar ads, anchors for containment.

LSH over MinHash signatures finds pairs of similar size and wording, but a short ad copied
inside a long one has a low Jaccard similarity (25 words inside 150 give 0.16) and LSH tuned
for large batches rarely proposes it. So every short ad also contributes its anchors, the
`containment_anchors` smallest of its shingle hashes (a bottom-k sample, the same rule for
every ad): any ad containing the short ad contains its anchors, so looking the anchors up among
all ads' shingles finds every container, and a partial copy keeping a share c of the short ad
is found with probability 1 - (1 - c)**k.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from adtrace.link.params import LinkParams
from adtrace.text.lsh import candidate_pairs, choose_rows, unique_pairs
from adtrace.text.shingle import ShingleSets, members, segment_index, sorted_unique

IntArray = npt.NDArray[np.int64]
U16Array = npt.NDArray[np.uint16]
U64Array = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]

log = logging.getLogger(__name__)


def containment_pairs(sets: ShingleSets, params: LinkParams) -> tuple[IntArray, IntArray]:
    """Pairs (short ad, larger ad holding the short ad's anchors).

    Only ads with `min_containment_shingles` to `containment_max_shingles` shingles are looked
    up, and only in ads at least `containment_ratio` times larger (similar sizes are LSH's job).
    An anchor found in more than `containment_max_postings` ads is skipped.
    """
    sizes = sets.sizes
    short = np.flatnonzero(
        (sizes >= params.min_containment_shingles) & (sizes <= params.containment_max_shingles)
    )
    k = params.containment_anchors
    take = np.minimum(sizes[short], k)
    anchor_at = segment_index(sets.offsets[short], take)
    owner = np.repeat(short, take)
    anchor = sets.values[anchor_at]
    wanted = sorted_unique(anchor)
    hit = np.flatnonzero(members(sets.values, wanted, bitmap_bits=22))
    hit_value = sets.values[hit]
    hit_ad = np.searchsorted(sets.offsets, hit, side="right") - 1
    order = np.argsort(hit_value, kind="stable")
    hit_value, hit_ad = hit_value[order], hit_ad[order]
    lo = np.searchsorted(hit_value, anchor, side="left")
    hi = np.searchsorted(hit_value, anchor, side="right")
    count = np.where(hi - lo <= params.containment_max_postings, hi - lo, 0)
    left = np.repeat(owner, count)
    right = hit_ad[segment_index(lo, count)]
    bigger = sizes[right] >= params.containment_ratio * sizes[left]
    return unique_pairs(left[bigger], right[bigger], max(len(sets), 1))


def text_candidates(
    sets: ShingleSets, signatures: U16Array, params: LinkParams
) -> tuple[IntArray, IntArray, int]:
    """Candidate pairs from LSH and from containment anchors, and the LSH rows used."""
    valid = sets.sizes > 0
    rows = params.lsh_rows or choose_rows(
        signatures,
        valid=valid,
        min_rows=params.lsh_min_rows,
        max_candidates_per_ad=params.max_candidates_per_ad,
        max_bucket=params.max_bucket,
    )
    a, b = candidate_pairs(signatures, rows, valid=valid, max_bucket=params.max_bucket)
    ca, cb = containment_pairs(sets, params)
    log.info(
        "candidates: %d from LSH (%d rows per band), %d from containment anchors",
        len(a),
        rows,
        len(ca),
    )
    a, b = unique_pairs(np.concatenate([a, ca]), np.concatenate([b, cb]), max(len(sets), 1))
    return a, b, rows
