"""Canadian places from the shipped gazetteer."""

from __future__ import annotations

import pytest

from adtrace.extract.place import extract_places


def places(text: str) -> list[str]:
    return [str(s.value) for s in extract_places(text) if s.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Downtown Toronto incall", ["Toronto, ON"]),
        ("Belle blonde à Montréal", ["Montréal, QC"]),
        ("Incall a Montreal", ["Montréal, QC"]),
        ("NEW IN MISSISSAUGA", ["Mississauga, ON"]),
        ("back in st. john's", ["St. John's, NL"]),
        ("Trois-Rivieres ce soir", ["Trois-Rivières, QC"]),
        ("Dispo à St-Jérôme", ["Saint-Jérôme, QC"]),
        ("dans la ville de Québec", ["Québec, QC"]),
        ("à Québec cette semaine", ["Québec, QC"]),
        ("partout au Québec", ["QC"]),
        ("a Quebec girl", ["QC"]),  # "à" needs its accent to mean the city
        ("Quebec City", ["Québec, QC"]),
        ("sur le Plateau-Mont-Royal", ["Plateau-Mont-Royal, Montréal, QC"]),
        ("Scarborough / North York", ["Scarborough, Toronto, ON", "North York, Toronto, ON"]),
        ("in Victoria near the harbour", ["Victoria, BC"]),
        ("downtown victoria", ["Victoria, BC"]),
        ("Richmond BC", ["Richmond, BC"]),
        ("London, Ontario", ["London, ON", "ON"]),
        ("En tournée en Colombie-Britannique", ["BC"]),
    ],
)
def test_finds_places(text: str, expected: list[str]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm Victoria, 25 yo",  # a persona name, not the city
        "Regina here",
        "when in London",  # without Ontario it may be England
        "London on Saturday",
        "Instagram : marie_test_mtl",  # inside a handle
        "Montrealer? montréalaise",  # not the same word
        "",
    ],
)
def test_ignores_ambiguous_or_partial(text: str) -> None:
    assert places(text) == []


def test_span_and_region() -> None:
    text = "Visiting MONTRÉAL this week"
    (span,) = extract_places(text)
    assert text[span.start : span.end] == "MONTRÉAL"
    assert span.region == "QC"
