"""Prices with currency and duration."""

from __future__ import annotations

import pytest

from adtrace.extract.price import extract_prices

Price = tuple[float, str | None, int | None]


def prices(text: str, region: str = "CA") -> list[Price]:
    return [
        (float(s.value), s.currency, s.minutes)
        for s in extract_prices(text, region=region)
        if s.confidence >= 0.5
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("150/hr", [(150, "CAD", 60)]),
        ("$250 hh", [(250, "CAD", 30)]),
        ("1h 300", [(300, "CAD", 60)]),
        ("200 roses", [(200, "roses", None)]),
        ("150$ la demi-heure", [(150, "CAD", 30)]),
        ("200 $ de l'heure", [(200, "CAD", 60)]),
        ("Rates: 150/hh 250/h 400/2h", [(150, "CAD", 30), (250, "CAD", 60), (400, "CAD", 120)]),
        ("qv 80, hh 120, 1hr 200", [(80, "CAD", 15), (120, "CAD", 30), (200, "CAD", 60)]),
        ("demi-heure 140 / heure 220", [(140, "CAD", 30), (220, "CAD", 60)]),
        ("Tarifs 1h : 250$, 2h : 450$", [(250, "CAD", 60), (450, "CAD", 120)]),
        ("US$400 for 2 hours", [(400, "USD", 120)]),
        ("100 € la demi-heure", [(100, "EUR", 30)]),
        ("180 roses l'heure", [(180, "roses", 60)]),
        ("90 min 350$", [(350, "CAD", 90)]),
        ("1h30 400$", [(400, "CAD", 90)]),
        ("an hour for 300 bucks", [(300, "CAD", 60)]),
        ("$2,500 overnight", [(2500, "CAD", None)]),
        ("forfait nuit 1 200 $", [(1200, "CAD", None)]),
        ("Dispo de 10h à 22h, 150$ la demi-heure", [(150, "CAD", 30)]),
    ],
)
def test_finds_prices(text: str, expected: list[Price]) -> None:
    assert prices(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rates 150 200 250 300",  # bare numbers are never prices
        "Open 10:00-22:00",
        "Du lundi au vendredi 9h-17h",
        "available 24 hours, 24/7",
        "34C-24-36, 120 lbs",
        "arrivée 10 h 45",
        "call 514 555 0123",
        "514🌹555🌹0137",
        "",
    ],
)
def test_ignores_non_prices(text: str) -> None:
    assert prices(text) == []


def test_dollar_follows_the_region() -> None:
    assert prices("$200/hr", region="US") == [(200, "USD", 60)]
