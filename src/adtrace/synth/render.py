"""Turn a plan into ad text: the only per-ad Python work, kept to lookups and string joins."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adtrace.synth.body import Body, apply_edits, build_body, move_sentence, stock_text
from adtrace.synth.contacts import DOMAINS, write_email, write_handle
from adtrace.synth.lexicon import ADJ, DESC, EMOJI, LOOK, NAMES, STOCK
from adtrace.synth.patterns import PRICES, TITLES
from adtrace.synth.phones import field_phone, write_phone
from adtrace.synth.places import CITIES
from adtrace.synth.plan import Plan
from adtrace.synth.sites import Site

NAME, AGE, CITY, PRICE, PHONE, DESC_SLOT, CONTACT = range(7)


@dataclass(frozen=True)
class Lookups:
    """Per-persona and per-selector strings, computed once for the whole corpus."""

    names: list[str]
    name_slugs: list[str]
    ages: list[str]
    descs: tuple[list[str], list[str]]
    rates: list[tuple[int, int]]
    nationals: list[str]
    phone_of: list[int]
    emails: list[tuple[str, str]]
    email_of: list[int]
    handles: list[tuple[str, int]]
    handle_of: list[int]


def build_lookups(plan: Plan, email_users: list[str], handle_users: list[str]) -> Lookups:
    """The strings the per-ad loop needs, indexed by persona, phone, e-mail or handle."""
    per = plan.personas
    names = [NAMES[i] for i in per.name.tolist()]
    pairs = list(zip(per.desc.tolist(), per.look.tolist(), strict=True))
    en = [(LOOK[k][0] + " " if k >= 0 else "") + DESC[d][0] for d, k in pairs]
    fr = [DESC[d][1] + (" " + LOOK[k][1] if k >= 0 else "") for d, k in pairs]
    return Lookups(
        names=names,
        name_slugs=[_slug(name) for name in names],
        ages=[str(age) for age in per.age.tolist()],
        descs=(en, fr),
        rates=list(zip(per.half_hour.tolist(), per.hour.tolist(), strict=True)),
        nationals=[str(n) for n in per.numbers.tolist()],
        phone_of=per.phone.tolist(),
        emails=[
            (user, DOMAINS[d])
            for user, d in zip(email_users, per.email_domain.tolist(), strict=True)
        ],
        email_of=per.email.tolist(),
        handles=list(zip(handle_users, per.handle_platform.tolist(), strict=True)),
        handle_of=per.handle.tolist(),
    )


def _slug(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


@dataclass
class Chunk:
    """Rendered string columns for a range of ads (render order); `id` is the site's ad id."""

    id: list[str]
    url: list[str]
    title: list[str]
    text: list[str]
    phone: list[str]


@dataclass(frozen=True, slots=True)
class Meta:
    """A template in one language: its body, title (adjectives filled) and price format."""

    body: Body
    title: str
    price: str


@dataclass(slots=True)
class CopyView:
    """The copies of one chunk, as Python lists indexed from the chunk's first copy."""

    edits: list[tuple[int, int, int]]
    edit_start: list[int]
    stock: list[tuple[int, int]]
    stock_start: list[int]
    style: list[int]
    style_bits: list[int]
    phone_in_text: list[bool]
    contact: list[int]
    reorder: list[bool]
    bits: list[int]


@dataclass(frozen=True, slots=True)
class SiteText:
    """A site's page around the ad text ({text}, {id}, {city}, {date}) and its URL pattern."""

    page: tuple[str, str]
    url: str
    id_hex: bool
    phone_format: int


def _site_text(site: Site) -> SiteText:
    def page(lang: int) -> str:
        header, footer = site.header[lang], site.footer[lang]
        body = f"{header}\n{{text}}\n{footer}" if header else f"{{text}}\n{footer}"
        return body.replace("{site}", site.domain)

    url = site.url.replace("{site}", site.domain)
    return SiteText((page(0), page(1)), url, site.id_hex, site.phone_format)


_AD_FIELDS = (
    "template",
    "lang",
    "persona",
    "city",
    "site",
    "site_id",
    "bits",
    "phone_field",
    "copy",
)


class Renderer:
    """Renders ads of one plan, range by range; keeps the current template's bodies."""

    def __init__(
        self,
        plan: Plan,
        lookups: Lookups,
        sites: tuple[Site, ...],
        local_dates: npt.NDArray[np.str_],
    ) -> None:
        self.plan = plan
        self.lk = lookups
        self.sites = tuple(_site_text(site) for site in sites)
        self.local_dates = local_dates
        self.city_names = (tuple(c.names[0] for c in CITIES), tuple(c.names[1] for c in CITIES))
        self.city_keys = tuple(c.key for c in CITIES)
        self.city_pages = tuple(c.name for c in CITIES)
        self._template = -1
        self._metas: dict[int, Meta] = {}

    def meta(self, template: int, lang: int) -> Meta:
        """The template in `lang`, built on first use (ads come grouped by template)."""
        if template != self._template:
            self._template = template
            self._metas = {}
        meta = self._metas.get(lang)
        if meta is None:
            meta = self._build_meta(template, lang)
            self._metas[lang] = meta
        return meta

    def _build_meta(self, template: int, lang: int) -> Meta:
        tp = self.plan.templates
        body = build_body(tp.sentences[template].tolist(), lang)
        adj, adj2 = tp.adj[template].tolist()
        title = (
            TITLES[int(tp.title[template])][lang]
            .replace("{adj2}", ADJ[adj2][lang])
            .replace("{adj}", ADJ[adj][lang])
        )
        prices = PRICES[lang]
        return Meta(body, title, prices[int(tp.price[template]) % len(prices)])

    def render(self, lo: int, hi: int) -> Chunk:
        """Render ads `lo` to `hi` (exclusive) of the render order."""
        ads = self.plan.ads
        c0 = int(ads.copy[lo])
        copies = self._copy_view(c0, int(ads.copy[hi - 1]) + 1)
        out = Chunk([], [], [], [], [])
        columns = [getattr(ads, name)[lo:hi].tolist() for name in _AD_FIELDS]
        columns.append(self.local_dates[lo:hi].tolist())
        city_keys, city_pages, slugs = self.city_keys, self.city_pages, self.lk.name_slugs
        nationals, phone_of = self.lk.nationals, self.lk.phone_of
        for template, lang, persona, city, site, site_id, bits, phone_field, copy, date in zip(
            *columns, strict=True
        ):
            c = copy - c0
            meta = self.meta(template, lang)
            values = self._slot_values(meta, lang, persona, city, bits, c, copies)
            text = self._with_stock(
                self._body_text(meta.body, lang, values, c, copies), lang, c, copies
            )
            st = self.sites[site]
            ad_id = f"{site_id:x}" if st.id_hex else str(site_id)
            page_city = city_pages[city]
            out.text.append(st.page[lang].format(text=text, id=ad_id, city=page_city, date=date))
            out.id.append(ad_id)
            out.url.append(st.url.format(city=city_keys[city], id=ad_id, name=slugs[persona]))
            title = meta.title.format(
                name=values[NAME], age=values[AGE], city=values[CITY], desc=values[DESC_SLOT]
            )
            out.title.append(_decorate(title, copies.bits[c] >> 9))
            national = nationals[phone_of[persona]]
            out.phone.append(field_phone(national, st.phone_format) if phone_field else "")
        return out

    def _copy_view(self, c0: int, c1: int) -> CopyView:
        cp = self.plan.copies
        e0, e1 = int(cp.edit_start[c0]), int(cp.edit_start[c1])
        s0, s1 = int(cp.stock_start[c0]), int(cp.stock_start[c1])
        return CopyView(
            edits=list(
                zip(
                    cp.edit_pos[e0:e1].tolist(),
                    cp.edit_type[e0:e1].tolist(),
                    cp.edit_rand[e0:e1].tolist(),
                    strict=True,
                )
            ),
            edit_start=(cp.edit_start[c0 : c1 + 1] - e0).tolist(),
            stock=list(
                zip(cp.stock_id[s0:s1].tolist(), cp.stock_bits[s0:s1].tolist(), strict=True)
            ),
            stock_start=(cp.stock_start[c0 : c1 + 1] - s0).tolist(),
            style=cp.style[c0:c1].tolist(),
            style_bits=cp.style_bits[c0:c1].tolist(),
            phone_in_text=cp.phone_in_text[c0:c1].tolist(),
            contact=cp.contact[c0:c1].tolist(),
            reorder=cp.reorder[c0:c1].tolist(),
            bits=cp.bits[c0:c1].tolist(),
        )

    def _body_text(self, body: Body, lang: int, values: list[str], c: int, copies: CopyView) -> str:
        """The template with this copy's edits, the ad's slot values, and maybe a moved sentence."""
        words = list(body.words)
        apply_edits(words, lang, copies.edits[copies.edit_start[c] : copies.edit_start[c + 1]])
        for index, slot, tail in body.slots:
            words[index] = values[slot] + tail
        if copies.reorder[c]:
            words = move_sentence(words, body.bounds, copies.bits[c])
        return " ".join(filter(None, words))

    def _slot_values(
        self, meta: Meta, lang: int, persona: int, city: int, bits: int, c: int, copies: CopyView
    ) -> list[str]:
        """name, age, city, price, phone, desc, contact as this ad writes them."""
        lk = self.lk
        aliases = self.city_names[lang][city]
        city_name = aliases[0] if bits & 7 < 5 else aliases[(bits >> 3) % len(aliases)]
        half, hour = lk.rates[persona]
        phone = ""
        if copies.phone_in_text[c]:
            national = lk.nationals[lk.phone_of[persona]]
            phone = write_phone(national, copies.style[c], copies.style_bits[c], lang)
        contact = (
            self._contact(persona, lang, copies.contact[c], copies.bits[c])
            if copies.contact[c]
            else ""
        )
        return [
            lk.names[persona],
            lk.ages[persona],
            city_name,
            meta.price.format(hh=half, h=hour),
            phone,
            lk.descs[lang][persona],
            contact,
        ]

    def _contact(self, persona: int, lang: int, kind: int, bits: int) -> str:
        lk = self.lk
        if kind == 1:
            user, domain = lk.emails[lk.email_of[persona]]
            return write_email(user, domain, bits >> 4, lang)
        handle, platform = lk.handles[lk.handle_of[persona]]
        return write_handle(handle, platform, bits >> 4, lang)

    @staticmethod
    def _with_stock(text: str, lang: int, c: int, copies: CopyView) -> str:
        """The text with the copy's extra stock phrases before or after it."""
        start, end = copies.stock_start[c], copies.stock_start[c + 1]
        if start == end:
            return text
        phrases = []
        for phrase_id, bits in copies.stock[start:end]:
            phrase_lang = lang ^ 1 if bits % 7 == 0 else lang
            phrases.append(stock_text(STOCK[phrase_lang][phrase_id], bits >> 3))
        extra = " ".join(phrases)
        return f"{extra} {text}" if copies.bits[c] & 256 else f"{text} {extra}"


def _decorate(title: str, bits: int) -> str:
    """Emoji around the title, or capitals, for some copies."""
    decoration = bits % 8
    if decoration < 4:
        return title
    emoji = EMOJI[(bits >> 3) % len(EMOJI)]
    if decoration == 4:
        return f"{emoji} {title}"
    if decoration == 5:
        return f"{title} {emoji}"
    if decoration == 6:
        return f"{emoji}{emoji} {title} {emoji}{emoji}"
    return title.upper()
