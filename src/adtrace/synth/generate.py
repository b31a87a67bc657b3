"""`generate_ads`: a synthetic corpus of ads with its ground truth, as an Arrow table."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import time

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from adtrace.synth.config import SynthConfig
from adtrace.synth.contacts import make_users
from adtrace.synth.lexicon import NAMES
from adtrace.synth.places import CITIES, offset_text
from adtrace.synth.plan import OPERATOR, Plan, make_plan
from adtrace.synth.render import Chunk, Lookups, Renderer, build_lookups
from adtrace.synth.sites import Site, make_sites

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
_TAKE_ROWS = 250_000
_RENDERED = tuple(Chunk.__dataclass_fields__)
_LANGS = ("en", "fr")


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
    local = plan.ads.local_seconds.astype("datetime64[s]")
    dates = np.datetime_as_string(local.astype("datetime64[D]"), unit="D")
    log.debug("planned %d ads in %.2f s", n_ads, time.perf_counter() - started)
    lookups = build_lookups(plan, email_users, handle_users)
    rendered = _render_all(Renderer(plan, lookups, sites, dates), n_ads, _workers(workers, n_ads))
    log.debug("rendered %d ads at %.2f s", n_ads, time.perf_counter() - started)
    columns = _columns(plan, sites, rendered, _posted_at(plan), lookups)
    log.info(
        "generated %d ads (%d operators, %d advertisers) in %.2f s",
        n_ads,
        plan.n_operators,
        len(plan.advertisers.kind),
        time.perf_counter() - started,
    )
    return _in_time_order(columns, plan.ads.time_order)


def _workers(workers: int | None, n_ads: int) -> int:
    if workers is not None:
        return max(1, workers)
    if n_ads < 100_000 or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(4, os.cpu_count() or 1))


_RENDERER: Renderer | None = None
"""The renderer forked workers inherit (set only while a pool runs)."""


def _render_range(bounds: tuple[int, int]) -> dict[str, pa.Array]:
    """Render one range (in a forked worker, or in process) straight to Arrow: Arrow arrays
    pickle as buffers, far cheaper than lists of Python strings."""
    assert _RENDERER is not None
    chunk = _RENDERER.render(*bounds)
    return {name: pa.array(getattr(chunk, name), pa.string()) for name in _RENDERED}


def _render_all(renderer: Renderer, n_ads: int, workers: int) -> dict[str, pa.ChunkedArray]:
    """The rendered string columns, range by range, in render order."""
    global _RENDERER
    ranges = [(lo, min(lo + CHUNK_ADS, n_ads)) for lo in range(0, n_ads, CHUNK_ADS)]
    arrays: dict[str, list[pa.Array]] = {name: [] for name in _RENDERED}
    _RENDERER = renderer
    try:
        if workers > 1 and len(ranges) > 1 and "fork" in mp.get_all_start_methods():
            with mp.get_context("fork").Pool(workers) as pool:
                parts = list(pool.imap(_render_range, ranges))
        else:
            parts = [_render_range(bounds) for bounds in ranges]
    finally:
        _RENDERER = None
    for part in parts:
        for name, values in arrays.items():
            values.append(part[name])
    return {name: pa.chunked_array(values, pa.string()) for name, values in arrays.items()}


def _posted_at(plan: Plan) -> pa.Array:
    """ISO 8601 local times with their UTC offsets (render order)."""
    ads = plan.ads
    local = ads.local_seconds.astype("datetime64[s]")
    stamps = pa.array(np.datetime_as_string(local, unit="s"), pa.string())
    offsets, index = np.unique(ads.offset_min, return_inverse=True)
    suffix = pa.array([offset_text(int(m)) for m in offsets], pa.string()).take(pa.array(index))
    return pc.binary_join_element_wise(stamps, suffix, "")


def _lookup(
    values: list[str], index: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    column = pa.array(values, pa.string()).take(pa.array(np.maximum(index, 0)))
    return column if mask is None else pc.if_else(pa.array(mask), column, "")


def _columns(
    plan: Plan,
    sites: tuple[Site, ...],
    rendered: dict[str, pa.ChunkedArray],
    posted_at: pa.Array,
    lookups: Lookups,
) -> dict[str, pa.Array | pa.ChunkedArray]:
    """Every output column in render order: rendered text plus lookups of the plan."""
    ads, per = plan.ads, plan.personas
    persona = ads.persona
    phones = ["+1" + national for national in lookups.nationals]
    emails = [f"{user}@{domain}" for user, domain in lookups.emails]
    columns = {
        "site": _lookup([s.domain for s in sites], ads.site),
        "id": rendered.pop("site_id"),
        "url": rendered.pop("url"),
        "title": rendered.pop("title"),
        "text": rendered.pop("text"),
        "posted_at": posted_at,
        "city": _lookup([c.name for c in CITIES], ads.city),
        "region": _lookup([c.region for c in CITIES], ads.city),
        "phone": rendered.pop("phone"),
        "age": _lookup([str(a) for a in per.age.tolist()], persona, ads.age_field),
        "price": _lookup(_price_fields(plan), persona * 2 + ads.lang, ads.price_field),
        "email": _lookup(emails or [""], per.email[persona], ads.email_field),
        "operator_id": _lookup(_advertiser_ids(plan), ads.adv),
        "template_id": _lookup(_template_ids(plan), ads.template * 2 + ads.lang),
        "persona": _lookup(list(NAMES), per.name[persona]),
        "language": _lookup(list(_LANGS), ads.lang),
        "phone_e164": _lookup(phones, per.phone[persona], plan.copies.phone_in_text[ads.copy]),
    }
    return columns


def _price_fields(plan: Plan) -> list[str]:
    """Per persona, the price field in English then French ("$250/hr", "250$/h")."""
    out: list[str] = []
    for hour in plan.personas.hour.tolist():
        out += [f"${hour}/hr", f"{hour}$/h"]
    return out


def _advertiser_ids(plan: Plan) -> list[str]:
    """ "op000001"... for operators, "ind000001"... for independents."""
    n_ops = plan.n_operators
    n_ind = len(plan.advertisers.kind) - n_ops
    return [f"op{i:06d}" for i in range(1, n_ops + 1)] + [
        f"ind{i:06d}" for i in range(1, n_ind + 1)
    ]


def _template_ids(plan: Plan) -> list[str]:
    """Per template, its id in English then French ("op000001-t2-fr"; "" for independents)."""
    tp, adv = plan.templates, plan.advertisers
    out: list[str] = []
    for a, local in zip(tp.adv.tolist(), tp.local.tolist(), strict=True):
        if adv.kind[a] == OPERATOR:
            base = f"op{a + 1:06d}-t{local + 1}"
            out += [f"{base}-en", f"{base}-fr"]
        else:
            out += ["", ""]
    return out


def _in_time_order(
    columns: dict[str, pa.Array | pa.ChunkedArray], order: npt.NDArray[np.int64]
) -> pa.Table:
    """The table in posting order.

    Column by column: each is made one contiguous large_string array (a chunked take would
    concatenate all chunks for every batch), taken in batches back to string chunks under
    2 GB, and dropped before the next, to bound memory.
    """
    batches = [pa.array(order[lo : lo + _TAKE_ROWS]) for lo in range(0, len(order), _TAKE_ROWS)]
    taken: dict[str, pa.ChunkedArray] = {}
    for name in COLUMNS:
        column = columns.pop(name)
        if isinstance(column, pa.ChunkedArray):
            column = column.cast(pa.large_string()).combine_chunks()
        taken[name] = pa.chunked_array(
            [column.take(batch).cast(pa.string()) for batch in batches], pa.string()
        )
        del column
    return pa.table(taken, schema=SCHEMA)
