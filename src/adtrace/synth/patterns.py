"""Sentence patterns of the genre, by section, in English and French.

A pattern's `{placeholders}` are filled once per template from `lexicon.LISTS` (the same index
in both languages); its `<slots>` are filled per ad (name, age, city, price, phone, description,
contact). Operators' templates and independents' own texts are drawn from different section
mixes (`OPERATOR_LAYOUT`, `INDEPENDENT_LAYOUT`), so independents' wording is their own while
sharing the genre's openers, stock phrases and contact lines.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adtrace.synth.lexicon import LISTS, STOCK

SLOTS: tuple[str, ...] = ("name", "age", "city", "price", "phone", "desc", "contact")
SLOT_INDEX: dict[str, int] = {slot: i for i, slot in enumerate(SLOTS)}
RANDS_PER_SENTENCE = 4


@dataclass(frozen=True, slots=True)
class Pattern:
    """One sentence in both languages.

    Attributes:
        texts: English and French format strings.
        fields: the placeholder names, sorted; a template draws one option index for each.
        mixable: whether a copy may write this sentence in the other language (openers and
            stock phrases are often left in English in French ads, and the reverse).
    """

    texts: tuple[str, str]
    fields: tuple[str, ...]
    mixable: bool = False

    @property
    def sizes(self) -> tuple[int, ...]:
        """Number of options of each placeholder's list."""
        return tuple(len(LISTS[name.rstrip("0123456789")]) for name in self.fields)

    def render(self, lang: int, picks: tuple[int, ...]) -> str:
        """The sentence in `lang` (0 English, 1 French), placeholder j taking option picks[j]."""
        if not self.fields:
            return self.texts[lang]
        values = {
            name: LISTS[name.rstrip("0123456789")][pick][lang]
            for name, pick in zip(self.fields, picks, strict=False)
        }
        return self.texts[lang].format_map(values)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _pattern(en: str, fr: str, mixable: bool = False) -> Pattern:
    names = _fields(en)
    if names != _fields(fr) or len(names) > RANDS_PER_SENTENCE:
        raise ValueError(f"pattern placeholders differ or too many: {en!r} / {fr!r}")
    if set(re.findall(r"<(\w+)>", en)) != set(re.findall(r"<(\w+)>", fr)):
        raise ValueError(f"pattern slots differ: {en!r} / {fr!r}")
    return Pattern((en, fr), tuple(sorted(names)), mixable)


_RAW: dict[str, tuple[tuple[str, str], ...]] = {
    "opener": (
        ("Hi {gent}!", "Salut {gent}!"),
        ("Hello {gent}, welcome.", "Bonjour {gent}, bienvenue."),
        ("NEW IN TOWN!!", "NOUVELLE EN VILLE!!"),
        ("Just arrived in <city>!", "Tout juste arrivée à <city>!"),
        ("Back in <city> {time}.", "De retour à <city> {time}."),
        ("Hey there {gent} ;)", "Coucou {gent} ;)"),
        ("Looking for a {adj} {noun}?", "Tu cherches une {noun} {adj}?"),
        ("Tired of fake ads?", "Tanné des fausses annonces?"),
        ("Your search ends here.", "Ta recherche s'arrête ici."),
        ("Ready to treat yourself?", "Prêt à te gâter?"),
    ),
    "intro": (
        (
            "My name is <name>, a {adj} <desc> {noun}, <age> years old.",
            "Je m'appelle <name>, une {noun} <desc> {adj} de <age> ans.",
        ),
        (
            "I'm <name>, <age> yo, <desc> and {adj}.",
            "Moi c'est <name>, <age> ans, <desc> et {adj}.",
        ),
        (
            "<name> here: <age>, <desc>, {adj} and {adj2}.",
            "Ici <name> : <age> ans, <desc>, {adj} et {adj2}.",
        ),
        ("Meet <name>, your {adj} <desc> {noun}.", "Voici <name>, ta {noun} <desc> {adj}."),
        (
            "<age> year old <desc> {noun} <name> is waiting for you.",
            "<name>, {noun} <desc> de <age> ans, t'attend.",
        ),
        (
            "They call me <name>. <age>. <desc>. {adj}.",
            "On m'appelle <name>. <age> ans. <desc>. {adj}.",
        ),
    ),
    "appear": (
        ("I am {adj}, {adj2} and very {adj3}.", "Je suis {adj}, {adj2} et très {adj3}."),
        ("A killer smile and a {adj} attitude.", "Un sourire à tomber et une attitude {adj}."),
        (
            "{adj} and {adj2}, just like my pictures.",
            "{adj} et {adj2}, exactement comme sur mes photos.",
        ),
        ("Some say I'm {adj}, you decide.", "On dit que je suis {adj}, à toi de juger."),
        (
            "Soft skin, long hair and a {adj} smile.",
            "Peau douce, cheveux longs et un sourire {adj}.",
        ),
    ),
    "exper": (
        ("I offer {exp} {place}.", "J'offre {exp} {place}."),
        ("Enjoy {exp} with a {adj} {noun}.", "Viens vivre {exp} avec une {noun} {adj}."),
        ("My specialty: {exp} and {exp2}.", "Ma spécialité : {exp} et {exp2}."),
        ("You will feel {feel} with me.", "Avec moi tu vas te sentir {feel}."),
        ("Treat yourself to {exp}, you deserve it.", "Offre-toi {exp}, tu le mérites."),
        ("Let me give you {exp} {time}.", "Laisse-moi t'offrir {exp} {time}."),
    ),
    "location": (
        ("Incall {place}, outcall available.", "Incall {place}, outcall disponible."),
        ("Available {time} in <city>.", "Disponible {time} à <city>."),
        ("Visiting <city> {time}.", "De passage à <city> {time}."),
        ("Located {place} in <city>.", "Située {place} à <city>."),
        ("Outcalls to hotels only.", "Outcall dans les hôtels seulement."),
        ("In <city> {place}, {time}.", "À <city> {place}, {time}."),
    ),
    "rates": (
        ("Rates: <price>", "Tarifs : <price>"),
        ("Special <price> {time}!", "Spécial <price> {time}!"),
        ("<price> no negotiation.", "<price> pas de négociation."),
        ("Donations: <price>", "Dons : <price>"),
        ("Rates start at <price>", "À partir de <price>"),
    ),
    "contact": (
        ("{call} <phone> <contact>", "{call} <phone> <contact>"),
        ("{call} at <phone> <contact>", "{call} au <phone> <contact>"),
        ("Book now: <phone> <contact>", "Réserve maintenant : <phone> <contact>"),
        (
            "<phone> - {call} for a good time <contact>",
            "<phone> - {call} pour du bon temps <contact>",
        ),
        (
            "Serious only, {call}: <phone> <contact>",
            "Sérieux seulement, {call} : <phone> <contact>",
        ),
    ),
    "closing": (
        ("Don't miss out {gent}!", "Manquez pas ça {gent}!"),
        ("See you soon xoxo", "À bientôt xoxo"),
        ("Kisses", "Bisous"),
        ("Can't wait to meet you.", "Hâte de te rencontrer."),
        ("Come see me before I leave <city>!", "Viens me voir avant que je quitte <city>!"),
        ("Your {adj} <name>", "Ta {adj} <name>"),
    ),
    "agency": (
        ("New girls every week.", "Nouvelles filles chaque semaine."),
        ("Young and fresh, new to the industry.", "Jeune et fraîche, nouvelle dans le milieu."),
        ("Ask about our 2 girls special.", "Demande pour notre spécial 2 filles."),
        ("Booking by my friend, ask for <name>.", "Réservation par mon amie, demande <name>."),
        ("Many girls available {time}.", "Plusieurs filles disponibles {time}."),
        (
            "Sweet new girl, only <age>, first time in <city>.",
            "Nouvelle fille toute douce, seulement <age> ans, première fois à <city>.",
        ),
        ("Very young looking and {adj}.", "Très jeune d'apparence et {adj}."),
        ("Choose from many girls, all real.", "Plusieurs filles au choix, toutes réelles."),
        ("Driver available for outcalls.", "Chauffeur disponible pour les outcalls."),
        (
            "Only serious clients, no time wasters.",
            "Clients sérieux seulement, pas de perte de temps.",
        ),
    ),
    "personal": (
        (
            "I'm {job} by day and your {adj} {noun} by night.",
            "{job} le jour, ta {noun} {adj} le soir.",
        ),
        ("I love {hobby} and {hobby2}.", "J'adore {hobby} et {hobby2}."),
        (
            "When I'm not working you'll find me {pastime}.",
            "Quand je travaille pas, tu me trouves {pastime}.",
        ),
        (
            "My regulars say I'm {adj} and {adj2}.",
            "Mes réguliers disent que je suis {adj} et {adj2}.",
        ),
        ("I take my time, I never rush.", "Je prends mon temps, jamais pressée."),
        (
            "I'm independent: no agency, no driver, just me.",
            "Je suis indépendante : pas d'agence, pas de chauffeur, juste moi.",
        ),
        (
            "I screen every new client for my safety.",
            "Je vérifie chaque nouveau client pour ma sécurité.",
        ),
        (
            "References from other providers are appreciated.",
            "Les références d'autres filles sont appréciées.",
        ),
        (
            "A small deposit is required for first dates.",
            "Un petit dépôt est demandé pour une première rencontre.",
        ),
        (
            "Feeling {mood} today and looking for {company}.",
            "Je suis {mood} aujourd'hui et je cherche {company}.",
        ),
        (
            "My favourite drink is {drink}, just saying.",
            "Mon drink préféré c'est {drink}, je dis ça de même.",
        ),
        ("Bring {gift} and you'll make me smile.", "Apporte {gift} et tu vas me faire sourire."),
        ("Into {music} and {season}.", "J'aime le {music} et {season}."),
        ("I'm looking for {vibe}.", "Je cherche {vibe}."),
        (
            "I'm {adj}, {adj2} and a little bit {adj3}, just how you like it.",
            "Je suis {adj}, {adj2} et un peu {adj3}, comme tu aimes.",
        ),
        (
            "Ask me about {hobby}, I could talk for hours.",
            "Parle-moi de {hobby}, je peux en jaser des heures.",
        ),
        ("Working my way through school as {job}.", "Je paie mes études comme {job}."),
        ("Nothing rushed, nothing fake: {vibe}.", "Rien de pressé, rien de faux : {vibe}."),
        (
            "I only see a few clients a week so I'm always {adj}.",
            "Je vois seulement quelques clients par semaine, donc je suis toujours {adj}.",
        ),
        (
            "Dates start with {drink} and good conversation.",
            "Nos rencontres commencent avec {drink} et une bonne jase.",
        ),
        (
            "{season} and {hobby} are my favourite things.",
            "{season} et {hobby}, c'est mes affaires préférées.",
        ),
        ("Looking for {company} who likes {hobby}.", "Je cherche {company} qui aime {hobby}."),
    ),
}
_MIXABLE = {"opener", "closing"}

SECTIONS: dict[str, tuple[int, int]] = {}
"""Section name -> (first index in `PATTERNS`, number of patterns)."""
_patterns: list[Pattern] = []
for _section, _pairs in _RAW.items():
    SECTIONS[_section] = (len(_patterns), len(_pairs))
    _patterns.extend(_pattern(en, fr, _section in _MIXABLE) for en, fr in _pairs)
SECTIONS["stock"] = (len(_patterns), len(STOCK[0]))
_patterns.extend(Pattern((en, fr), (), True) for en, fr in zip(*STOCK, strict=True))
PATTERNS: tuple[Pattern, ...] = tuple(_patterns)

_PICK_BITS, _STYLE_BITS = 22, 6
_SIZE_TABLE = np.ones((len(PATTERNS) + 1, RANDS_PER_SENTENCE), dtype=np.int64)
for _i, _p in enumerate(PATTERNS):
    _SIZE_TABLE[_i, : len(_p.sizes)] = _p.sizes
_MIXABLE_TABLE = np.asarray([p.mixable for p in PATTERNS] + [False])
_STOCK_TABLE = np.arange(len(PATTERNS) + 1) >= SECTIONS["stock"][0]
_STOCK_TABLE[-1] = False


def encode_sentences(
    patterns: npt.NDArray[np.int64], rands: npt.NDArray[np.uint16]
) -> npt.NDArray[np.int64]:
    """One integer per template sentence (-1 where `patterns` is -1), vectorised.

    It packs the pattern, whether the sentence is left in the other language (openers,
    closings and stock phrases, 1 in 6), the option picked for each placeholder (mixed
    radix) and the stock phrase's case and closing mark: equal codes are equal sentences,
    so rendering caches them.
    """
    sizes = _SIZE_TABLE[patterns]
    picks = rands.astype(np.int64) % sizes
    mixed = picks[..., 0]
    for j in range(1, RANDS_PER_SENTENCE):
        mixed = mixed * sizes[..., j] + picks[..., j]
    flip = _MIXABLE_TABLE[patterns] & (rands[..., 3] % 6 == 0)
    style = np.where(_STOCK_TABLE[patterns], rands[..., 2] % (1 << _STYLE_BITS), 0)
    code = ((patterns * 2 + flip) << (_PICK_BITS + _STYLE_BITS)) | (mixed << _STYLE_BITS) | style
    return np.where(patterns >= 0, code, -1)


def decode_sentence(code: int) -> tuple[int, bool, tuple[int, ...], int]:
    """(pattern id, other language?, option picks, stock style) of an `encode_sentences` code."""
    style = code & ((1 << _STYLE_BITS) - 1)
    mixed = (code >> _STYLE_BITS) & ((1 << _PICK_BITS) - 1)
    head = code >> (_PICK_BITS + _STYLE_BITS)
    pattern_id = head >> 1
    picks = []
    for size in reversed(_SIZE_TABLE[pattern_id].tolist()):
        mixed, pick = divmod(mixed, size)
        picks.append(pick)
    return pattern_id, bool(head & 1), tuple(reversed(picks)), style


# Section, then the probability the template has it. Stock entries take their probability
# from the config (see `layout_probabilities`).
OPERATOR_LAYOUT: tuple[tuple[str, float], ...] = (
    ("opener", 0.8),
    ("intro", 1.0),
    ("appear", 0.7),
    ("stock", -1.0),
    ("agency", 0.5),
    ("agency", 0.3),
    ("exper", 1.0),
    ("exper", 0.4),
    ("location", 1.0),
    ("stock", -1.0),
    ("rates", 0.8),
    ("contact", 1.0),
    ("stock", -1.0),
    ("closing", 0.7),
    ("stock", -1.0),
)
INDEPENDENT_LAYOUT: tuple[tuple[str, float], ...] = (
    ("opener", 0.5),
    ("intro", 1.0),
    ("personal", 1.0),
    ("personal", 1.0),
    ("stock", -1.0),
    ("personal", 0.7),
    ("personal", 0.4),
    ("appear", 0.5),
    ("exper", 0.7),
    ("location", 1.0),
    ("stock", -1.0),
    ("rates", 0.6),
    ("contact", 1.0),
    ("stock", -1.0),
    ("closing", 0.6),
    ("stock", -1.0),
)
STOCK_ENTRIES = 4


def layout_probabilities(
    layout: tuple[tuple[str, float], ...], stock_phrase_rate: float
) -> list[float]:
    """Per layout entry, the chance a template has it (half the stock rate is in templates)."""
    stock_p = min(1.0, stock_phrase_rate * 0.5 / STOCK_ENTRIES)
    return [stock_p if p < 0 else p for _, p in layout]


def approx_words(pattern: Pattern) -> float:
    """Mean word count of a pattern over both languages (with its first options)."""
    zeros = (0,) * RANDS_PER_SENTENCE
    return (len(pattern.render(0, zeros).split()) + len(pattern.render(1, zeros).split())) / 2


TITLES: tuple[tuple[str, str], ...] = (
    ("NEW IN {city}!! {adj} {desc} {name}", "NOUVELLE À {city}!! {name} {desc} {adj}"),
    ("{name} - {adj} {desc} girl - {age}", "{name} - fille {desc} {adj} - {age} ans"),
    ("{adj} and {adj2} {name} available now", "{name} {adj} et {adj2} disponible maintenant"),
    ("Last days in {city}! {name}", "Derniers jours à {city}! {name}"),
    ("{desc} beauty {name} incall/outcall", "Beauté {desc} {name} incall/outcall"),
    ("Your {adj} GFE {name} {age}yo", "Ton GFE {adj} {name} {age}ans"),
    ("{name} ✨ {desc} ✨ {city}", "{name} ✨ {desc} ✨ {city}"),
    ("Sweet {name} 100% real", "Douce {name} 100% réelle"),
    ("{age} yo {desc} {name} back in town", "{name} {desc} {age} ans de retour en ville"),
    ("Visiting {city} - {name} ({age})", "De passage à {city} - {name} ({age})"),
    ("Independent {name} - {adj} and real", "{name} indépendante - {adj} et vraie"),
    ("{name}, {age}: {adj} company in {city}", "{name}, {age} ans : compagnie {adj} à {city}"),
    ("Hi it's {name} :) {adj} {desc} in {city}", "Allo c'est {name} :) {desc} {adj} à {city}"),
    ("{name} | {city} | {adj} & {adj2}", "{name} | {city} | {adj} & {adj2}"),
)
OPERATOR_TITLES = 10
"""Operators draw from the first titles; independents from all of them."""

PRICES: tuple[tuple[str, ...], tuple[str, ...]] = (
    (
        "${hh} half hour / ${h} hour",
        "{hh}hh {h}h",
        "${h}/hr",
        "{hh}$ 30min - {h}$ 1h",
        "{h} roses",
        "QV {hh} / HH {h}",
        "${hh} 30 min, ${h} 60 min",
    ),
    (
        "{hh}$ la demi-heure, {h}$ l'heure",
        "{hh}$/30min {h}$/1h",
        "{h}$ de l'heure",
        "Demi-heure {hh}$ / heure {h}$",
        "{h} roses",
        "{hh}$ 30 min - {h}$ 1h",
        "{hh}$ la 1/2h",
    ),
)
HALF_HOUR_RATES = (120, 140, 150, 160, 180, 200)
HOUR_RATES = (200, 220, 250, 260, 280, 300, 350)
