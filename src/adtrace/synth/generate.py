"""`generate_ads`: a synthetic corpus of ads with its ground truth, as an Arrow table."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import time
from multiprocessing.pool import Pool

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from adtrace.synth.columns import lookup_columns
from adtrace.synth.config import SynthConfig
from adtrace.synth.contacts import make_users
from adtrace.synth.lexicon import NAMES
from adtrace.synth.plan import BLOCK_ADS, make_plan
from adtrace.synth.render import Chunk, Renderer, build_lookups
from adtrace.synth.sites import make_sites

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = (
    "site",
    "id",
    "url",
    "title",
    "text",
    "posted_at",
    "city",
    "region",
    "phone",
    "age",
    "price",
    "email",
    "operator_id",
    "template_id",
    "persona",
    "language",
    "phone_e164",
)
SCHEMA = pa.schema([(name, pa.string()) for name in COLUMNS])
CHUNK_ADS = 20_000
_RENDERED = tuple(Chunk.__dataclass_fields__)


def generate_ads(
    n_ads: int, seed: int, config: SynthConfig | None = None, *, workers: int | None = None
) -> pa.Table:
    """Generate `n_ads` synthetic ads with ground truth, in posting order.

    The same `n_ads`, `seed` and `config` give the same table, byte for byte, whatever the
    number of workers.

    Args:
        n_ads: number of ads (0 gives an empty table).
        seed: seed of the numpy PCG64 generator every draw comes from.
        config: difficulty knobs; `SynthConfig()` when None.
        workers: processes rendering text (forked, where the platform can fork); None uses up
            to 4 cores for 100,000 ads or more, else 1.

    Returns:
        One row per ad, every column a string (see `COLUMNS`): what a site shows (site, id,
        url, title, text, posted_at with its UTC offset, city, region, phone, age, price,
        email) and the ground truth (operator_id, template_id, persona, language, and
        phone_e164, the phone written in the text or "").

    Raises:
        ValueError: if `n_ads` is negative.
    """
    config = config or SynthConfig()
    if n_ads < 0:
        raise ValueError(f"n_ads must not be negative, got {n_ads}")
    if n_ads == 0:
        return SCHEMA.empty_table()
    started = time.perf_counter()
    sites = make_sites(config.n_sites)
    rng = np.random.Generator(np.random.PCG64(seed))
    plan = make_plan(n_ads, rng, config, sites)
    per = plan.personas
    email_users = make_users([NAMES[i] for i in per.email_owner_name.tolist()], rng)
    handle_users = make_users([NAMES[i] for i in per.handle_owner_name.tolist()], rng)
    lookups = build_lookups(plan, email_users, handle_users)
    log.debug("planned %d ads in %.2f s", n_ads, time.perf_counter() - started)
    local_days = plan.ads.local_seconds.astype("datetime64[s]").astype("datetime64[D]")
    dates = np.datetime_as_string(local_days, unit="D")
    renderer = Renderer(plan, lookups, sites, dates)
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    columns.update(_render_all(renderer, plan.ads.time_order, _workers(workers, n_ads)))
    columns.update(lookup_columns(plan, sites, lookups))
    log.info(
        "generated %d ads (%d operators, %d advertisers) in %.2f s",
        n_ads,
        plan.n_operators,
        len(plan.advertisers.kind),
        time.perf_counter() - started,
    )
    return pa.table({name: columns[name] for name in COLUMNS}, schema=SCHEMA)


def _workers(workers: int | None, n_ads: int) -> int:
    if workers is not None:
        return max(1, workers)
    if n_ads < 100_000 or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(4, os.cpu_count() or 1))


_RENDERER: Renderer | None = None
"""The renderer forked workers inherit (set only while rendering)."""


def _render_range(bounds: tuple[int, int]) -> dict[str, pa.Array]:
    """Render one range (in a forked worker, or in process) straight to Arrow: Arrow arrays
    pickle as buffers, far cheaper than lists of Python strings."""
    assert _RENDERER is not None
    chunk = _RENDERER.render(*bounds)
    return {name: pa.array(getattr(chunk, name), pa.string()) for name in _RENDERED}


def _ranges(n_ads: int) -> list[tuple[int, int]]:
    """Render ranges of at most `CHUNK_ADS` that never cross a time block."""
    out = []
    for block in range(0, n_ads, BLOCK_ADS):
        end = min(block + BLOCK_ADS, n_ads)
        out += [(lo, min(lo + CHUNK_ADS, end)) for lo in range(block, end, CHUNK_ADS)]
    return out


def _render_all(
    renderer: Renderer, time_order: npt.NDArray[np.int64], workers: int
) -> dict[str, pa.ChunkedArray]:
    """The rendered columns in posting order.

    Ranges are rendered in order (in parallel when `workers` > 1); each finished time block
    is put in posting order at once, so only one block is ever held twice.
    """
    global _RENDERER
    ranges = _ranges(len(time_order))
    out: dict[str, list[pa.Array]] = {name: [] for name in _RENDERED}
    pending: list[dict[str, pa.Array]] = []
    _RENDERER = renderer
    try:
        with _pool(workers, len(ranges)) as pool:
            parts = pool.imap(_render_range, ranges) if pool else map(_render_range, ranges)
            for (_, hi), part in zip(ranges, parts, strict=True):
                pending.append(part)
                if hi % BLOCK_ADS == 0 or hi == len(time_order):
                    _reorder_block(pending, time_order, hi, out)
                    pending = []
    finally:
        _RENDERER = None
    return {name: pa.chunked_array(arrays, pa.string()) for name, arrays in out.items()}


def _pool(workers: int, n_ranges: int) -> contextlib.AbstractContextManager[Pool | None]:
    if workers > 1 and n_ranges > 1 and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork").Pool(workers)
    return contextlib.nullcontext()


def _reorder_block(
    parts: list[dict[str, pa.Array]],
    time_order: npt.NDArray[np.int64],
    end: int,
    out: dict[str, list[pa.Array]],
) -> None:
    """Append the block ending at `end` (render positions) to `out`, in posting order."""
    start = end - sum(len(part["text"]) for part in parts)
    local = pa.array(time_order[start:end] - start)
    for name, arrays in out.items():
        block = pa.concat_arrays([part[name] for part in parts])
        arrays.append(block.take(local))
