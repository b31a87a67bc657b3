"""What incremental linking needs beyond a batch run (pure functions over numpy/Arrow data).

An incremental run links new and changed ads under the frozen model of the last full run: the
same boilerplate, hubs, seed and parameters, with the LSH rows and the giant-split limit fixed
at the values the full run chose (`freeze_params`). New ads are signed (`sign_batch`), matched
against the stored signatures (`lsh_partners`) and selector digests (`selector_keys`), and the
clusters they touch are linked again as one batch.
"""

from __future__ import annotations

from dataclasses import replace

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


def lsh_partners(old: U16Array, new: U16Array, rows: int) -> IntArray:
    """Rows of `old` that share at least one LSH band with any row of `new`."""
    if len(old) == 0 or len(new) == 0:
        return np.zeros(0, dtype=np.int64)
    old_keys, new_keys = band_keys(old, rows), band_keys(new, rows)
    hit = np.zeros(len(old), dtype=bool)
    for band in range(old_keys.shape[1]):
        hit |= np.isin(old_keys[:, band], new_keys[:, band])
    return np.flatnonzero(hit).astype(np.int64)


def selector_keys(batch: AdBatch, hubs: set[str]) -> list[tuple[int, str]]:
    """(row, digest) of every selector of the batch that is not a hub."""
    sel = batch.selectors
    digests = [selector_digest(k, v) for k, v in zip(sel.kinds, sel.values, strict=True)]
    return [
        (ad, digests[code])
        for ad, code in zip(sel.ad.tolist(), sel.code.tolist(), strict=True)
        if digests[code] not in hubs
    ]
