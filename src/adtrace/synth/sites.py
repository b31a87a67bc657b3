"""Fictional classified sites: their boilerplate, URLs, ad ids and which fields they show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Site:
    """How one fictional site shows an ad.

    Attributes:
        domain: the site's name, also the `site` column ("site-a.example").
        header: English and French boilerplate put before the ad text ("" for none); may use
            {site}, {id}, {city}, {date}.
        footer: the same after the text.
        url: the ad's URL pattern, with {city} (slug), {id} and {name} (slug).
        id_hex: ids written in hexadecimal rather than decimal.
        id_base: the first ad id.
        phone_format: index into `phones.FIELD_FORMATS` for the phone field.
        phone_share: share of ads whose phone field is filled.
        email_share: share of ads (of advertisers with an e-mail) whose e-mail field is filled.
        age_share: share of ads whose age field is filled.
        price_share: share of ads whose price field is filled.
        weight: relative popularity.
    """

    domain: str
    header: tuple[str, str]
    footer: tuple[str, str]
    url: str
    id_hex: bool
    id_base: int
    phone_format: int
    phone_share: float
    email_share: float
    age_share: float
    price_share: float
    weight: float


_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "Posted on {site} — verify age 18+ before contacting.",
        "Publié sur {site} — vérifiez l'âge 18+ avant de contacter.",
    ),
    ("[{site}] Escorts › {city} › Ad {id}", "[{site}] Escortes › {city} › Annonce {id}"),
    ("Annonce / Ad #{id} · {site}", "Annonce / Ad #{id} · {site}"),
    ("", ""),
    (
        "WARNING: adults only (18+). By reading you agree to the {site} terms.",
        "AVERTISSEMENT : adultes seulement (18+). En lisant, vous acceptez les conditions"
        " de {site}.",
    ),
    ("★ {city} ★ {site}", "★ {city} ★ {site}"),
)
_FOOTERS: tuple[tuple[str, str], ...] = (
    (
        "Report this ad | Safety tips | {site} does not verify advertisers.",
        "Signaler cette annonce | Conseils de sécurité | {site} ne vérifie pas les annonceurs.",
    ),
    (
        "Mention {site} when you call! All advertisers are 18+.",
        "Mentionnez {site} quand vous appelez! Tous les annonceurs ont 18 ans et plus.",
    ),
    (
        "Signaler / Report · Conditions d'utilisation / Terms of use",
        "Signaler / Report · Conditions d'utilisation / Terms of use",
    ),
    (
        "— posted via the {site} mobile app — 18+ only.",
        "— publié avec l'application mobile {site} — 18+ seulement.",
    ),
    (
        "Posted {date}. {site} is not responsible for ad content.",
        "Publié le {date}. {site} n'est pas responsable du contenu des annonces.",
    ),
    (
        "Last updated {date} · Ad {id} · Report abuse",
        "Mis à jour le {date} · Annonce {id} · Signaler un abus",
    ),
)
_URLS = (
    "https://{site}/{city}/escorts/{id}",
    "https://www.{site}/ad/{id}-{name}",
    "https://{site}/annonces/{city}/{id}",
    "https://m.{site}/a/{id}",
    "https://{site}/{city}/{name}-{id}.html",
    "https://{site}/listing?id={id}",
)
_WEIGHTS = (0.26, 0.2, 0.16, 0.14, 0.12, 0.12)


def make_sites(n: int) -> tuple[Site, ...]:
    """The first `n` fictional sites, "site-a.example" onwards (up to 12)."""
    sites = []
    for i in range(n):
        j = i % len(_HEADERS)
        sites.append(
            Site(
                domain=f"site-{chr(ord('a') + i)}.example",
                header=_HEADERS[j],
                footer=_FOOTERS[(j + i // len(_HEADERS)) % len(_FOOTERS)],
                url=_URLS[(j + 2 * (i // len(_URLS))) % len(_URLS)],
                id_hex=i % 3 == 1,
                id_base=(i + 1) * 3_100_000 + 40_000_000 * (i % 2),
                phone_format=i % 5,
                phone_share=(0.9, 0.75, 0.6, 0.85, 0.5, 0.0)[j],
                email_share=(0.0, 0.6, 0.5, 0.0, 0.3, 0.0)[j],
                age_share=(0.9, 0.8, 0.7, 0.95, 0.6, 0.85)[j],
                price_share=(0.7, 0.0, 0.6, 0.5, 0.0, 0.8)[j],
                weight=_WEIGHTS[j] * (0.5 if i >= len(_HEADERS) else 1.0),
            )
        )
    return tuple(sites)
