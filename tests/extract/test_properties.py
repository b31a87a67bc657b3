"""Property tests: idempotent normaliser, stable phone extraction, spans that index the text."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adtrace.extract import extract_all, normalise_digits
from adtrace.extract.normalise import fold
from adtrace.extract.spans import Span

AREA_CODES = ["204", "250", "306", "403", "416", "418", "438", "450", "514", "604", "613", "647"]
WORDS = [
    "call", "text", "me", "sweet", "new", "in", "town", "ask", "for", "sexy", "girl", "appelle",
    "moi", "douce", "nouvelle", "ville", "ce", "soir", "bisous", "hello", "gentlemen", "xo",
    "incall", "outcall", "discreet", "real", "pics", "Montréal", "Toronto", "tonight",
]  # fmt: skip
NOISE = [
    "4O3", "one", "six", "zéro", "un", "deux", "O", "I", "l", "|", "S", "B", "6️⃣", "６", "𝟞", "⑤",
    "💋", "👻", "•", "*", "-", ".", "/", "_", "~", "(", ")", ",", ":", "$", "€", "@", "h", "hh",
    "150", "23", "yo", "ans", "555", "0123", "\n", "  ", "é", "İ", "ß", "’", "I'm", "Hazel",
    "snap:", "t.me/x_y", "a@b.ca", "roses", "Québec", "à", "/hr",
]  # fmt: skip

noisy_text = st.lists(st.sampled_from(WORDS + NOISE), max_size=40).map(" ".join) | st.text(
    alphabet=st.sampled_from("0123456789OoIlSB| .-_*/💋6️⃣６𝟞⑤aeiouxyzéàÉ@$h\n"), max_size=80
)
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(noisy_text)
def test_normaliser_is_idempotent(text: str) -> None:
    once = normalise_digits(text).text
    assert normalise_digits(once).text == once


@FAST
@given(noisy_text)
def test_index_map_stays_inside_the_original(text: str) -> None:
    norm = normalise_digits(text)
    sources = [norm.to_original(i, i + 1) for i in range(len(norm.text))]
    assert all(0 <= start < end <= len(text) for start, end in sources)
    starts = [start for start, _ in sources]
    assert starts == sorted(starts)
    if norm.text:
        assert norm.to_original(0, len(norm.text)) == (0, len(text))


@st.composite
def plain_phone(draw: st.DrawFn) -> tuple[str, str]:
    """A plainly written Canadian number and its E.164 form."""
    area = draw(st.sampled_from(AREA_CODES))
    line = f"01{draw(st.integers(0, 99)):02d}"
    sep = draw(st.sampled_from(["-", ".", " ", "", " - ", "  "]))
    written = f"{area}{sep}555{sep}{line}"
    if draw(st.booleans()):
        written = f"({area}) 555-{line}"
    if draw(st.booleans()):
        written = f"1-{written}" if sep else f"1{written}"
    return written, f"+1{area}555{line}"


def noisy_case(text: str, mode: str) -> str:
    return {"upper": text.upper(), "lower": text.lower(), "swap": text.swapcase()}.get(mode, text)


@settings(deadline=None)
@given(
    phone=plain_phone(),
    before=st.lists(st.sampled_from(WORDS), max_size=8),
    after=st.lists(st.sampled_from(WORDS), max_size=8),
    case=st.sampled_from(["keep", "upper", "lower", "swap"]),
    spaces=st.integers(1, 4),
)
def test_plain_phone_is_stable_under_case_and_spacing(
    phone: tuple[str, str], before: list[str], after: list[str], case: str, spaces: int
) -> None:
    written, e164 = phone
    gap = " " * spaces
    text = noisy_case(gap.join([*before, written, *after]), case)
    assert extract_all(text).to_json()["phones"] == [e164]


def ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def holds_evidence(span: Span, source: str) -> bool:
    """Does ``source[start:end]`` show what the span claims?"""
    seen = source[span.start : span.end]
    value = str(span.value)
    if span.kind == "phone" or (span.kind == "handle" and span.platform == "whatsapp"):
        digits = "".join(c for c in normalise_digits(seen).text if c.isdigit())
        return digits.endswith(value[-7:])
    if span.kind in ("email", "handle", "url"):
        head = value.split("@")[0].split("/")[0]
        return head.lower() in fold(seen)
    if span.kind == "name":
        return fold(value) in fold(seen)
    if span.kind in ("age", "price"):
        return str(int(float(value))) in ascii_digits(seen).replace(",", "").replace(" ", "")
    return bool(fold(seen).strip())


FRAGMENTS = [
    "Call 514-555-0123",
    "six0four-555-01six8",
    "4️⃣1️⃣6️⃣ 5️⃣5️⃣5️⃣ 0️⃣1️⃣3️⃣2️⃣",
    "quatre un huit cinq cinq cinq zéro un six six",
    "hazel AT example DOT com",
    "sofia.test@example.ca",
    "snap: hazel.xo",
    "t.me/lily_test",
    "WhatsApp +1 514 555 0193",
    "www.example.com/book",
    "I'm Hazel",
    "je m'appelle Sofia",
    "23 yo",
    "j'ai 22 ans",
    "150/hh 250/h",
    "150$ la demi-heure",
    "à Montréal",
    "in Victoria",
    "Trois-Rivieres",
]


@FAST
@given(st.lists(st.sampled_from(FRAGMENTS + WORDS + NOISE), min_size=1, max_size=25))
def test_spans_index_the_original_text(parts: list[str]) -> None:
    text = " ".join(parts)
    title = " ".join(reversed(parts[:5]))
    for span in extract_all(text, title, min_confidence=0.0).spans():
        source = title if span.field == "title" else text
        assert 0 <= span.start < span.end <= len(source)
        assert holds_evidence(span, source), (span, source[span.start : span.end])
