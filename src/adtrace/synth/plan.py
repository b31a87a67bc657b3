"""Every random choice of a synthetic corpus, drawn up front as numpy arrays.

The plan decides who posts what, where and when: advertisers (operators and independents),
their personas and selectors, their templates, every ad (persona, template, time, city,
site, language) and every copy (the edits and extras an ad's text gets). Rendering then only
joins strings. Ads are kept in render order (by template, persona, time) so each template is
built once; `time_order` gives the output order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from adtrace.synth import phones
from adtrace.synth.config import SynthConfig
from adtrace.synth.contacts import DOMAINS, PLATFORMS
from adtrace.synth.lexicon import ADJ, DESC, LOOK, NAMES
from adtrace.synth.patterns import (
    HALF_HOUR_RATES,
    HOUR_RATES,
    INDEPENDENT_LAYOUT,
    OPERATOR_LAYOUT,
    OPERATOR_TITLES,
    PATTERNS,
    PRICES,
    RANDS_PER_SENTENCE,
    SECTIONS,
    TITLES,
    approx_words,
    encode_sentences,
    layout_probabilities,
)
from adtrace.synth.places import CITIES, localize, select_circuits, select_cities
from adtrace.synth.sites import Site

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

OPERATOR, INDEPENDENT = 0, 1
EDIT_TYPES = 4  # word swap, deletion, typo, punctuation/emoji
EDIT_TYPE_P = (0.35, 0.2, 0.25, 0.2)
MAX_EXTRA_STOCK = 6
BLOCK_ADS = 200_000
"""Ads per time block: larger blocks build each template fewer times but reorder more at once."""
BITS = 2**31
# Posting hour weights (local time): ads go up in the evening and at night.
HOUR_WEIGHTS = np.asarray(
    [4, 3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 7, 8, 9, 10, 10, 9, 8, 6], dtype=np.float64
)
_APPROX_WORDS = np.asarray([approx_words(p) for p in PATTERNS] + [0.0])


@dataclass
class Advertisers:
    """Per advertiser (operators first, then independents)."""

    kind: IntArray
    size: IntArray
    no_selector: BoolArray
    route: IntArray
    route_offset: IntArray
    home: IntArray
    stay: IntArray
    start_day: IntArray
    span: IntArray
    site_base: IntArray
    site_count: IntArray
    style: IntArray
    n_personas: IntArray
    n_templates: IntArray


@dataclass
class Personas:
    """Per persona (look -1 for none), and the selectors they use (indexes, -1 for none)."""

    adv: IntArray
    name: IntArray
    age: IntArray
    desc: IntArray
    look: IntArray
    half_hour: IntArray
    hour: IntArray
    lang_pref: FloatArray
    shift: IntArray
    phone: IntArray
    email: IntArray
    handle: IntArray
    numbers: IntArray
    email_owner_name: IntArray
    email_domain: IntArray
    handle_owner_name: IntArray
    handle_platform: IntArray


@dataclass
class Templates:
    """Per template: its sentences (`patterns.encode_sentences`, -1 for none), title, price."""

    adv: IntArray
    local: IntArray
    patterns: IntArray
    sentences: IntArray
    title: IntArray
    price: IntArray
    adj: IntArray
    words: FloatArray


@dataclass
class Ads:
    """Per ad, in render order; `time_order[k]` is the render position of the k-th ad posted."""

    adv: IntArray
    persona: IntArray
    template: IntArray
    local_seconds: IntArray
    offset_min: IntArray
    city: IntArray
    site: IntArray
    lang: IntArray
    site_id: IntArray
    copy: IntArray
    bits: IntArray
    phone_field: BoolArray
    email_field: BoolArray
    age_field: BoolArray
    price_field: BoolArray
    time_order: IntArray


@dataclass
class Copies:
    """Per copy (an ad and its exact reposts): edits, extra stock phrases, phone and contact."""

    edit_start: IntArray
    edit_pos: npt.NDArray[np.uint16]
    edit_type: npt.NDArray[np.uint8]
    edit_rand: npt.NDArray[np.int32]
    stock_start: IntArray
    stock_id: IntArray
    stock_bits: IntArray
    style: IntArray
    style_bits: IntArray
    phone_in_text: BoolArray
    contact: IntArray
    reorder: BoolArray
    bits: IntArray


@dataclass
class Plan:
    """All draws for one corpus."""

    advertisers: Advertisers
    personas: Personas
    templates: Templates
    ads: Ads
    copies: Copies
    n_operators: int


def make_plan(
    n_ads: int, rng: np.random.Generator, config: SynthConfig, sites: tuple[Site, ...]
) -> Plan:
    """Draw every choice for `n_ads` ads (at least 1)."""
    cities = select_cities(config.cities)
    advertisers, n_ops = _plan_advertisers(n_ads, rng, config, sites, cities)
    personas = _plan_personas(advertisers, rng)
    templates = _plan_templates(advertisers, rng, config)
    ads = _plan_ads(advertisers, personas, rng, config, sites, cities)
    copies = _plan_copies(ads, advertisers, personas, templates, rng, config)
    return Plan(advertisers, personas, templates, ads, copies, n_ops)


def _split(
    total: int, groups: int, min_size: int, sigma: float, rng: np.random.Generator
) -> IntArray:
    """`total` split into `groups` heavy-tailed sizes of at least `min_size`."""
    if groups == 0:
        return np.zeros(0, dtype=np.int64)
    weights = rng.lognormal(0.0, sigma, size=groups)
    rest = rng.multinomial(total - min_size * groups, weights / weights.sum())
    return (rest + min_size).astype(np.int64)


def _sizes(n_ads: int, rng: np.random.Generator, config: SynthConfig) -> tuple[IntArray, IntArray]:
    n_ind_ads = round(n_ads * config.independent_share)
    n_op_ads = n_ads - n_ind_ads
    n_ops = 0 if n_op_ads == 0 else max(1, int(n_op_ads // config.ads_per_operator))
    n_ind = 0 if n_ind_ads == 0 else max(1, round(n_ind_ads / config.ads_per_independent))
    op_min = min(5, n_op_ads // n_ops) if n_ops else 0
    return (_split(n_op_ads, n_ops, op_min, 1.0, rng), _split(n_ind_ads, n_ind, 1, 0.7, rng))


def _routes(cities: list[int]) -> tuple[IntArray, IntArray, int, FloatArray]:
    """Padded route table: multi-city circuits first, then one single-city route per city."""
    circuits, weights = select_circuits(cities)
    routes = circuits + [[c] for c in cities]
    table = np.zeros((len(routes), max(len(r) for r in routes)), dtype=np.int64)
    for i, route in enumerate(routes):
        table[i, : len(route)] = route
    lengths = np.asarray([len(r) for r in routes], dtype=np.int64)
    return table, lengths, len(circuits), np.asarray(weights, dtype=np.float64)


def _draw_routes(
    kind: IntArray, rng: np.random.Generator, cities: list[int]
) -> tuple[IntArray, IntArray, IntArray]:
    """Route, starting position and home city per advertiser.

    Operators tour a circuit; independents mostly stay home (15% tour).
    """
    table, lengths, n_circuits, circuit_w = _routes(cities)
    city_w = np.asarray([CITIES[c].weight for c in cities])
    single = n_circuits + rng.choice(len(cities), size=len(kind), p=city_w / city_w.sum())
    route = single
    if n_circuits:
        tour = rng.choice(n_circuits, size=len(kind), p=circuit_w / circuit_w.sum())
        touring = (kind == OPERATOR) | (rng.random(len(kind)) < 0.15)
        route = np.where(touring, tour, single)
    offset = (rng.random(len(kind)) * lengths[route]).astype(np.int64)
    return route, offset, table[route, offset]


def _plan_advertisers(
    n_ads: int,
    rng: np.random.Generator,
    config: SynthConfig,
    sites: tuple[Site, ...],
    cities: list[int],
) -> tuple[Advertisers, int]:
    op_sizes, ind_sizes = _sizes(n_ads, rng, config)
    n_ops, n = len(op_sizes), len(op_sizes) + len(ind_sizes)
    kind = np.repeat([OPERATOR, INDEPENDENT], [n_ops, len(ind_sizes)]).astype(np.int64)
    size = np.concatenate([op_sizes, ind_sizes])
    is_op = kind == OPERATOR
    no_selector = np.zeros(n, dtype=bool)
    no_selector[:n_ops] = rng.permutation(n_ops) < round(config.no_selector_share * n_ops)
    route, offset, home = _draw_routes(kind, rng, cities)
    start_day, span = _windows(is_op, rng, config.days)
    site_w = np.asarray([s.weight for s in sites])
    style = np.where(
        is_op,
        rng.choice(len(phones.STYLES), n, p=phones.style_weights(True)),
        rng.choice(len(phones.STYLES), n, p=phones.style_weights(False)),
    )
    n_personas = np.where(is_op, np.clip(2 + rng.poisson(1 + size / 80), 2, 12), 1)
    n_templates = np.where(is_op, 1 + (rng.random(n) < 0.5) + (rng.random(n) < 0.2), 1)
    advertisers = Advertisers(
        kind=kind,
        size=size,
        no_selector=no_selector,
        route=route,
        route_offset=offset,
        home=home,
        stay=np.where(is_op, rng.integers(3, 11, n), rng.integers(5, 21, n)),
        start_day=start_day,
        span=span,
        site_base=rng.choice(len(sites), size=n, p=site_w / site_w.sum()),
        site_count=np.minimum(
            np.where(is_op, rng.integers(2, 5, n), rng.integers(1, 3, n)), len(sites)
        ),
        style=style.astype(np.int64),
        n_personas=np.minimum(n_personas, size).astype(np.int64),
        n_templates=np.minimum(n_templates, size).astype(np.int64),
    )
    return advertisers, n_ops


def _windows(is_op: BoolArray, rng: np.random.Generator, days: int) -> tuple[IntArray, IntArray]:
    """Active period per advertiser: operators long, independents shorter."""
    n = len(is_op)
    start = np.where(is_op, rng.random(n) * days * 0.8, rng.random(n) * days).astype(np.int64)
    share = np.where(is_op, rng.uniform(0.3, 1.0, n), rng.uniform(0.05, 0.5, n))
    span = np.maximum(1, np.ceil((days - start) * share)).astype(np.int64)
    return start, span


def _first(counts: IntArray) -> IntArray:
    """Start offset of each group given group sizes."""
    return np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)


def _plan_personas(adv: Advertisers, rng: np.random.Generator) -> Personas:
    p_adv = np.repeat(np.arange(len(adv.kind)), adv.n_personas)
    local = np.arange(len(p_adv)) - _first(adv.n_personas)[p_adv]
    is_op = adv.kind[p_adv] == OPERATOR
    n = len(p_adv)
    age_u = rng.random(n)
    names = _distinct_names(p_adv, rng)
    phone, numbers = _plan_phones(adv, p_adv, local, rng)
    email, email_name, n_emails = _plan_shared(adv, p_adv, names, 0.5, 0.3, rng)
    handle, handle_name, n_handles = _plan_shared(adv, p_adv, names, 0.6, 0.4, rng)
    return Personas(
        adv=p_adv,
        name=names,
        age=np.where(
            is_op, 19 + (11 * age_u**1.5).astype(np.int64), 19 + (27 * age_u**1.2).astype(np.int64)
        ),
        desc=rng.integers(0, len(DESC), n),
        look=np.where(rng.random(n) < 0.4, rng.integers(0, len(LOOK), n), -1),
        half_hour=np.asarray(HALF_HOUR_RATES)[rng.integers(0, len(HALF_HOUR_RATES), n)],
        hour=np.asarray(HOUR_RATES)[rng.integers(0, len(HOUR_RATES), n)],
        lang_pref=rng.normal(0.0, 1.5, n),
        shift=np.where(is_op & (rng.random(n) < 0.3), 1, 0),
        phone=phone,
        email=email,
        handle=handle,
        numbers=numbers,
        email_owner_name=email_name,
        email_domain=rng.integers(0, len(DOMAINS), n_emails),
        handle_owner_name=handle_name,
        handle_platform=rng.integers(0, len(PLATFORMS), n_handles),
    )


def _distinct_names(p_adv: IntArray, rng: np.random.Generator) -> IntArray:
    """A name per persona, never twice within one advertiser (the persona column is then
    unambiguous inside an operation; names still repeat across advertisers, as they do)."""
    names = rng.integers(0, len(NAMES), len(p_adv))
    while True:
        order = np.lexsort((names, p_adv))
        repeated = np.zeros(len(names), dtype=bool)
        same = (p_adv[order][1:] == p_adv[order][:-1]) & (names[order][1:] == names[order][:-1])
        repeated[order[1:]] = same
        if not repeated.any():
            return names
        names[repeated] = rng.integers(0, len(NAMES), int(repeated.sum()))


def _plan_phones(
    adv: Advertisers, p_adv: IntArray, local: IntArray, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Phone index per persona, and the national numbers.

    Operators with selectors share a small pool of phones across their personas (several
    personas per phone); `no_selector` operators give each persona its own phone.
    """
    shared = (adv.kind == OPERATOR) & ~adv.no_selector
    pool_share = rng.uniform(0.2, 0.5, len(adv.kind))
    pool = np.where(shared, np.maximum(1, np.round(adv.n_personas * pool_share)), adv.n_personas)
    pool = pool.astype(np.int64)
    phone = _first(pool)[p_adv] + local % pool[p_adv]
    owner = np.repeat(np.arange(len(adv.kind)), pool)
    codes = np.zeros((len(CITIES), 3), dtype=np.int64)
    n_codes = np.asarray([len(c.area_codes) for c in CITIES])
    for i, city in enumerate(CITIES):
        codes[i, : len(city.area_codes)] = city.area_codes
    home = adv.home[owner]
    area = codes[home, (rng.random(len(owner)) * n_codes[home]).astype(np.int64)]
    return phone, phones.draw_numbers(area, rng)


def _plan_shared(
    adv: Advertisers,
    p_adv: IntArray,
    names: IntArray,
    shared_p: float,
    own_p: float,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray, int]:
    """E-mail or handle index per persona (-1 for none), each owner's name, and the count.

    An operator with selectors has, with probability `shared_p`, one address used by all its
    personas; other personas (and independents) get their own with probability `own_p`.
    """
    n_adv = len(adv.kind)
    operator_has = (adv.kind == OPERATOR) & ~adv.no_selector & (rng.random(n_adv) < shared_p)
    own = ~operator_has[p_adv] & (rng.random(len(p_adv)) < own_p)
    n_shared = int(operator_has.sum())
    shared_index = np.cumsum(operator_has) - 1
    own_index = n_shared + np.cumsum(own) - 1
    index = np.where(operator_has[p_adv], shared_index[p_adv], np.where(own, own_index, -1))
    first_persona_name = names[_first(adv.n_personas)]
    owner_names = np.concatenate([first_persona_name[operator_has], names[own]])
    return index.astype(np.int64), owner_names, len(owner_names)


def _zipf(size: int, options: int, rng: np.random.Generator) -> IntArray:
    weights = 1.0 / np.arange(1, options + 1) ** 0.9
    return np.searchsorted(np.cumsum(weights) / weights.sum(), rng.random(size)).astype(np.int64)


def _plan_templates(adv: Advertisers, rng: np.random.Generator, config: SynthConfig) -> Templates:
    t_adv = np.repeat(np.arange(len(adv.kind)), adv.n_templates)
    n = len(t_adv)
    is_op = adv.kind[t_adv] == OPERATOR
    width = max(len(OPERATOR_LAYOUT), len(INDEPENDENT_LAYOUT))
    patterns = np.full((n, width), -1, dtype=np.int64)
    for layout, rows in ((OPERATOR_LAYOUT, is_op), (INDEPENDENT_LAYOUT, ~is_op)):
        probs = layout_probabilities(layout, config.stock_phrase_rate)
        for col, ((section, _), p) in enumerate(zip(layout, probs, strict=True)):
            first, count = SECTIONS[section]
            pick = _zipf(n, count, rng) if section == "stock" else rng.integers(0, count, n)
            present = rows & (rng.random(n) < p)
            patterns[present, col] = first + pick[present]
    titles = np.where(is_op, rng.integers(0, OPERATOR_TITLES, n), rng.integers(0, len(TITLES), n))
    rands = rng.integers(0, 2**16, (n, width, RANDS_PER_SENTENCE), dtype=np.uint16)
    return Templates(
        adv=t_adv,
        local=np.arange(n) - _first(adv.n_templates)[t_adv],
        patterns=patterns,
        sentences=encode_sentences(patterns, rands),
        title=titles,
        price=rng.integers(0, len(PRICES[0]), n),
        adj=rng.integers(0, len(ADJ), (n, 2)),
        words=_APPROX_WORDS[patterns].sum(axis=1),
    )


def _plan_ads(
    adv: Advertisers,
    per: Personas,
    rng: np.random.Generator,
    config: SynthConfig,
    sites: tuple[Site, ...],
    cities: list[int],
) -> Ads:
    a = np.repeat(np.arange(len(adv.kind)), adv.size)
    n = len(a)
    local_p = (rng.random(n) * adv.n_personas[a]).astype(np.int64)
    persona = _first(adv.n_personas)[a] + local_p
    preferred = local_p % adv.n_templates[a]
    other = (rng.random(n) * adv.n_templates[a]).astype(np.int64)
    template = _first(adv.n_templates)[a] + np.where(rng.random(n) < 0.8, preferred, other)
    day = adv.start_day[a] + (rng.random(n) * adv.span[a]).astype(np.int64)
    minute = rng.choice(24, n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum()) * 60 + rng.integers(0, 60, n)
    epoch0 = int(
        datetime(config.start.year, config.start.month, config.start.day, tzinfo=UTC).timestamp()
    )
    local_seconds = epoch0 + day * 86_400 + minute * 60
    city = _ad_cities(adv, per, a, persona, day, cities)
    site = (adv.site_base[a] + (rng.random(n) * adv.site_count[a]).astype(np.int64)) % len(sites)
    lang = _languages(per.lang_pref[persona], city, rng, config.french_share)
    share = {
        f: np.asarray([getattr(s, f) for s in sites])
        for f in ("phone_share", "email_share", "age_share", "price_share")
    }
    flags = {f: rng.random(n) < share[f][site] for f in share}
    last_year = config.start.year + config.days // 365 + 1
    local_seconds, offset = localize(local_seconds, city, config.start.year, last_year)
    ads = Ads(
        adv=a,
        persona=persona,
        template=template,
        local_seconds=local_seconds,
        offset_min=offset,
        city=city,
        site=site,
        lang=lang,
        site_id=np.zeros(n, dtype=np.int64),
        copy=np.zeros(n, dtype=np.int64),
        bits=rng.integers(0, BITS, n),
        phone_field=flags["phone_share"],
        email_field=flags["email_share"] & (per.email[persona] >= 0),
        age_field=flags["age_share"],
        price_field=flags["price_share"],
        time_order=np.zeros(n, dtype=np.int64),
    )
    ads = _render_order(ads)
    _assign_site_ids(ads, rng, sites)
    return ads


def _ad_cities(
    adv: Advertisers,
    per: Personas,
    a: IntArray,
    persona: IntArray,
    day: IntArray,
    cities: list[int],
) -> IntArray:
    """City of each ad: advertisers move one stop along their route every `stay` days."""
    table, lengths, _, _ = _routes(cities)
    route = adv.route[a]
    hops = (day - adv.start_day[a]) // adv.stay[a] + per.shift[persona]
    return table[route, (adv.route_offset[a] + hops) % lengths[route]]


def _languages(
    pref: FloatArray, city: IntArray, rng: np.random.Generator, french_share: float
) -> IntArray:
    """1 for French: the ads with the highest persona-plus-city French score, exactly
    `french_share` of them, so French concentrates in Quebec and in French-leaning personas."""
    n = len(city)
    lean = np.asarray([c.french for c in CITIES])[city]
    score = pref + lean + rng.normal(0.0, 0.6, n)
    k = round(french_share * n)
    lang = np.zeros(n, dtype=np.int64)
    if k:
        lang[np.argpartition(-score, k - 1)[:k]] = 1
    return lang


def _render_order(ads: Ads) -> Ads:
    """Ads sorted by time block, then template, persona and time.

    Within a block of `BLOCK_ADS` consecutive ads in posting order, each template is built
    once; the output only reorders one block at a time (`time_order` never leaves a block).
    """
    n = len(ads.adv)
    utc = ads.local_seconds - ads.offset_min * 60
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(utc, kind="stable")] = np.arange(n)
    order = np.lexsort((ads.local_seconds, ads.persona, ads.template, rank // BLOCK_ADS))
    sorted_ads = Ads(**{name: getattr(ads, name)[order] for name in ads.__dataclass_fields__})
    sorted_ads.time_order = np.empty(n, dtype=np.int64)
    sorted_ads.time_order[rank[order]] = np.arange(n)
    return sorted_ads


def _assign_site_ids(ads: Ads, rng: np.random.Generator, sites: tuple[Site, ...]) -> None:
    """Per site, ids that grow with posting time by random steps (unique per site)."""
    site_in_time = ads.site[ads.time_order]
    steps = rng.integers(1, 40, len(site_in_time))
    ids_in_time = np.zeros(len(site_in_time), dtype=np.int64)
    for s, site in enumerate(sites):
        mask = site_in_time == s
        ids_in_time[mask] = site.id_base + np.cumsum(steps[mask])
    ads.site_id[ads.time_order] = ids_in_time


def _plan_copies(
    ads: Ads,
    adv: Advertisers,
    per: Personas,
    tmpl: Templates,
    rng: np.random.Generator,
    config: SynthConfig,
) -> Copies:
    """Group reposts into copies and draw each copy's edits, extras, phone style and contact."""
    n = len(ads.adv)
    same = np.zeros(n, dtype=bool)
    same[1:] = (ads.template[1:] == ads.template[:-1]) & (ads.persona[1:] == ads.persona[:-1])
    new = ~(same & (rng.random(n) < config.repost_share))
    ads.copy = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    c_adv, c_persona = ads.adv[first], ads.persona[first]
    is_op = adv.kind[c_adv] == OPERATOR
    rate = np.where(is_op, config.edit_rate, config.edit_rate * 0.5)
    n_edits = rng.binomial(np.round(tmpl.words[ads.template[first]]).astype(np.int64), rate)
    n_stock = np.minimum(rng.poisson(config.stock_phrase_rate * 0.5, len(first)), MAX_EXTRA_STOCK)
    total_edits, total_stock = int(n_edits.sum()), int(n_stock.sum())
    style_p = phones.style_weights(False)
    return Copies(
        edit_start=np.concatenate([[0], np.cumsum(n_edits)]).astype(np.int64),
        edit_pos=rng.integers(0, 2**16, total_edits, dtype=np.uint16),
        edit_type=rng.choice(EDIT_TYPES, total_edits, p=EDIT_TYPE_P).astype(np.uint8),
        edit_rand=rng.integers(0, BITS, total_edits, dtype=np.int32),
        stock_start=np.concatenate([[0], np.cumsum(n_stock)]).astype(np.int64),
        stock_id=_zipf(total_stock, SECTIONS["stock"][1], rng),
        stock_bits=rng.integers(0, BITS, total_stock),
        style=np.where(
            rng.random(len(first)) < 0.7,
            adv.style[c_adv],
            rng.choice(len(style_p), len(first), p=style_p),
        ),
        style_bits=rng.integers(0, BITS, len(first)),
        phone_in_text=rng.random(len(first)) < config.phone_in_text_share,
        contact=_contacts(per, c_persona, rng),
        reorder=rng.random(len(first)) < np.minimum(1.0, 3 * rate),
        bits=rng.integers(0, BITS, len(first)),
    )


def _contacts(per: Personas, persona: IntArray, rng: np.random.Generator) -> IntArray:
    """0 none, 1 e-mail, 2 handle written in the copy's text (when the persona has one)."""
    u = rng.random(len(persona))
    handle = (per.handle[persona] >= 0) & (u < 0.4)
    email = (per.email[persona] >= 0) & (u >= 0.4) & (u < 0.65)
    return np.where(handle, 2, np.where(email, 1, 0)).astype(np.int64)
