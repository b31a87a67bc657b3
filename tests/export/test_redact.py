"""Redaction is pure: spans first, then every value and written form as a safety net; the same
value always gets the same tag within one export."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from adtrace.export import redact, to_csv, to_json
from adtrace.export.dossier import LinkEntry
from adtrace.export.pdf import report_html
from adtrace.export.redact import build_redactor, redact_spans
from tests.export.dossiers import ad, dossier

PHONE = "+16135550142"
EMAIL = "rosie.test@example.org"


def sample() -> tuple:
    first = ad(
        1,
        "Rosie in town",
        "Call 613-555-0142 or write rosie.test@example.org, snap: rosie_x22",
        ("name", "Rosie", "title", "Rosie"),
        ("phone", PHONE, "text", "613-555-0142"),
        ("email", EMAIL, "text", "rosie.test@example.org"),
        ("handle", "rosie_x22", "text", "rosie_x22"),
    )
    second = ad(
        2,
        "Sweet Rosie",
        "text six one three five five five zero one four two, ROSIE here",
        ("phone", PHONE, "text", "six one three five five five zero one four two"),
        url="https://site-a.example/ads/rosie-613-555-0142",
    )
    # The extractor missed the phone of this ad (no span): the value net must hide it.
    third = ad(3, "New", "Reach me at (613) 555.0142 or +1 613 555 0142 anytime", cluster_id="r1-1")
    link = LinkEntry(1, 2, 0.9, ("phone",), {"phone": (PHONE,)}, {"jaccard": 0.4})
    notes = (
        "Same phone as 613 555 0142; she also uses rosie.test@example.org",
        "Other: 416-555-0199",
    )
    profile = {"per_phone": [{"phone": PHONE, "ads": 2}], "names": ["Rosie"]}
    return dossier((first, second, third), links=(link,), notes=notes, profile=profile)


def test_spans_are_replaced_and_overlaps_merge() -> None:
    text = "call 613-555-0142 now"
    assert redact_spans(text, [(5, 17, "[phone 1]")]) == "call [phone 1] now"
    merged = redact_spans("abcdefgh", [(1, 4, "[a]"), (2, 7, "[b]"), (10, 12, "[c]")])
    assert merged == "a[b]h"
    assert redact_spans("abc", []) == "abc"


def test_same_value_same_tag_across_ads_links_and_profile() -> None:
    done = redact(sample())
    first, second, third = done.ads
    assert first.values("phone") == ["[phone 1]"] == second.values("phone")
    assert first.values("email") == ["[e-mail 1]"]
    assert first.values("handle") == ["[handle 1]"]
    assert first.values("name") == ["[name 1]"]
    assert "[phone 1]" in second.text and "six one three" not in second.text
    assert third.text == "Reach me at [phone 1] or [phone 1] anytime"
    assert done.links[0].shared == {"phone": ("[phone 1]",)}
    assert done.scores[0].profile == {
        "per_phone": [{"phone": "[phone 1]", "ads": 2}],
        "names": ["[name 1]"],
    }
    assert done.redacted


def test_names_are_hidden_as_words_in_any_case_everywhere() -> None:
    done = redact(sample())
    texts = [a.title + " " + a.text + " " + (a.url or "") for a in done.ads]
    assert all("rosie" not in t.lower().replace("[name 1]", "") for t in texts[1:])
    assert done.ads[1].title == "Sweet [name 1]"
    assert done.ads[1].text.endswith("[name 1] here")
    # inside a handle the name is part of the handle's tag, not a word of its own
    assert "[handle 1]" in done.ads[0].text


def test_notes_are_redacted_with_values_the_extractor_finds_in_them() -> None:
    done = redact(sample())
    notes = [n.value for n in done.casework.notes]
    assert notes[0] == "Same phone as [phone 1]; she also uses [e-mail 1]"
    # a phone no ad gives, typed by an analyst, is hidden too (a tag of its own)
    assert notes[1] == "Other: [phone 2]"


def test_nothing_personal_is_left_in_csv_and_json() -> None:
    original = sample()
    done = redact(original)
    for data in (to_csv(done).decode(), to_json(done).decode()):
        folded = data.lower()
        for secret in ("rosie", "example.org", "six one", "613-555", "555.0142"):
            assert secret not in folded
        assert "5550142" not in re.sub(r"\D", "", data)
    assert json.loads(to_json(done))["redacted"] is True
    html = report_html(done).lower()  # the timeline's tooltips name personas too
    assert "rosie" not in html and not re.search(r"613\D{0,3}555\D{0,3}0142", html)
    assert "rosie" in to_json(original).decode().lower()  # the check above can fail


def test_french_tags() -> None:
    done = redact(sample(), "fr")
    assert done.ads[0].values("phone") == ["[téléphone 1]"]
    assert done.ads[0].values("email") == ["[courriel 1]"]
    assert done.ads[0].values("name") == ["[nom 1]"]


def test_tags_number_values_in_order_of_first_appearance() -> None:
    redactor = build_redactor(sample())
    assert redactor.tags[("phone", PHONE)] == "[phone 1]"
    assert redactor.tags[("phone", "+14165550199")] == "[phone 2]"


DIGITS = st.text("0123456789", min_size=7, max_size=7)
SEPARATORS = st.lists(
    st.sampled_from(["", " ", "-", ".", " - ", "__", ") "]), min_size=9, max_size=9
)


@given(line=DIGITS, seps=SEPARATORS, prefix=st.sampled_from(["", "1 ", "+1 ", "+1-", "("]))
def test_a_known_phone_is_hidden_however_it_is_separated(
    line: str, seps: list[str], prefix: str
) -> None:
    national = "613" + line
    written = prefix + "".join(d + s for d, s in zip(national, [*seps, ""], strict=False))
    ad_with_span = ad(1, "t", f"call {national}", ("phone", "+1" + national, "text", national))
    other = ad(2, "t", f"text me at {written} today")
    done = redact(dossier((ad_with_span, other)))
    assert national not in re.sub(r"\D", "", done.ads[1].text)
    assert "[phone 1]" in done.ads[1].text
