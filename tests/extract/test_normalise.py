"""The de-obfuscating digit normaliser and its index map."""

from __future__ import annotations

import pytest

from adtrace.extract.normalise import fold, lower_same_length, normalise_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4O3-555-O1O7", "403-555-0107"),  # O as 0
        ("5l4 555 0l2I", "514 555 0121"),  # l and I as 1
        ("4|6 555 0|56", "416 555 0156"),  # a single pipe between digits is 1
        ("416 5S5 01B9", "416 555 0189"),  # S and B inside digit runs
        ("four one six", "4 1 6"),
        ("FOUR ONE SIX", "4 1 6"),
        ("six oh four", "6 0 4"),
        ("cinq un quatre zéro", "5 1 4 0"),
        ("CINQ UN QUATRE ZÉRO", "5 1 4 0"),
        ("deux trois sept huit neuf une", "2 3 7 8 9 1"),
        ("six0four-555-01six8", "604-555-0168"),
        ("quatre3huit 555 0un7deux", "438 555 0172"),
        ("4️⃣1️⃣6️⃣", "416"),  # keycaps with U+FE0F
        ("6⃣4⃣7⃣", "647"),  # keycaps without U+FE0F
        ("６０４ ５５５", "604 555"),  # fullwidth
        ("𝟞𝟙𝟛 𝟝𝟝𝟝", "613 555"),  # mathematical double-struck
        ("𝟒𝟏𝟖", "418"),  # mathematical bold
        ("⑤①④-⓪①", "514-01"),  # circled
        ("7 8 O 5 5 5 O 1", "7 8 0 5 5 5 0 1"),  # look-alike between digits
        ("416 555 OlOO", "416 555 0100"),  # look-alike token after digits
    ],
)
def test_rewrites_obfuscated_digits(text: str, expected: str) -> None:
    assert normalise_digits(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "I am here lol",  # look-alikes with no digit chain
        "514|555|0123",  # several pipes are separators
        "34B-26-36",  # B at the edge of a token is a cup size, not 8
        "call4O3",  # look-alikes glued to a word are left alone
        "Hello Sofia, new in town",
        "someone is under the tone",  # number words inside other words
        "une heure pour un moment",  # lone number words are not scanned
        "one hour, then six more",
        "",
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert normalise_digits(text).text == text


def test_index_map_points_at_the_source() -> None:
    text = "call six0four-555 now"
    norm = normalise_digits(text)
    assert norm.text == "call 604-555 now"
    start = norm.text.index("604")
    assert norm.to_original(start, start + 3) == (5, 13)
    assert text[slice(*norm.to_original(start, start + 1))] == "six"
    assert text[slice(*norm.to_original(start + 2, start + 3))] == "four"
    dash = norm.text.index("-")
    assert text[slice(*norm.to_original(dash, norm.text.index(" now")))] == "-555"
    assert norm.is_rewritten(start, start + 3)
    assert not norm.is_rewritten(dash, dash + 4)


def test_keycap_maps_to_whole_emoji() -> None:
    text = "x 4️⃣1️⃣ y"
    norm = normalise_digits(text)
    assert norm.text == "x 41 y"
    assert text[slice(*norm.to_original(2, 4))] == "4️⃣1️⃣"
    assert norm.to_original(5, 6) == (len(text) - 1, len(text))


def test_fold_keeps_length_and_strips_accents() -> None:
    text = "Montréal À Québec, l’Île-du-Prince-Édouard"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "montreal a quebec, l'ile-du-prince-edouard"


def test_lower_same_length_handles_dotted_i() -> None:
    text = "İstanbul"
    assert len(lower_same_length(text)) == len(text)
