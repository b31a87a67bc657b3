"""What incremental linking needs beyond a batch run (pure functions over numpy/Arrow data).

An incremental run links new and changed ads under the frozen model of the last full run: the
same boilerplate, hubs, seed and parameters, with the LSH rows and the giant-split limit fixed
at the values the full run chose (`freeze_params`). New ads are signed (`sign_batch`), matched
against the stored signatures (`lsh_partners`) and selector digests (`selector_keys`), and the
clusters they touch are linked again as one batch.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import numpy as np
import numpy.typing as npt

from adtrace.link.batch import AdBatch
from adtrace.link.model import BoilerplateModel, selector_digest
from adtrace.link.params import LinkParams
from adtrace.link.stages import batch_shingles
from adtrace.text.lsh import band_keys
from adtrace.text.minhash import MinHasher

U16Array = npt.NDArray[np.uint16]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def freeze_params(params: LinkParams, lsh_rows: int, n_ads: int) -> LinkParams:
    """The parameters of a full run with its data-dependent choices fixed: the LSH rows it chose
    and the size above which it split giant clusters (otherwise both depend on the batch size)."""
    limit = max(params.giant_min_ads, int(params.giant_share * n_ads))
    rows = lsh_rows if lsh_rows > 0 else params.lsh_rows
    return replace(params, lsh_rows=rows, giant_min_ads=limit, giant_share=0.0)


def sign_batch(
    batch: AdBatch, boilerplate: BoilerplateModel, params: LinkParams, seed: int
) -> tuple[U16Array, BoolArray]:
    """MinHash signatures of the ads' boilerplate-free shingles, as a link run makes them, and
    which ads have any shingle (an ad without one has no usable signature)."""
    raw = batch_shingles(batch, params.shingle_size)
    clean = raw.drop(boilerplate.contains(raw.values))
    signatures = MinHasher(params.num_perm, seed).signatures(clean)
    return signatures, np.diff(clean.offsets) > 0


PAIRS_PER_KEY: Final = 8
"""New ads compared per stored ad and band when a band key is shared by many new ads."""


def lsh_partners(old: U16Array, new: U16Array, rows: int, min_jaccard: float = 0.0) -> IntArray:
    """Rows of `old` sharing at least one LSH band with a row of `new` whose MinHash estimate of
    Jaccard similarity with it is at least `min_jaccard` (0 keeps every band match).

    For each band, a stored ad is paired with at most `PAIRS_PER_KEY` new ads of its bucket: a
    bucket shared by many new ads is a common passage, and a few of them suffice to find any
    close one.
    """
    if len(old) == 0 or len(new) == 0:
        return np.zeros(0, dtype=np.int64)
    old_keys, new_keys = band_keys(old, rows), band_keys(new, rows)
    found = np.zeros(len(old), dtype=bool)
    for band in range(old_keys.shape[1]):
        order = np.argsort(new_keys[:, band], kind="stable")
        sorted_keys = new_keys[order, band]
        lo = np.searchsorted(sorted_keys, old_keys[:, band], side="left")
        hi = np.searchsorted(sorted_keys, old_keys[:, band], side="right")
        hit = np.flatnonzero((hi > lo) & ~found)
        if len(hit) == 0:
            continue
        if min_jaccard <= 0.0:
            found[hit] = True
            continue
        counts = np.minimum(hi[hit] - lo[hit], PAIRS_PER_KEY)
        olds = np.repeat(hit, counts)
        offsets = np.arange(len(olds)) - np.repeat(np.cumsum(counts) - counts, counts)
        news = order[np.repeat(lo[hit], counts) + offsets]
        close = _estimates(old, new, olds, news) >= min_jaccard
        found[olds[close]] = True
    return np.flatnonzero(found).astype(np.int64)


def _estimates(
    old: U16Array, new: U16Array, a: IntArray, b: IntArray, chunk: int = 200_000
) -> npt.NDArray[np.float64]:
    """MinHash estimate of Jaccard similarity of pairs (old[a], new[b]), chunk by chunk."""
    out = np.empty(len(a), dtype=np.float64)
    for start in range(0, len(a), chunk):
        end = start + chunk
        out[start:end] = (old[a[start:end]] == new[b[start:end]]).mean(axis=1)
    return out


def selector_keys(batch: AdBatch, hubs: set[str]) -> list[tuple[int, str]]:
    """(row, digest) of every selector of the batch that is not a hub."""
    sel = batch.selectors
    digests = [selector_digest(k, v) for k, v in zip(sel.kinds, sel.values, strict=True)]
    return [
        (ad, digests[code])
        for ad, code in zip(sel.ad.tolist(), sel.code.tolist(), strict=True)
        if digests[code] not in hubs
    ]
