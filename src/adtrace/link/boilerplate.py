"""Learn boilerplate from the data: shingle document frequency over near-duplicate groups.

Counting ads would call a large operation's own template boilerplate (a template posted 500
times is in 500 ads). So ads are first grouped into near-duplicates (MinHash estimate at or
above `LinkParams.group_jaccard`), and a shingle's frequency is the number of groups holding
it: a site's header is in most of that site's groups, a stock phrase ("100% real pics") in many
groups overall, a template's wording in the few groups its copies fell into.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from adtrace.cluster.components import connected_components
from adtrace.link.model import BoilerplateModel
from adtrace.link.params import LinkParams
from adtrace.text.lsh import candidate_pairs, choose_rows
from adtrace.text.minhash import MinHasher, estimate_jaccard
from adtrace.text.shingle import VALUE_BITS, ShingleSets, sorted_unique
from adtrace.text.tokens import HASH_VERSION

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]

log = logging.getLogger(__name__)

_GROUP_MIN_ROWS = 4


def near_duplicate_groups(sets: ShingleSets, params: LinkParams, seed: int) -> IntArray:
    """Group label per ad: components of pairs with estimated Jaccard >= `group_jaccard`."""
    signatures = MinHasher(params.num_perm, seed).signatures(sets)
    valid = sets.sizes > 0
    rows = choose_rows(
        signatures,
        valid=valid,
        min_rows=_GROUP_MIN_ROWS,
        max_candidates_per_ad=params.max_candidates_per_ad,
        max_bucket=params.max_bucket,
    )
    a, b = candidate_pairs(signatures, rows, valid=valid, max_bucket=params.max_bucket)
    close = estimate_jaccard(signatures, a, b) >= params.group_jaccard
    return connected_components(len(sets), a[close], b[close])


def distinct_label_counts(
    values: U64Array, labels: IntArray, spare_bits: int
) -> tuple[U64Array, IntArray, int]:
    """For each distinct value, the number of distinct labels it occurs with.

    Values and labels share one 64-bit key; when labels need more than 64 - 48 - `spare_bits`
    bits, values lose low bits (the returned shift): a negligible chance of merging two rare
    shingles, traded for one sort instead of two.

    Returns:
        Sorted distinct shifted values, their label counts, and the shift.
    """
    label_bits = max(1, int(labels.max()).bit_length()) if len(labels) else 1
    shift = max(0, VALUE_BITS + spare_bits + label_bits - 64)
    keys = sorted_unique(
        ((values >> np.uint64(shift)) << np.uint64(label_bits)) | labels.astype(np.uint64)
    )
    shifted = keys >> np.uint64(label_bits)
    if len(shifted) == 0:
        return shifted, np.zeros(0, dtype=np.int64), shift
    starts = np.flatnonzero(np.concatenate([[True], shifted[1:] != shifted[:-1]]))
    counts = np.diff(np.append(starts, len(shifted)))
    return shifted[starts], counts.astype(np.int64), shift


def _frequent(values: U64Array, labels: IntArray, threshold: float, shift: int) -> U64Array:
    """Values (shifted by `shift`) found with at least `threshold` distinct labels."""
    distinct, counts, own_shift = distinct_label_counts(values, labels, 0)
    extra = shift - own_shift
    found = distinct[counts >= threshold]
    return found >> np.uint64(extra) if extra > 0 else found


def learn_boilerplate(
    sets: ShingleSets,
    sites: IntArray,
    site_names: list[str],
    params: LinkParams,
    seed: int,
) -> BoilerplateModel:
    """Learn the boilerplate model from (a seeded sample of) the ads.

    Args:
        sets: raw shingle sets of every ad.
        sites: site code per ad (index into `site_names`; -1 for unknown).
        site_names: the site names.
        params: thresholds (see `LinkParams`).
        seed: seed of the sample and of the grouping signatures.
    """
    rows = _sample_rows(len(sets), params.model_sample, seed)
    sample = sets.take(rows) if len(rows) < len(sets) else sets
    groups = near_duplicate_groups(sample, params, seed)
    _, groups = np.unique(groups, return_inverse=True)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    doc = sample.doc_of_values()
    label_bits = max(1, (n_groups - 1).bit_length()) if n_groups else 1
    site_bits = 8
    shift = max(0, VALUE_BITS + site_bits + label_bits - 64)
    threshold = max(params.boilerplate_min_groups, params.boilerplate_share * n_groups)
    overall = _frequent(sample.values, groups[doc], threshold, shift)
    found = [overall]
    per_site: dict[str, int] = {}
    site_of_ad = sites[rows]
    for code, name in enumerate(site_names):
        in_site = site_of_ad[doc] == code
        site_groups = groups[doc][in_site]
        n_site = len(np.unique(site_groups))
        if n_site < params.site_min_groups:
            continue
        limit = max(params.boilerplate_min_groups, params.site_boilerplate_share * n_site)
        site_found = _frequent(sample.values[in_site], site_groups, limit, shift)
        per_site[name] = len(np.setdiff1d(site_found, overall))
        found.append(site_found)
    hashes = sorted_unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)
    log.info(
        "boilerplate: %d shingles (%d overall) from %d ads in %d groups",
        len(hashes),
        len(overall),
        len(sample),
        n_groups,
    )
    return BoilerplateModel(
        hashes=hashes,
        shift=shift,
        overall=len(overall),
        per_site=per_site,
        n_ads=len(sample),
        n_groups=n_groups,
        shingle_size=params.shingle_size,
        hash_version=HASH_VERSION,
    )


def _sample_rows(n: int, size: int, seed: int) -> IntArray:
    if n <= size:
        return np.arange(n, dtype=np.int64)
    rng = np.random.Generator(np.random.PCG64(seed))
    return np.sort(rng.choice(n, size=size, replace=False)).astype(np.int64)
