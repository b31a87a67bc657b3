"""Phone numbers: obfuscations, layouts, negatives, regions."""

from __future__ import annotations

import pytest

from adtrace.extract.phone import extract_phones
from adtrace.extract.place import area_code_region


def phones(text: str, region: str = "CA") -> list[str]:
    return [str(s.value) for s in extract_phones(text, region=region) if s.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("514-555-0123", "+15145550123"),
        ("(416) 555-0142", "+14165550142"),
        ("647.555.0188", "+16475550188"),
        ("604 555 0117", "+16045550117"),
        ("4165550190", "+14165550190"),
        ("call4385550134now", "+14385550134"),
        ("1-800-555-0199", "+18005550199"),
        ("+1 403 555 0166", "+14035550166"),
        ("5 1 4 * 5 5 5 * 0 1 7 7", "+15145550177"),
        ("780_555_0121", "+17805550121"),
        ("587/555/0109", "+15875550109"),
        ("514💋555💋0145", "+15145550145"),
        ("902~555~0131", "+19025550131"),
        ("289•555•0107", "+12895550107"),
        ("416 dot 555 dot 0139", "+14165550139"),
        ("514 point 555 point 0129", "+15145550129"),
        ("4️⃣1️⃣6️⃣ 5️⃣5️⃣5️⃣ 0️⃣1️⃣3️⃣2️⃣", "+14165550132"),
        ("６０４ ５５５ ０１８１", "+16045550181"),
        ("𝟞𝟙𝟛 𝟝𝟝𝟝 𝟘𝟙𝟚𝟘", "+16135550120"),
        ("⑤①④-⑤⑤⑤-⓪①④⑨", "+15145550149"),
        ("four one six five five five zero one one two", "+14165550112"),
        ("six oh four, five five five, oh one four four", "+16045550144"),
        ("cinq un quatre, cinq cinq cinq, zéro un trois huit", "+15145550138"),
        ("un quatre cinq zéro cinq cinq cinq zéro un zéro zéro", "+14505550100"),
        ("4O3-555-O1O7", "+14035550107"),
        ("5l4 555 0l2I", "+15145550121"),
        ("4|6 555 0|56", "+14165550156"),
        ("416 5S5 01B9", "+14165550189"),
        ("six0four-555-01six8", "+16045550168"),
        ("four3eight555zero1four6", "+14385550146"),
        ("416 555 01 93", "+14165550193"),
        ("5 14 55 50 1 28", "+15145550128"),
        ("5*1*4-555-0123", "+15145550123"),
        ("514,555,0123", "+15145550123"),
        ("+33 1 99 00 12 34", "+33199001234"),
        ("+61 491 570 156", "+61491570156"),
    ],
)
def test_finds_number(text: str, e164: str) -> None:
    assert phones(f"txt me {text} xo") == [e164]


@pytest.mark.parametrize(
    "text",
    [
        "Rates: 150/hh 250/h 400/2h",
        "qv 80, hh 120, 1hr 200",
        "34C-24-36, 5'4, 120lbs",
        "Open 10:00-22:00, 10am-2am",
        "Posted 2024-03-15 14:30",
        "Born 1999-04-12",
        "H2X 1Y4 and M5V 2T6",
        "Order #4185550123 shipped",
        "Réf. 5145550111 pour ton dépôt",
        "Commande no 4185550123",
        "Invoice 2024 0315 0042",
        "Promo code 2024-1120-3344",
        "123-456-7890",
        "Local line 555-0123 only",
        "Tarifs : 250, 300, 1200",
        "ISBN 978-3-16-148410-0",
        "Gift card 5000 1234 5678 9012",
        "2023 10 11 20",
        "",
    ],
)
def test_ignores_non_phones(text: str) -> None:
    assert phones(text) == []


def test_two_numbers_in_one_chain() -> None:
    assert phones("call 514-555-0101 or text 438-555-0102") == ["+15145550101", "+14385550102"]


def test_span_covers_the_evidence() -> None:
    text = "Call me: six0four-555-01six8 tonight"
    (span,) = extract_phones(text)
    assert text[span.start : span.end] == "six0four-555-01six8"
    assert span.obfuscated
    assert span.region == "BC"


def test_plain_number_is_not_flagged_obfuscated() -> None:
    (span,) = extract_phones("Call 514-555-0123")
    assert not span.obfuscated
    assert span.confidence > 0.95  # "Call" right before raises confidence


def test_reference_context_gives_low_confidence() -> None:
    (span,) = extract_phones("Order #4185550123")
    assert span.confidence < 0.5


def test_region_changes_national_numbers() -> None:
    assert phones("appelle au 01 99 00 12 34", region="FR") == ["+33199001234"]
    assert phones("appelle au 01 99 00 12 34") == []


def test_area_code_region() -> None:
    assert area_code_region("+15145550123") == "QC"
    assert area_code_region("+14165550123") == "ON"
    assert area_code_region("+19025550123") == "NS/PE"
    assert area_code_region("+12125550143") is None
    assert area_code_region("+33199001234") is None
