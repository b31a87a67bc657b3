from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from adtrace.text.normalise import (
    MASK_CHARS,
    fold,
    fold_with_offsets,
    mask_spans,
    mask_values,
    normalise_text,
    prepare_text,
    strip_placeholders,
)


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_fold_with_offsets_maps_into_the_original(text: str) -> None:
    folded, origin = fold_with_offsets(text)
    assert len(origin) == len(folded) + 1
    assert origin[-1] == len(text)
    assert all(0 <= o <= len(text) for o in origin.tolist())
    assert list(origin) == sorted(origin)


def test_fold_keeps_accents_and_scripts_and_folds_styled_letters() -> None:
    assert fold("𝔸𝕧𝕒𝕚𝕝 ＡＶＡＩＬ") == "avail avail"
    assert fold("Tout juste arrivée à Montréal") == "tout juste arrivée à montréal"
    assert fold("Привет Ελλάδα") == "привет ελλάδα"
    assert normalise_text("  Jeune\u200d et  fraîche 💕 ") == "jeune et fraîche 💕"


def test_mask_spans_keeps_length_and_marks_kind() -> None:
    text = "Call 416 555 0199 or mail ann@example.org now"
    masked = mask_spans(text, [Span("phone", 5, 17), Span("email", 26, 41)])
    assert len(masked) == len(text)
    assert masked[5] == MASK_CHARS["phone"]
    assert masked[26] == MASK_CHARS["email"]
    assert masked.endswith(" now") and masked.startswith("Call ")
    assert "416" not in masked and "example" not in masked


def test_mask_values_is_case_insensitive_and_skips_short_values() -> None:
    text = "Snap: SweetAnn99 or ann"
    masked = mask_values(text, [("handle", "sweetann99"), ("handle", "ann")])
    assert len(masked) == len(text)
    assert "SweetAnn99" not in masked
    assert masked.endswith(" ann")


def test_placeholders_cannot_be_forged() -> None:
    forged = "call \ue001 now"
    assert strip_placeholders(forged) == "call   now"
    assert prepare_text(forged) == "call   now"
