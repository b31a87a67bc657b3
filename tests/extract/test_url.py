"""Web addresses and their normalised form."""

from __future__ import annotations

import pytest

from adtrace.extract.url import extract_urls


def urls(text: str) -> list[str]:
    return [str(s.value) for s in extract_urls(text) if s.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my website https://www.Example.ca/Hazel/ has rates", "example.ca/Hazel"),
        ("booking form at www.example.com/book.", "example.com/book"),
        ("HTTP://EXAMPLE.COM", "example.com"),
        ("(see https://example.org/a_b)", "example.org/a_b"),
        ("www.lyla.ch", "lyla.ch"),
        ("VIP t.me/lily_test_vip", "t.me/lily_test_vip"),
        ("linktr.ee/abc_test", "linktr.ee/abc_test"),
        ("example.ca", "example.ca"),
    ],
)
def test_finds_url(text: str, expected: str) -> None:
    assert urls(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "sofia.test@example.ca",  # an e-mail domain is not a URL
        "snap: hazel.xo",
        "I love you.come on over",  # missing space after a full stop
        "site.comfor info",  # glued to the next word: missed by design
        "St. John's",
        "",
    ],
)
def test_ignores_non_urls(text: str) -> None:
    assert urls(text) == []


def test_span_excludes_trailing_punctuation() -> None:
    text = "see www.example.com/book."
    (span,) = extract_urls(text)
    assert text[span.start : span.end] == "www.example.com/book"
