from __future__ import annotations

from adtrace.text.template import extract_template

NAMES = ("Mia", "Ella", "Zoe", "Ana", "Lou")
CITIES = ("Toronto", "Ottawa", "Laval", "Gatineau", "Toronto")


def _ads() -> list[str]:
    return [
        f"Hi guys! My name is {n}, sweet and very playful. Visiting {c} this week only, "
        f"incall and outcall. Call me at 555 01{i:02d} xoxo"
        for i, (n, c) in enumerate(zip(NAMES, CITIES, strict=True))
    ]


def test_template_keeps_fixed_wording_and_makes_slots() -> None:
    template = extract_template(_ads())
    assert template.n_texts == 5
    assert template.text.startswith("Hi guys! My name is {1}, sweet and very playful. Visiting {2}")
    names, cities = template.slots[0], template.slots[1]
    assert set(names.values) == set(NAMES) and names.distinct == 5
    assert cities.values[0] == "Toronto" and cities.distinct == 4
    assert any("01" in v for s in template.slots for v in s.values)  # digits vary too
    assert template.support == 1.0


def test_template_of_one_text_is_the_text() -> None:
    (ad,) = _ads()[:1]
    assert extract_template([ad]).text == ad
    assert extract_template([]).text == ""
