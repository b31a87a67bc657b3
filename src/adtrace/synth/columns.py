"""The output columns that are lookups of the plan (everything but the rendered text)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from adtrace.synth.lexicon import NAMES
from adtrace.synth.places import CITIES, offset_text
from adtrace.synth.plan import OPERATOR, Plan
from adtrace.synth.render import Lookups
from adtrace.synth.sites import Site

LANGUAGES = ("en", "fr")


def lookup_columns(plan: Plan, sites: tuple[Site, ...], lookups: Lookups) -> dict[str, pa.Array]:
    """Every column that is not rendered text, already in posting order.

    Each is a small list of strings taken by an index array, so no large string array is
    ever reordered.
    """
    ads, per = plan.ads, plan.personas
    t = ads.time_order
    persona, lang = ads.persona[t], ads.lang[t]
    phones = ["+1" + national for national in lookups.nationals]
    emails = [f"{user}@{domain}" for user, domain in lookups.emails] or [""]
    return {
        "site": _lookup([s.domain for s in sites], ads.site[t]),
        "posted_at": _posted_at(ads.local_seconds[t], ads.offset_min[t]),
        "city": _lookup([c.name for c in CITIES], ads.city[t]),
        "region": _lookup([c.region for c in CITIES], ads.city[t]),
        "age": _lookup([str(a) for a in per.age.tolist()], persona, ads.age_field[t]),
        "price": _lookup(_price_fields(plan), persona * 2 + lang, ads.price_field[t]),
        "email": _lookup(emails, per.email[persona], ads.email_field[t]),
        "operator_id": _lookup(_advertiser_ids(plan), ads.adv[t]),
        "template_id": _lookup(_template_ids(plan), ads.template[t] * 2 + lang),
        "persona": _lookup(list(NAMES), per.name[persona]),
        "language": _lookup(list(LANGUAGES), lang),
        "phone_e164": _lookup(phones, per.phone[persona], plan.copies.phone_in_text[ads.copy[t]]),
    }


def _lookup(
    values: list[str], index: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """values[index], or "" where `mask` is False (negative indexes must be masked)."""
    column = pa.array(values, pa.string()).take(pa.array(np.maximum(index, 0)))
    return column if mask is None else pc.if_else(pa.array(mask), column, "")


def _posted_at(local_seconds: npt.NDArray[np.int64], offset_min: npt.NDArray[np.int64]) -> pa.Array:
    """ISO 8601 local times with their UTC offsets ("2025-03-04T21:15:00-05:00")."""
    stamps = pa.array(np.datetime_as_string(local_seconds.astype("datetime64[s]"), unit="s"))
    offsets, index = np.unique(offset_min, return_inverse=True)
    suffix = _lookup([offset_text(int(m)) for m in offsets], index.astype(np.int64))
    return pc.binary_join_element_wise(stamps.cast(pa.string()), suffix, "")


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
    operators = [f"op{i:06d}" for i in range(1, n_ops + 1)]
    return operators + [f"ind{i:06d}" for i in range(1, n_ind + 1)]


def _template_ids(plan: Plan) -> list[str]:
    """Per template, its id in English then French ("op000001-t2-fr"; "" for independents)."""
    tp, kind = plan.templates, plan.advertisers.kind.tolist()
    out: list[str] = []
    for a, local in zip(tp.adv.tolist(), tp.local.tolist(), strict=True):
        if kind[a] == OPERATOR:
            base = f"op{a + 1:06d}-t{local + 1}"
            out += [f"{base}-en", f"{base}-fr"]
        else:
            out += ["", ""]
    return out
