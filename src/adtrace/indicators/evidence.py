"""Evidence in words, English and French: what matched or what was computed, never the ad's text.

A match keeps a message key and its figures; :func:`render` writes the sentence in the analyst's
language. Lexicon matches quote the lexicon entry (the analyst's own data), not the ad; the span
points at the ad's words for highlighting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "term": ("lexicon entry '{term}'", "entrée du lexique « {term} »"),
    "emoji": ("emoji meaning {tag}", "émoji signifiant {tag}"),
    "roses": ("price in roses", "prix en roses"),
    "ethnicity": ("ethnicity or nationality stated", "ethnicité ou nationalité précisée"),
    "age_young": ("stated age {age}", "âge déclaré : {age} ans"),
    "age_conflict": ("ages {ages} stated in one ad", "âges {ages} déclarés dans une annonce"),
    "age_minor": ("stated age {age}, under 18", "âge déclaré : {age} ans, moins de 18"),
    "age_field_minor": ("age field {age}, under 18", "champ âge : {age}, moins de 18"),
    "minor_term": ("minor term '{term}'", "terme désignant une mineure « {term} »"),
    "minor_term_adult": (
        "'{term}' with an adult age stated (youth wording, not escalated)",
        "« {term} » avec un âge adulte déclaré (jeunesse, sans escalade)",
    ),
    "phone_obfuscated": (
        "phone number written to defeat scrapers (area code {area})",
        "numéro écrit pour déjouer les robots (indicatif {area})",
    ),
    "third_person": (
        "{third} third-person words against {first} first-person words",
        "{third} mots à la troisième personne contre {first} à la première",
    ),
    "names": ("{n} distinct names in one ad", "{n} prénoms distincts dans une annonce"),
    "low_price": (
        "{hourly} per hour, under {p10} (10th percentile) and 60% of {median} (median) "
        "of {n} prices, {scope}",
        "{hourly} de l'heure, sous {p10} (10e centile) et 60 % de {median} (médiane) "
        "de {n} prix, {scope}",
    ),
    "c01": (
        "{personas} personas on one phone within 30 days (area code {area})",
        "{personas} personas sur un même numéro en 30 jours (indicatif {area})",
    ),
    "c02": (
        "one persona name with {phones} phone numbers within 30 days",
        "un même prénom avec {phones} numéros en 30 jours",
    ),
    "c03": (
        "{cities} cities within 14 days, {provinces} provinces, {hops} moves",
        "{cities} villes en 14 jours, {provinces} provinces, {hops} déplacements",
    ),
    "c04": (
        "{on} of {hops} moves along {corridor_en}; median stay {dwell} days",
        "{on} déplacements sur {hops} le long de : {corridor_fr}; séjour médian {dwell} jours",
    ),
    "c05": (
        "{ads} ads whose phone area code ({area}) is outside the advertised province ({province})",
        "{ads} annonces dont l'indicatif ({area}) est hors de la province annoncée ({province})",
    ),
    "c06": (
        "one template carries {names} names and {phones} phones across {ads} ads",
        "un même modèle porte {names} prénoms et {phones} numéros sur {ads} annonces",
    ),
    "c08": (
        "{peak} ads on the busiest day, {cities} cities on one day, {rate} ads per active day",
        "{peak} annonces le jour le plus actif, {cities} villes le même jour, "
        "{rate} annonces par jour actif",
    ),
    "c09": ("ads on {sites} sites", "annonces sur {sites} sites"),
    "c10": (
        "{ages} different ages (spread {spread} years) under one phone",
        "{ages} âges différents (écart de {spread} ans) sous un même numéro",
    ),
    "c12_hub": (
        "one {kind} is shared by {groups} otherwise separate groups of text-linked ads",
        "un même {kind} est partagé par {groups} groupes d'annonces au texte commun "
        "autrement séparés",
    ),
    "c12_mix": (
        "{phones} phones, {names} names and {cities} cities in one cluster",
        "{phones} numéros, {names} prénoms et {cities} villes dans un même groupe",
    ),
    "c13_before": (
        "first ad {days} days before {event_en} in {city}",
        "première annonce {days} jours avant l'événement {event_fr}, à {city}",
    ),
    "c13_during": (
        "first ad during {event_en} in {city}",
        "première annonce pendant l'événement {event_fr}, à {city}",
    ),
    "share": (
        "in {count} of {ads} ads of the cluster",
        "dans {count} des {ads} annonces du groupe",
    ),
}
"""Message key → (English, French) template."""

TAGS: Final[dict[str, tuple[str, str]]] = {
    "youth": ("youth", "jeunesse"),
    "control": ("control", "contrôle"),
    "travel": ("travel", "déplacement"),
    "price": ("price", "prix"),
}

SELECTOR_KINDS: Final[dict[str, tuple[str, str]]] = {
    "phone": ("phone number", "numéro de téléphone"),
    "email": ("e-mail address", "courriel"),
    "handle": ("handle", "pseudonyme"),
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A message key and its figures; :func:`render` writes it in English or French."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def render(evidence: Evidence, lang: str = "en") -> str:
    """The evidence as one sentence in ``lang`` (``en`` or ``fr``)."""
    english, french = MESSAGES[evidence.key]
    params = dict(evidence.params)
    if params.get("scope") == "*":
        params["scope"] = "toutes les villes" if lang == "fr" else "all cities"
    side = 1 if lang == "fr" else 0
    if "tag" in params:
        params["tag"] = TAGS[params["tag"]][side]
    if "kind" in params:
        params["kind"] = SELECTOR_KINDS[params["kind"]][side]
    return (french if lang == "fr" else english).format(**params)
