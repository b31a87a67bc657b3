"""Persona names after trigger phrases."""

from __future__ import annotations

import pytest

from adtrace.extract.name import extract_names


def names(text: str) -> list[str]:
    return [str(s.value) for s in extract_names(text) if s.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, I'm Hazel, new in town", "Hazel"),
        ("I’m Victoria and I love fun", "Victoria"),
        ("my name is Scarlett and", "Scarlett"),
        ("call me Destiny ;)", "Destiny"),
        ("hello gentleman im kayla sexy", "Kayla"),
        ("My name is Zephyra, a goddess", "Zephyra"),
        ("ask for Crystal at the desk", "Crystal"),
        ("Sarah here 📞", "Sarah"),
        ("It's Brooke, text me", "Brooke"),
        ("Je m'appelle Sofia et", "Sofia"),
        ("Moi c'est Océane, 22 ans", "Océane"),
        ("ici Mélodie, nouvelle en ville", "Mélodie"),
        ("Bonjour, je suis Camille", "Camille"),
        ("appelle-moi Jade ce soir", "Jade"),
        ("mon nom est Zélie", "Zélie"),
        ("moi c'est justine", "Justine"),
        ("Salut c'est Maëlle", "Maëlle"),
        ("my name is marie-ève", "Marie-Ève"),
    ],
)
def test_finds_name(text: str, expected: str) -> None:
    assert names(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "I'm new in town",
        "Call me anytime, I'm available",
        "I'm Zephyra",  # weak trigger and unknown name: below the cut-off
        "im amber and sweet",  # common word, lower case, weak trigger
        "Je suis nouvelle à Laval",
        "je suis disponible, appelle-moi vite",
        "I am 26 years old",
        "call me at 514",
        "",
    ],
)
def test_ignores_non_names(text: str) -> None:
    assert names(text) == []
