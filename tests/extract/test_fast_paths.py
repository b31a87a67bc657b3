"""Every pre-filter and shortcut gives exactly what the full scan gives.

The extractors skip work where it cannot find anything: regions of plain digits skip the
de-obfuscating token scan, e-mail and handle patterns are tried only where an at-sign or a
keyword stands, the phone pattern runs only on stretches with enough digits, price windows join
nearby digit runs without searching for spaces, words are split by a byte translation, the ad's
language reuses each field's words. Each test below runs the full
path (the plain scan the shortcut replaces) beside the fast one on generated ads, obfuscated
ones included, and on Hypothesis text.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adtrace.extract import email, handles, normalise, phone, price
from adtrace.extract.language import ad_language, detect_language
from adtrace.extract.spans import Span
from adtrace.synth import generate_ads

EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FR = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
FILLER = [
    "Sweet and discreet, new in town.", "Douce et discrète, nouvelle en ville.",
    "I'm Hazel, 23 yo.", "J'ai 22 ans, à Montréal.", "Rates: 150/hh 250/h.",
    "Tarifs : 160$ la demi-heure.",
    "Call me at", "Appelle-moi au", "snap: test_amy", "ig @test.ruby", "OF: test_fan", "Of @x_y",
    "whatsapp", "watsapp me", "wsp:", "t.me/test_bot", "www.instagram.com/test_x/",
    "name at gmail", "jade [at] example [dot] com", "lea (arobase) example point ca",
    "sam @ example . org", "meet at hotel.com", "Order no. 5145550123", "34C-24-36",
    "2023 10 11 20", "+33 1 99 00 12 34", "+ 44 20 7946 0123", "lone wolf", "Ione", "I am here",
    "Oh yes", "one hour", "un appel", "I", "O", "l|l", "SOS", "B.O.B", "\n", "💋", "👻 test_g",
]  # fmt: skip


def written(rng: random.Random, digits: str) -> str:
    """Ten digits in one of the ways ads write them, plain ones included."""
    words = rng.choice([EN, FR])
    style = rng.randrange(10)
    if style == 0:
        return " ".join(words[int(d)] for d in digits)
    if style == 1:
        return "".join(d + "\ufe0f\u20e3" for d in digits)
    if style == 2:
        return "".join(chr(0xFF10 + int(d)) for d in digits)
    if style == 3:
        return "".join(chr(0x1D7EC + int(d)) for d in digits)
    if style == 4:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}".replace("0", "O").replace("1", "l")
    if style == 5:
        return "".join(words[int(d)] if rng.random() < 0.4 else d for d in digits)
    if style == 6:
        return f"{digits[:3]} dot {digits[3:6]} point {digits[6:]}"
    if style == 7:
        return "|".join([digits[:3], digits[3:6], digits[6:]])
    sep = rng.choice(["-", ".", " ", "", "*", "_", "💋"])
    return sep.join([digits[:3], digits[3:6], digits[6:]])


def generated_ads(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    ads = []
    for _ in range(count):
        digits = f"{rng.choice(['416', '514', '604', '438'])}555{rng.randrange(100, 200):04d}"
        parts = [*rng.sample(FILLER, 8), written(rng, digits)]
        rng.shuffle(parts)
        text = " ".join(parts)
        ads.append(
            rng.choice([text, text.upper(), text.swapcase()]) if rng.random() < 0.2 else text
        )
    return ads


SYNTH = generate_ads(300, 3, workers=1)
TEXTS = generated_ads(400, 11) + [t or "" for t in SYNTH.column("text").to_pylist()]
TITLES = [t or "" for t in SYNTH.column("title").to_pylist()]

# Hypothesis text: generated words, obfuscations and raw characters, including the marks,
# brackets and keywords the shortcuts look for.
PIECES = FILLER + EN + FR + ["4O3", "6️⃣", "６", "𝟞", "⑤", "@", "(", "[", "<", "at", "|", "İ", "ß"]
noisy_text = st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join) | st.text(max_size=80)


def plain_tokens_scan(text: str) -> normalise.NormalisedText:
    return normalise._normalise(text, prefilter=False)


def full_markers(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in email._MARKER_RE.finditer(normalise.lower_same_length(text))]


def full_handles(text: str, region: str = "CA") -> list[Span]:
    """The handle extractor with full scans of the whole text (its shape before the shortcuts)."""
    low = normalise.lower_same_length(text)
    has_of = "OF" in text or "Of" in text
    if not has_of and not handles._QUICK_RE.search(low) and not handles._LINK_RE.search(low):
        return []
    spans = handles._links(low, region) if "/" in low else []
    spans += handles._named(low, handles._KEYWORD_RE.finditer(low), None, 0.9)
    if has_of:
        spans += handles._named(text, handles._OF_RE.finditer(text), "onlyfans", 0.85)
    if "👻" in text:
        spans += handles._named(low, handles._GHOST_RE.finditer(low), "snapchat", 0.85)
    if handles._WHATSAPP_RE.search(low):
        spans += handles._whatsapp(text, low, region)
    return handles._deduplicated(spans)


def full_phones(text: str, region: str = "CA") -> list[Span]:
    """Phones from a scan of the whole normalised text, not only its digit-dense stretches."""
    norm = normalise.normalise_digits(text)
    minimum = 10 if phone._is_nanp(region) else 8
    spans: list[Span] = []
    for chain in phone._CHAIN_RE.finditer(norm.text):
        if chain.end() - chain.start() >= minimum:
            spans.extend(phone._phones_in_chain(norm, chain.start(), chain.end(), region))
    return spans


def full_windows(text: str) -> list[tuple[int, int]]:
    """Price windows computed run by run, searching spaces around every digit run."""
    low = normalise.lower_same_length(text)
    windows: list[tuple[int, int]] = []
    for run_start, run_end in normalise.digit_runs(text):
        start = low.rfind(" ", 0, max(0, run_start - price._WINDOW)) + 1
        end = low.find(" ", run_end + price._WINDOW)
        end = len(low) if end < 0 else end
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return [(a, b) for a, b in windows if price._HINT_RE.search(low, a, b)]


def full_words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", normalise.fold(text)))


def check_all(text: str) -> None:
    assert normalise.normalise_digits(text) == plain_tokens_scan(text)
    assert [m.span() for m in email._markers(normalise.lower_same_length(text))] == full_markers(
        text
    )
    assert handles.extract_handles(text) == full_handles(text)
    assert phone.extract_phones(text) == full_phones(text)
    assert phone.extract_phones(text, region="FR") == full_phones(text, "FR")
    assert normalise.folded_words(text) == full_words(text)
    assert price._windows(text, normalise.lower_same_length(text)) == full_windows(text)


@pytest.mark.parametrize("start", range(0, len(TEXTS), 100))
def test_fast_paths_equal_full_scans_on_generated_ads(start: int) -> None:
    for text in TEXTS[start : start + 100]:
        check_all(text)


def test_generated_ads_exercise_both_paths() -> None:
    slow = [normalise.needs_token_scan(t) for t in TEXTS]
    rewritten = [bool(normalise.normalise_digits(t).positions) for t in TEXTS]
    assert 0 < sum(rewritten) <= sum(slow) < len(TEXTS)
    assert sum(bool(handles.extract_handles(t)) for t in TEXTS) > 100
    assert sum(bool(email.extract_emails(t)) for t in TEXTS) > 100


def test_needs_token_scan_is_false_for_plain_digits() -> None:
    assert not normalise.needs_token_scan("Call 514-555-0123, 150$ the hour, 24/7")
    assert normalise.needs_token_scan("Call 514 555 Ol23")
    assert normalise.needs_token_scan("Call 5１4 555 0123")


@given(noisy_text)
def test_fast_paths_equal_full_scans_on_any_text(text: str) -> None:
    check_all(text)


@given(noisy_text, noisy_text)
def test_ad_language_equals_language_of_joined_fields(title: str, text: str) -> None:
    joined = f"{title}\n{text}" if title else text
    assert ad_language(text, title) == detect_language(joined)


def test_ad_language_on_synthetic_ads() -> None:
    texts = [t or "" for t in SYNTH.column("text").to_pylist()]
    for title, text in zip(TITLES, texts, strict=True):
        assert ad_language(text, title) == detect_language(f"{title}\n{text}" if title else text)


def test_lone_surrogates_and_odd_text_do_not_raise() -> None:
    for text in ["ab\ud800cd 514 555 0123", "\udfff", "é\ud83d@x.ca", "ΟΔΟΣ İ 𝟞𝟞𝟞 ５１４"]:
        check_all(text)
        assert normalise.folded_words(text) == full_words(text)
