"""Cluster profiles: personas, movement, posting rate, sites, area codes, template reuse, and the
selectors that hold a cluster together.

A profile is a JSON-able dict of figures, computed from the cluster's ads (their extracted
selectors, city, site and time) and the text links between them. The cluster-level indicators
(:mod:`adtrace.indicators.cluster`) read only these figures, so every flag can be shown with the
figure behind it.

Windows: personas and phones are counted within :data:`PERSONA_DAYS` days, cities within
:data:`MOVE_DAYS` days (indicators.csv). Ads without a time are left out of windows, unless no
ad has a time: then they all form one window.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import networkx as nx  # type: ignore[import-untyped]

from adtrace.extract import area_code_region
from adtrace.indicators.geography import (
    corridor_of,
    distance_km,
    events_near,
    region_matches,
    resolve_city,
)

PERSONA_DAYS: Final = 30
MOVE_DAYS: Final = 14
HUB_GROUPS: Final = 3
MAX_LISTED: Final = 50


@dataclass(frozen=True, slots=True)
class ProfileAd:
    """What a profile reads from one ad of the cluster.

    Attributes:
        id: the ad id.
        site: the site it was posted on.
        posted_at: when (timezone-aware), or None.
        city: the advertised city (the ad's city field, else the first city the extractor
            found), as a label.
        phones, emails, handles: extracted selectors (E.164 for phones).
        names: persona names; ages: stated ages.
    """

    id: str
    site: str | None = None
    posted_at: datetime | None = None
    city: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    ages: tuple[int, ...] = ()


def cluster_profile(
    ads: Sequence[ProfileAd], text_links: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """The profile of one cluster.

    Args:
        ads: the cluster's ads.
        text_links: pairs of ad ids linked by shared text (a template), inside the cluster.

    Returns:
        Keys ``n_ads``, ``first_seen``, ``last_seen``, ``sites``, ``personas``, ``movement``,
        ``posting``, ``area_codes``, ``templates``, ``selectors``, ``events`` (see
        docs/indicators.md).
    """
    times = [a.posted_at for a in ads if a.posted_at is not None]
    return {
        "n_ads": len(ads),
        "first_seen": min(times).isoformat() if times else None,
        "last_seen": max(times).isoformat() if times else None,
        "sites": sorted({a.site for a in ads if a.site}),
        "personas": personas(ads),
        "movement": movement(ads),
        "posting": posting(ads),
        "area_codes": area_codes(ads),
        "templates": templates(ads, text_links),
        "selectors": selectors(ads, text_links),
        "events": first_ad_events(ads),
    }


def _key(name: str) -> str:
    return name.casefold()


def max_distinct(events: Sequence[tuple[datetime | None, Hashable]], days: int) -> int:
    """The most distinct values seen within any window of ``days`` days. Events without a time
    are left out, unless none has one: then they all form one window."""
    timed = sorted(
        ((t, v) for t, v in events if t is not None),
        key=lambda e: e[0],
    )
    if not timed:
        return len({v for _, v in events})
    window: Counter[Hashable] = Counter()
    best, left, span = 0, 0, timedelta(days=days)
    for time, value in timed:
        window[value] += 1
        while time - timed[left][0] > span:
            old = timed[left][1]
            window[old] -= 1
            if not window[old]:
                del window[old]
            left += 1
        best = max(best, len(window))
    return best


def personas(ads: Sequence[ProfileAd]) -> dict[str, Any]:
    """Distinct names and ages, per phone (C01, C10) and per name (C02)."""
    names = {_key(n): n for a in ads for n in a.names}
    by_phone: dict[str, list[ProfileAd]] = {}
    by_name: dict[str, list[ProfileAd]] = {}
    for a in ads:
        for phone in set(a.phones):
            by_phone.setdefault(phone, []).append(a)
        for key in {_key(n) for n in a.names}:
            by_name.setdefault(key, []).append(a)
    per_phone: list[dict[str, Any]] = [
        _phone_personas(mine, phone) for phone, mine in sorted(by_phone.items())
    ]
    per_name: list[dict[str, Any]] = []
    for key, name in sorted(names.items()):
        events = [(a.posted_at, p) for a in by_name[key] for p in a.phones]
        phones = {p for _, p in events}
        per_name.append(
            {"name": name, "phones": len(phones), "phones_30d": max_distinct(events, PERSONA_DAYS)}
        )
    return {
        "names": sorted(names.values())[:MAX_LISTED],
        "n_names": len(names),
        "ages": sorted({age for a in ads for age in a.ages}),
        "per_phone": sorted(per_phone, key=lambda p: -p["personas_30d"])[:MAX_LISTED],
        "per_name": sorted(per_name, key=lambda p: -p["phones_30d"])[:MAX_LISTED],
        "max_personas_30d": max((p["personas_30d"] for p in per_phone), default=0),
        "max_phones_per_name_30d": max((p["phones_30d"] for p in per_name), default=0),
    }


def _phone_personas(mine: Sequence[ProfileAd], phone: str) -> dict[str, Any]:
    named = [(a.posted_at, _key(n)) for a in mine for n in a.names]
    aged = [(a.posted_at, age) for a in mine for age in a.ages]
    ages = sorted({age for a in mine for age in a.ages})
    return {
        "phone": phone,
        "area_code": phone[2:5] if phone.startswith("+1") else None,
        "ads": len(mine),
        "names": len({v for _, v in named}),
        "ages": len(ages),
        "age_spread": ages[-1] - ages[0] if ages else 0,
        "personas_30d": max_distinct(named if named else aged, PERSONA_DAYS),
    }


@dataclass(frozen=True, slots=True)
class _Stay:
    city: str
    province: str | None
    first: datetime
    last: datetime
    ads: int


def _stays(ads: Sequence[ProfileAd]) -> list[_Stay]:
    timed = sorted(
        ((a.posted_at, a.city) for a in ads if a.posted_at is not None and a.city),
        key=lambda e: e[0],
    )
    stays: list[_Stay] = []
    for time, label in timed:
        known = resolve_city(label)
        city = known.name if known else label
        if stays and stays[-1].city == city:
            last = stays[-1]
            stays[-1] = _Stay(city, last.province, last.first, time, last.ads + 1)
        else:
            stays.append(_Stay(city, known.province if known else None, time, time, 1))
    return stays


def movement(ads: Sequence[ProfileAd]) -> dict[str, Any]:
    """Cities over time (C03), the circuit, speed of moves and known corridors (C04)."""
    stays = _stays(ads)
    hops = list(itertools.pairwise(stays))
    events = [(a.posted_at, _city_key(a.city)) for a in ads if a.city]
    corridors = Counter(c.id for a, b in hops if (c := corridor_of(a.city, b.city)))
    names = {c.id: c for a, b in hops if (c := corridor_of(a.city, b.city))}
    dwell = [(b.first - a.first).total_seconds() / 86400 for a, b in hops]
    provinces = {s.province for s in stays if s.province}
    top = corridors.most_common(1)
    return {
        "cities": sorted({s.city for s in stays} | {a.city for a in ads if a.city and not stays}),
        "circuit": [s.city for s in stays][:MAX_LISTED],
        "hops": len(hops),
        "interprovincial_hops": sum(
            1 for a, b in hops if a.province and b.province and a.province != b.province
        ),
        "provinces": sorted(provinces),
        "cities_14d": max_distinct(events, MOVE_DAYS),
        "median_dwell_days": round(statistics.median(dwell), 2) if dwell else None,
        "max_speed_kmh": _max_speed(hops),
        "corridor_hops": sum(corridors.values()),
        "corridor": top[0][0] if top else None,
        "corridor_en": names[top[0][0]].name_en if top else None,
        "corridor_fr": names[top[0][0]].name_fr if top else None,
    }


def _city_key(label: str | None) -> str | None:
    known = resolve_city(label)
    return known.name if known else label


def _max_speed(hops: Sequence[tuple[_Stay, _Stay]]) -> float | None:
    speeds = []
    for a, b in hops:
        ca, cb = resolve_city(a.city), resolve_city(b.city)
        hours = (b.first - a.last).total_seconds() / 3600
        if ca and cb and hours > 0:
            speeds.append(distance_km(ca, cb) / hours)
    return round(max(speeds), 1) if speeds else None


def first_ad_events(ads: Sequence[ProfileAd]) -> list[dict[str, Any]]:
    """Large events (C13, context only) near the cluster's first ad with a time and a city."""
    placed = [a for a in ads if a.posted_at is not None and resolve_city(a.city)]
    if not placed:
        return []
    first = min(placed, key=lambda a: a.posted_at)  # type: ignore[arg-type, return-value]
    city = resolve_city(first.city)
    assert city is not None and first.posted_at is not None
    return [
        {"event": e.id, "name_en": e.name_en, "name_fr": e.name_fr, "city": e.city, "days": d}
        for e, d in events_near(city.name, first.posted_at.date())
    ]


def posting(ads: Sequence[ProfileAd]) -> dict[str, Any]:
    """Posting rate (C08): ads per active day, the busiest day, cities on one day."""
    days = Counter(a.posted_at.date() for a in ads if a.posted_at is not None)
    cities: dict[Any, set[str]] = {}
    for a in ads:
        if a.posted_at is not None and a.city:
            cities.setdefault(a.posted_at.date(), set()).add(_city_key(a.city) or a.city)
    span = (max(days) - min(days)).days + 1 if days else 0
    return {
        "active_days": len(days),
        "span_days": span,
        "ads_per_active_day": round(sum(days.values()) / len(days), 2) if days else None,
        "peak_day_ads": max(days.values(), default=0),
        "peak_day_cities": max((len(c) for c in cities.values()), default=0),
    }


def area_codes(ads: Sequence[ProfileAd]) -> dict[str, Any]:
    """Phones whose area code belongs to another province than the advertised city (C05)."""
    pairs: Counter[tuple[str, str]] = Counter()
    mismatched = 0
    for a in ads:
        city = resolve_city(a.city)
        if city is None:
            continue
        wrong = {
            (region, city.province)
            for p in a.phones
            if (region := area_code_region(p)) and not region_matches(region, city.province)
        }
        mismatched += bool(wrong)
        pairs.update(wrong)
    return {
        "mismatched_ads": mismatched,
        "pairs": [
            {"area_region": r, "province": p, "ads": n} for (r, p), n in pairs.most_common(10)
        ],
    }


def _text_groups(ads: Sequence[ProfileAd], text_links: Sequence[tuple[str, str]]) -> list[set[str]]:
    graph: Any = nx.Graph()
    graph.add_nodes_from(a.id for a in ads)
    graph.add_edges_from((a, b) for a, b in text_links if a in graph and b in graph)
    return [set(c) for c in nx.connected_components(graph)]


def templates(ads: Sequence[ProfileAd], text_links: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Template reuse (C06): per group of text-linked ads, its distinct names and phones."""
    by_id = {a.id: a for a in ads}
    best = {"ads": 0, "names": 0, "phones": 0}
    groups = [g for g in _text_groups(ads, text_links) if len(g) >= 2]
    for group in groups:
        names = {_key(n) for i in group for n in by_id[i].names}
        phones = {p for i in group for p in by_id[i].phones}
        figures = {"ads": len(group), "names": len(names), "phones": len(phones)}
        if (figures["names"], figures["phones"], figures["ads"]) > (
            best["names"],
            best["phones"],
            best["ads"],
        ):
            best = figures
    return {"text_groups": len(groups), "widest": best}


def selectors(ads: Sequence[ProfileAd], text_links: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Counts, hub selectors (C12: shared by several groups of text-linked ads) and bridges
    (selectors whose removal splits the cluster's ad-selector graph, with the pieces left)."""
    graph: Any = nx.Graph()
    for a in ads:
        graph.add_node(("ad", a.id))
        for kind, values in (("phone", a.phones), ("email", a.emails), ("handle", a.handles)):
            graph.add_edges_from((("ad", a.id), (kind, v)) for v in values)
    graph.add_edges_from((("ad", a), ("ad", b)) for a, b in text_links)
    # Only groups of two ads or more count: with few text links recorded (spanning links), a
    # lone ad is not evidence of a separate template.
    groups = [g for g in _text_groups(ads, text_links) if len(g) >= 2]
    group_of = {i: n for n, g in enumerate(groups) for i in g}
    hubs = []
    for node in graph:
        if node[0] != "ad":
            touched = {group_of[n[1]] for n in graph[node] if n[1] in group_of}
            if len(touched) >= HUB_GROUPS:
                hubs.append({"kind": node[0], "value": node[1], "groups": len(touched)})
    # Removing a node leaves as many pieces of its component as biconnected blocks contain it.
    blocks: Counter[tuple[str, str]] = Counter(
        n for block in nx.biconnected_components(graph) for n in block
    )
    bridges = [
        {"kind": node[0], "value": node[1], "parts": blocks[node]}
        for node in graph
        if node[0] != "ad" and blocks[node] >= 2
    ]
    return {
        "phones": len({p for a in ads for p in a.phones}),
        "emails": len({e for a in ads for e in a.emails}),
        "handles": len({h for a in ads for h in a.handles}),
        "cities": len({_city_key(a.city) for a in ads if a.city}),
        "hubs": sorted(hubs, key=lambda h: -h["groups"])[:MAX_LISTED],
        "bridges": sorted(bridges, key=lambda b: -b["parts"])[:MAX_LISTED],
    }
