"""Phones, e-mails and handles: validity, obfuscation in the text, sharing per the config."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import phonenumbers
import pyarrow as pa

from adtrace.synth.phones import STYLES, WORDS, write_phone

_NUMBER_WORDS = {word: str(i) for names in WORDS for i, word in enumerate(names)}
_NUMBER_WORD = re.compile("|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)))


def decoded_digits(text: str) -> str:
    """Every digit the text spells, in order, however it is written (test-only decoder)."""
    folded = unicodedata.normalize("NFKC", text).replace("\ufe0f", "").replace("\u20e3", "")
    folded = folded.translate({ord("O"): "0", ord("I"): "1", ord("l"): "1"}).lower()
    folded = _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m[0]], folded)
    return re.sub(r"\D", "", folded)


def test_every_style_decodes_to_the_number() -> None:
    for style in range(len(STYLES)):
        for bits in range(0, 4096, 97):
            for lang in (0, 1):
                written = write_phone("4162010199", style, bits, lang)
                assert "4162010199" in decoded_digits(written), (STYLES[style][0], written)


def test_phone_e164_valid_and_written_in_text(rows: list[dict[str, str]]) -> None:
    written = [r for r in rows if r["phone_e164"]]
    assert 0.75 < len(written) / len(rows) < 0.95
    for r in written:
        number = phonenumbers.parse(r["phone_e164"])
        assert phonenumbers.is_valid_number(number), r["phone_e164"]
        assert phonenumbers.region_code_for_number(number) == "CA"
        assert "555" not in r["phone_e164"][5:8]
        assert r["phone_e164"][2:] in decoded_digits(r["text"]), r["text"]


def test_obfuscations_all_occur(rows: list[dict[str, str]]) -> None:
    text = "\n".join(r["text"] for r in rows)
    assert "\u20e3" in text  # keycap
    assert re.search("[\uff10-\uff19]", text)  # fullwidth
    assert re.search("[\U0001d7ce-\U0001d7ff]", text)  # mathematical digits
    assert re.search(r"\bfour\b|\bseven\b", text)
    assert re.search(r"\bquatre\b|\bhuit\b", text)
    assert re.search(r"\d[OIl]\d|[OIl]\d\d", text)
    assert " AT " in text or "(at)" in text or "[at]" in text or "[arobase]" in text
    assert "t.me/" in text
    assert "snap" in text.lower()


def test_phone_field_sometimes_plain_sometimes_empty(rows: list[dict[str, str]]) -> None:
    fields = [r["phone"] for r in rows]
    assert 0.1 < fields.count("") / len(fields) < 0.6
    plain = re.compile(r"\(\d{3}\) \d{3}-\d{4}|\d{3}[-.]\d{3}[-.]\d{4}|\+1\d{10}|\d{10}")
    assert all(plain.fullmatch(f) for f in fields if f)


def test_no_advertiser_shares_a_phone_with_another(rows: list[dict[str, str]]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["phone_e164"]:
            owners[r["phone_e164"]].add(r["operator_id"])
    assert all(len(o) == 1 for o in owners.values())


def _names_per_selector(table: pa.Table) -> dict[str, dict[str, set[str]]]:
    """operator -> selector (phone or e-mail) -> persona names using it."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in table.to_pylist():
        if not r["operator_id"].startswith("op"):
            continue
        phone = r["phone_e164"] or (
            "+1" + re.sub(r"\D", "", r["phone"])[-10:] if r["phone"] else ""
        )
        for selector in (phone, r["email"]):
            if selector:
                out[r["operator_id"]][selector].add(r["persona"])
    return out


def test_silent_operators_share_no_selector(all_operators_silent: pa.Table) -> None:
    for selectors in _names_per_selector(all_operators_silent).values():
        assert all(len(names) == 1 for names in selectors.values())


def test_sharing_operators_share_phones(all_operators_sharing: pa.Table) -> None:
    per_operator = _names_per_selector(all_operators_sharing)
    several = [s for s in per_operator.values() if len(set().union(*s.values())) >= 2]
    sharing = [s for s in several if any(len(names) >= 2 for names in s.values())]
    assert len(sharing) / len(several) > 0.8
