"""E-mail addresses, plain and spelled out."""

from __future__ import annotations

import pytest

from adtrace.extract.email import extract_emails


def emails(text: str) -> list[str]:
    return [str(s.value) for s in extract_emails(text) if s.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email hazel.test@example.com now", "hazel.test@example.com"),
        ("Contact: Jade_Test@Example.Net", "jade_test@example.net"),
        ("violet @ example . com", "violet@example.com"),
        ("hazel AT example DOT com", "hazel@example.com"),
        ("bookings (at) example (dot) ca", "bookings@example.ca"),
        ("ruby[at]example[dot]org", "ruby@example.org"),
        ("ruby{at}example{dot}org", "ruby@example.org"),
        ("persona.test at gmail dot com", "persona.test@gmail.com"),
        ("sofia arobase example point com", "sofia@example.com"),
        ("julie[at]example[point]ca", "julie@example.ca"),
        ("chloe.test (arobase) example (point) org", "chloe.test@example.org"),
        ("lili_test arobase example point ca", "lili_test@example.ca"),
        ("email me: test.ivy at gmail", "test.ivy@gmail.com"),
        ("hazel@hotmail only", "hazel@hotmail.com"),
        ("lea.test@example.com. Call", "lea.test@example.com"),
    ],
)
def test_finds_address(text: str, expected: str) -> None:
    assert emails(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "I am at hotel.com tonight",
        "meet me at the hotel. Com",
        "available at 10pm",
        "100% real @ your place",
        "",
    ],
)
def test_ignores_non_addresses(text: str) -> None:
    assert emails(text) == []


def test_span_is_the_written_form() -> None:
    text = "write to bookings (at) example (dot) ca please"
    (span,) = extract_emails(text)
    assert text[span.start : span.end] == "bookings (at) example (dot) ca"
