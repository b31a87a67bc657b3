"""Stated ages."""

from __future__ import annotations

import pytest

from adtrace.extract.age import extract_ages


def ages(text: str) -> list[int]:
    return [int(s.value) for s in extract_ages(text) if s.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23 yo petite", [23]),
        ("sexy 23yo brunette", [23]),
        ("21 y/o student", [21]),
        ("I am 26 years old", [26]),
        ("26 yrs old", [26]),
        ("Stats - age: 24", [24]),
        ("aged 31, mature", [31]),
        ("im 22 and in school", [22]),
        ("j'ai 22 ans", [22]),
        ("24 ans, étudiante", [24]),
        ("âge : 21", [21]),
        ("femme âgée de 27 ans", [27]),
        ("16 yo", [16]),  # under 18 is kept: it must reach a human reviewer
        ("22 yo and 25 yo girls", [22, 25]),
    ],
)
def test_finds_age(text: str, expected: list[int]) -> None:
    assert ages(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "10 ans d'expérience",
        "Depuis 10 ans dans le métier",
        "for 10 years in the business",
        "I'm 5'4",
        "I'm 34C",
        "I'm 24/7 available",
        "I'm 20 minutes away",
        "100% real, 18+ only",
        "Bust 34, waist 24",
        "",
    ],
)
def test_ignores_non_ages(text: str) -> None:
    assert ages(text) == []
