"""Cluster-level indicators (C01..C12) read from a cluster profile, each with its figure.

Thresholds follow indicators.csv where it gives one (C01: 3 personas per phone in 30 days; C03:
3 cities in 14 days or a move between provinces; C06: 3 personas or 2 phones on one template).
Where it does not, the value chosen is stated here and in docs/indicators.md. C13 (events) is
context only (tier X). C07 (photos) and C11 (payers) are not computed: ads do not carry what
they need.
"""

from __future__ import annotations

from typing import Any, Final

from adtrace.indicators.ad import Match
from adtrace.indicators.evidence import Evidence

MIN_PERSONAS: Final = 3
"""C01: distinct personas on one phone within 30 days."""
MIN_PHONES_PER_NAME: Final = 3
"""C02: distinct phones for one persona name within 30 days (2 is an ordinary number change)."""
MIN_CITIES: Final = 3
"""C03: distinct cities within 14 days."""
MIN_CORRIDOR_SHARE: Final = 0.5
MAX_CORRIDOR_DWELL_DAYS: Final = 7.0
"""C04: at least half the moves on one corridor, median stay under a week."""
MIN_MISMATCHED_ADS: Final = 2
"""C05: a mismatch in one ad may be a moved worker's old number; it must persist."""
MIN_TEMPLATE_NAMES: Final = 3
MIN_TEMPLATE_PHONES: Final = 2
"""C06: one template with 3 names or 2 phones."""
MIN_PEAK_DAY_ADS: Final = 10
MIN_SAME_DAY_CITIES: Final = 3
"""C08: 10 ads on one day, or 3 cities on one day (reposting a few times a day is ordinary)."""
MIN_SITES: Final = 2
"""C09: present on two sites or more."""
MIN_AGES: Final = 3
MIN_AGE_SPREAD: Final = 5
"""C10: three different ages, or a spread of 5 years, under one phone."""
MIN_HUB_GROUPS: Final = 3
MIN_MIX: Final = 3
"""C12: a selector shared by 3 groups of text-linked ads (each of 2 ads or more), or 3 phones,
3 names and 3 cities in one cluster."""


def cluster_matches(profile: dict[str, Any]) -> list[Match]:
    """The cluster-level indicators a profile shows, in indicator order."""
    found: list[Match] = []
    for check in (_c01, _c02, _c03, _c04, _c05, _c06, _c08, _c09, _c10, _c12, _c13):
        match = check(profile)
        if match is not None:
            found.append(match)
    return found


def _figure(indicator: str, key: str, **params: Any) -> Match:
    return Match(indicator, None, None, Evidence(key, params))


def _c01(p: dict[str, Any]) -> Match | None:
    personas = p["personas"]
    if personas["max_personas_30d"] < MIN_PERSONAS:
        return None
    top = personas["per_phone"][0]
    return _figure("C01", "c01", personas=top["personas_30d"], area=top["area_code"] or "?")


def _c02(p: dict[str, Any]) -> Match | None:
    phones = p["personas"]["max_phones_per_name_30d"]
    return _figure("C02", "c02", phones=phones) if phones >= MIN_PHONES_PER_NAME else None


def _c03(p: dict[str, Any]) -> Match | None:
    move = p["movement"]
    if move["cities_14d"] < MIN_CITIES and move["interprovincial_hops"] == 0:
        return None
    return _figure(
        "C03", "c03", cities=move["cities_14d"], provinces=len(move["provinces"]), hops=move["hops"]
    )


def _c04(p: dict[str, Any]) -> Match | None:
    move = p["movement"]
    hops, on = move["hops"], move["corridor_hops"]
    dwell = move["median_dwell_days"]
    if not hops or on / hops < MIN_CORRIDOR_SHARE or dwell is None:
        return None
    if dwell >= MAX_CORRIDOR_DWELL_DAYS:
        return None
    return _figure(
        "C04",
        "c04",
        on=on,
        hops=hops,
        corridor_en=move["corridor_en"],
        corridor_fr=move["corridor_fr"],
        dwell=f"{dwell:g}",
    )


def _c05(p: dict[str, Any]) -> Match | None:
    codes = p["area_codes"]
    if codes["mismatched_ads"] < MIN_MISMATCHED_ADS:
        return None
    top = codes["pairs"][0]
    return _figure(
        "C05", "c05", ads=codes["mismatched_ads"], area=top["area_region"], province=top["province"]
    )


def _c06(p: dict[str, Any]) -> Match | None:
    widest = p["templates"]["widest"]
    if widest["names"] < MIN_TEMPLATE_NAMES and widest["phones"] < MIN_TEMPLATE_PHONES:
        return None
    return _figure("C06", "c06", **widest)


def _c08(p: dict[str, Any]) -> Match | None:
    post = p["posting"]
    if post["peak_day_ads"] < MIN_PEAK_DAY_ADS and post["peak_day_cities"] < MIN_SAME_DAY_CITIES:
        return None
    return _figure(
        "C08",
        "c08",
        peak=post["peak_day_ads"],
        cities=post["peak_day_cities"],
        rate=post["ads_per_active_day"],
    )


def _c09(p: dict[str, Any]) -> Match | None:
    sites = len(p["sites"])
    return _figure("C09", "c09", sites=sites) if sites >= MIN_SITES else None


def _c10(p: dict[str, Any]) -> Match | None:
    drift = [
        ph
        for ph in p["personas"]["per_phone"]
        if ph["ages"] >= MIN_AGES or ph["age_spread"] >= MIN_AGE_SPREAD
    ]
    if not drift:
        return None
    top = max(drift, key=lambda ph: (ph["age_spread"], ph["ages"]))
    return _figure("C10", "c10", ages=top["ages"], spread=top["age_spread"])


def _c12(p: dict[str, Any]) -> Match | None:
    sel = p["selectors"]
    hubs = [h for h in sel["hubs"] if h["groups"] >= MIN_HUB_GROUPS]
    if hubs:
        top = hubs[0]
        return _figure("C12", "c12_hub", kind=top["kind"], groups=top["groups"])
    names = p["personas"]["n_names"]
    if sel["phones"] >= MIN_MIX and names >= MIN_MIX and sel["cities"] >= MIN_MIX:
        return _figure("C12", "c12_mix", phones=sel["phones"], names=names, cities=sel["cities"])
    return None


def _c13(p: dict[str, Any]) -> Match | None:
    if not p["events"]:
        return None
    event = p["events"][0]
    return _figure(
        "C13",
        "c13_before" if event["days"] > 0 else "c13_during",
        days=event["days"],
        event_en=event["name_en"],
        event_fr=event["name_fr"],
        city=event["city"],
    )
