"""Every ad-level indicator, in English and French, with positive and negative examples,
including the false positives indicators.csv warns about."""

from __future__ import annotations

import pytest

from tests.indicators.conftest import ids, matches

# (indicator, language, text, expected): every computed ad-level indicator has at least one
# positive and one negative example in each language.
CASES = [
    # A01 youth wording; weak words (young, student, étudiante) need corroboration
    ("A01", "en", "Barely legal and sweet, call me", True),
    ("A01", "en", "Yuuung girl, just turned 18, first time doing this", True),
    ("A01", "en", "Young student, 19 yo, discreet", True),
    ("A01", "en", "Petite brunette, 28 yo, college student", False),
    ("A01", "en", "Fresh and clean, mature lady 35 yo", False),
    ("A01", "fr", "Toute jeune et timide, appelle-moi", True),
    ("A01", "fr", "Jeunette de 19 ans, étudiante", True),
    ("A01", "fr", "Étudiante de 24 ans, petite et douce", False),
    ("A01", "fr", "Jeune femme de 30 ans, mature", False),
    # A02 coded emoji (reported by meaning)
    ("A02", "en", "Sweet 🍒🍒 call me", True),
    ("A02", "en", "Sweet 🌺 call me", False),
    ("A02", "fr", "Douce 👑 appelle", True),
    ("A02", "fr", "200 roses l'heure", True),
    ("A02", "fr", "Bonjour 😊 à bientôt", False),
    # A03 age near the legal minimum (context only)
    ("A03", "en", "Hi I am 19 yo and fun", True),
    ("A03", "en", "Hi I am 27 yo and fun", False),
    ("A03", "fr", "Majeure depuis peu, douce", True),
    ("A03", "fr", "J'ai 20 ans, douce", True),
    ("A03", "fr", "J'ai 31 ans, douce", False),
    # A04 explicit minor reference (escalation), not '17' as a street number or price
    ("A04", "en", "Tight teen 16 yo new", True),
    ("A04", "en", "High school girl available", True),
    ("A04", "en", "Meet at 17 King Street, 120 for 17 minutes... no, 17$ tip", False),
    ("A04", "en", "No one under 18 please, 25 yo", False),
    ("A04", "fr", "Mineure de 17 ans", True),
    ("A04", "fr", "Ado de secondaire 4", True),
    ("A04", "fr", "Au 17 rue Principale, 17$ de plus", False),
    ("A04", "fr", "Pas de mineures, 23 ans", False),
    # A05 ethnicity or nationality
    ("A05", "en", "Exotic Asian beauty", True),
    ("A05", "en", "Blonde beauty with blue eyes", False),
    ("A05", "fr", "Belle Latina brésilienne", True),
    ("A05", "fr", "Belle blonde aux yeux bleus", False),
    # A06 trust assurances
    ("A06", "en", "100% real pics, no games", True),
    ("A06", "en", "Pics taken last week", False),
    ("A06", "fr", "Vraies photos, pas d'arnaque", True),
    ("A06", "fr", "Photos prises la semaine passée", False),
    # A07 obscured phone number
    ("A07", "en", "Call four one six 555 0199 now", True),
    ("A07", "en", "Call 416-555-0199 now", False),
    ("A07", "fr", "Appelle cinq un quatre cinq cinq cinq zéro un neuf neuf", True),
    ("A07", "fr", "Appelle le 514-555-0199", False),
    # A08 third-person voice
    ("A08", "en", "My girl is ready, call her", True),
    ("A08", "en", "I am ready, call me and I will answer", False),
    ("A08", "fr", "Nos demoiselles vous attendent, elle vous attend", True),
    ("A08", "fr", "Je suis prête, appelle-moi", False),
    # A09 several providers
    ("A09", "en", "New girls every week, ask for the girls", True),
    ("A09", "en", "Just me, one girl, no agency", False),
    ("A09", "fr", "Plusieurs filles disponibles", True),
    ("A09", "fr", "Juste moi, seule", False),
    # A10 new in town (context only)
    ("A10", "en", "New in town for a few days", True),
    ("A10", "en", "Living here for years", False),
    ("A10", "fr", "De passage à Laval", True),
    ("A10", "fr", "J'habite ici depuis des années", False),
    # A11 in-call only (incall and outcall is not)
    ("A11", "en", "Incall only, downtown", True),
    ("A11", "en", "Incall and outcall available", False),
    ("A11", "fr", "Reçoit seulement, pas de déplacement", True),
    ("A11", "fr", "Reçoit et se déplace", False),
    # A12 hotel or motel
    ("A12", "en", "Hotel incall, room #214", True),
    ("A12", "en", "Private condo downtown", False),
    ("A12", "fr", "Hôtel près de l'aéroport, chambre 12", True),
    ("A12", "fr", "Condo privé au centre-ville", False),
    # A13 round-the-clock
    ("A13", "en", "Available 24/7", True),
    ("A13", "en", "Available 7 pm to 11 pm, 24 yo", False),
    ("A13", "fr", "Disponible jour et nuit, 7 jours sur 7", True),
    ("A13", "fr", "Disponible de 19 h à 23 h", False),
    # A14 discount wording (the price figure is tested in test_scoring)
    ("A14", "en", "Specials today, cheap", True),
    ("A14", "en", "No specials, no discounts", False),
    ("A14", "fr", "Promo et rabais aujourd'hui", True),
    ("A14", "fr", "Tarif régulier", False),
    # A15 fixed terms
    ("A15", "en", "Rates not negotiable, rules are rules", True),
    ("A15", "en", "Rates are open to discussion", False),
    ("A15", "fr", "Prix non négociable", True),
    ("A15", "fr", "Prix à discuter", False),
    # A16 no limits or unprotected; negated mentions do not count
    ("A16", "en", "Bareback, no limits", True),
    ("A16", "en", "No BBFS, no bareback, safe only", False),
    ("A16", "en", "Open minded and fun", False),
    ("A16", "fr", "Sans protection, sans limites", True),
    ("A16", "fr", "Pas de sans protection, toujours protégée", False),
    # A17 anti-police (context only)
    ("A17", "en", "No cops, references required", True),
    ("A17", "en", "Police officers welcome to check", False),
    ("A17", "fr", "Pas de police, vérification requise", True),
    ("A17", "fr", "Bienvenue à tous", False),
    # A18 third-party contact
    ("A18", "en", "Text my manager to book", True),
    ("A18", "en", "Text me to book", False),
    ("A18", "fr", "Contactez le gérant, mon chauffeur vous l'amène", True),
    ("A18", "fr", "Écris-moi directement", False),
    # A19 limited local language
    ("A19", "en", "Little English, speak only Mandarin", True),
    ("A19", "en", "Fluent English and French", False),
    ("A19", "fr", "Parle peu français", True),
    ("A19", "fr", "Parle français et anglais", False),
]


@pytest.mark.parametrize(("indicator", "lang", "text", "expected"), CASES)
def test_indicator_examples(indicator: str, lang: str, text: str, expected: bool) -> None:
    assert (indicator in ids(text)) is expected, (indicator, lang, text)


def test_every_ad_indicator_has_both_languages_both_ways() -> None:
    ad_level = {f"A{n:02d}" for n in range(1, 20)}
    for indicator in ad_level:
        for lang in ("en", "fr"):
            outcomes = {e for i, la, _, e in CASES if i == indicator and la == lang}
            assert outcomes == {True, False}, (indicator, lang)


def test_spans_point_into_the_original_text_and_title() -> None:
    text = "Héééé, 100% RÉEL photos! Toute-Jeune ÉTUDIANTE de 19 ans 🍒️, hôtel"
    found = matches(text, title="Nouvelle en ville")
    by_id = {m.indicator: m for m in found}
    title = by_id["A10"]
    assert title.field == "title" and title.span == (0, 17)
    assert text[slice(*by_id["A12"].span)] == "hôtel"  # type: ignore[misc]
    youth = [text[slice(*m.span)] for m in found if m.indicator == "A01" and m.span]
    assert "Toute-Jeune" in youth and "ÉTUDIANTE" in youth
    emoji = by_id["A02"]
    assert text[slice(*emoji.span)] == "🍒\ufe0f" and emoji.tag == "youth"  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    ["t33n girl", "TEEEN girl", "téén girl", "Teen girl"],
)
def test_spelling_tolerance_leet_repeats_accents_case(text: str) -> None:
    assert "A04" in ids(text)


def test_word_boundaries_and_short_words_keep_their_doubles() -> None:
    assert "A04" not in ids("ten girls, canteen, teenage mutant")
    assert "A05" not in ids("Thaiger tiger, Indiana Jones")
    assert "A01" in ids("inocent 19 yo")  # long word: a missing double still matches


def test_weak_minor_terms_with_an_adult_age_are_youth_wording_not_escalation() -> None:
    found = matches("Sexy teen, 21 yo")
    assert {m.indicator for m in found} == {"A01"}
    assert found[0].evidence.key == "minor_term_adult"
    assert "A04" in ids("Sexy teen, new")  # no adult age stated: human review


def test_age_field_and_conflicting_ages() -> None:
    assert "A04" in ids("Hello", age=16)
    assert "A03" in ids("Hello", age=19)
    conflict = [m for m in matches("I am 19 yo", title="24 yo") if m.evidence.key == "age_conflict"]
    assert conflict and conflict[0].evidence.params["ages"] == "19, 24"


def test_ethnicity_evidence_keeps_only_the_fact() -> None:
    (match,) = [m for m in matches("Sweet Korean girl") if m.indicator == "A05"]
    assert match.evidence.key == "ethnicity" and match.evidence.params == {}


def test_third_person_ratio_is_a_figure() -> None:
    text = "She is sweet. She loves to party. Her smile is warm and she is waiting."
    (figure,) = [m for m in matches(text) if m.evidence.key == "third_person"]
    assert figure.span is None and figure.evidence.params["third"] >= 3


def test_three_names_in_one_ad() -> None:
    text = "Ask for Jessica. My name is Chloe. Je m'appelle Sophie. Call me Natasha."
    assert "A09" in ids(text)
    assert "A09" not in ids("My name is Chloe, ask for Chloe")
