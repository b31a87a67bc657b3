"""Hourly prices and their local baselines, for A14 (low price).

Prices come from the extractor (amount, currency, minutes). An ad's hourly price is its price for
the duration closest to one hour, scaled to 60 minutes; prices without a duration are left out
(a bare "$200" may be for anything). Roses count as dollars (ad slang).

The baseline is the batch being scored: the 10th percentile and median of hourly prices per
city with at least :data:`MIN_PRICES` prices, else over the whole batch; fewer prices than that
give no baseline and no A14 figure (a percentile of a handful of prices says nothing). A price
is low when it is under the 10th percentile and at most :data:`MAX_SHARE_OF_MEDIAN` of the
median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from adtrace.extract import Extraction

MIN_PRICES: Final = 20
LOW_QUANTILE: Final = 0.10
MAX_SHARE_OF_MEDIAN: Final = 0.6
"""A low price is also at most this share of the median: a bottom tenth always exists, a real
discount is well below the usual price."""
CURRENCIES: Final = frozenset({"CAD", "USD", "roses"})
MIN_MINUTES: Final = 15
MAX_MINUTES: Final = 240
ALL: Final = "*"


@dataclass(frozen=True, slots=True)
class Baseline:
    """Hourly price 10th percentile and median of one scope (a city, or ``"*"`` for all)."""

    scope: str
    p10: float
    median: float
    n: int


def hourly_price(extraction: Extraction) -> float | None:
    """The ad's price for one hour (see the module docstring), or None."""
    best: tuple[int, float] | None = None
    for span in extraction.prices:
        minutes = span.minutes
        if span.currency not in CURRENCIES or minutes is None:
            continue
        if not MIN_MINUTES <= minutes <= MAX_MINUTES or not isinstance(span.value, int | float):
            continue
        rate = float(span.value) * 60.0 / minutes
        distance = abs(minutes - 60)
        if best is None or distance < best[0]:
            best = (distance, rate)
    return None if best is None else best[1]


def baselines(hourly: Sequence[float | None], cities: Sequence[str | None]) -> dict[str, Baseline]:
    """Baselines per city with enough prices, and ``"*"`` for the batch (when enough)."""
    values = np.array([np.nan if h is None else h for h in hourly], dtype=np.float64)
    known = ~np.isnan(values)
    scopes = {ALL: known}
    keys = np.array([c or "" for c in cities], dtype=object)
    for city in {c for c in cities if c}:
        scopes[city] = known & (keys == city)
    found: dict[str, Baseline] = {}
    for scope, mask in scopes.items():
        chosen = values[mask]
        if len(chosen) >= MIN_PRICES:
            p10, median = np.quantile(chosen, [LOW_QUANTILE, 0.5])
            found[scope] = Baseline(scope, float(p10), float(median), len(chosen))
    return found


def is_low(hourly: float, baseline: Baseline) -> bool:
    """Whether an hourly price is low against its baseline (see the module docstring)."""
    return hourly < baseline.p10 and hourly <= MAX_SHARE_OF_MEDIAN * baseline.median


def baseline_for(city: str | None, found: dict[str, Baseline]) -> Baseline | None:
    """The city's baseline when it has one, else the batch's."""
    if city and city in found:
        return found[city]
    return found.get(ALL)
