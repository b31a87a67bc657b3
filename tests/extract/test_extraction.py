"""extract_all, the Extraction record and its JSON form."""

from __future__ import annotations

import json

from adtrace.extract import EXTRACTORS, KINDS, Extraction, extract_all

AD = (
    "Hi I'm Ruby, 24 yo, in Ottawa (ByWard Market). Call 613-555-0157 or "
    "ruby.test@example.com. $200/hr. snap: ruby_test https://www.example.ca/ruby/"
)


def test_json_keys_are_exactly_the_contract() -> None:
    assert list(extract_all("").to_json()) == [
        "phones",
        "emails",
        "handles",
        "urls",
        "names",
        "ages",
        "prices",
        "places",
        "language",
    ]


def test_everything_from_one_ad() -> None:
    out = extract_all(AD).to_json()
    assert out == {
        "phones": ["+16135550157"],
        "emails": ["ruby.test@example.com"],
        "handles": [{"platform": "snapchat", "value": "ruby_test"}],
        "urls": ["example.ca/ruby"],
        "names": ["Ruby"],
        "ages": [24],
        "prices": [{"value": 200, "currency": "CAD", "minutes": 60}],
        "places": ["Ottawa, ON", "ByWard Market, Ottawa, ON"],
        "language": "en",
    }
    json.dumps(out)  # JSON-able as is


def test_title_spans_refer_to_the_title() -> None:
    title = "NEW 416-555-0111"
    text = "Call 416-555-0111 or 647-555-0188"
    result = extract_all(text, title)
    fields = [(s.field, s.value) for s in result.phones]
    assert fields == [
        ("title", "+14165550111"),
        ("text", "+14165550111"),
        ("text", "+16475550188"),
    ]
    for span in result.phones:
        source = title if span.field == "title" else text
        assert "555" in source[span.start : span.end]
    assert result.to_json()["phones"] == ["+14165550111", "+16475550188"]


def test_min_confidence_filters() -> None:
    text = "I'm Zephyra, in Victoria"
    assert extract_all(text).to_json()["names"] == []
    loose = extract_all(text, min_confidence=0.3)
    assert [s.value for s in loose.names] == ["Zephyra"]
    assert "Victoria, BC" in loose.to_json()["places"]


def test_registry_lists_every_kind() -> None:
    assert set(EXTRACTORS) == set(KINDS)
    for extractor in EXTRACTORS.values():
        assert extractor("", region="CA") == []


def test_extraction_is_frozen_and_groups_spans() -> None:
    result = extract_all(AD)
    assert isinstance(result, Extraction)
    assert {s.kind for s in result.spans()} == set(KINDS)
    assert all(0.0 <= s.confidence <= 1.0 for s in result.spans())


def test_the_package_is_callable_as_adtrace_extract() -> None:
    import adtrace.extract

    found = adtrace.extract("Call 4I6 five five five 0123")  # type: ignore[operator]
    assert found.to_json()["phones"] == ["+14165550123"]
