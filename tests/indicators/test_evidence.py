"""Every evidence message exists in English and French with the same figures."""

from __future__ import annotations

import re

import pytest

from adtrace.indicators import Evidence, render
from adtrace.indicators.evidence import MESSAGES, SELECTOR_KINDS, TAGS


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_take_the_same_figures(key: str) -> None:
    english, french = MESSAGES[key]
    fields_en = set(re.findall(r"{(\w+)", english)) - {"event_en", "corridor_en"}
    fields_fr = set(re.findall(r"{(\w+)", french)) - {"event_fr", "corridor_fr"}
    assert fields_en == fields_fr
    params = {name: "7" for name in re.findall(r"{(\w+)", english + french)}
    params.update({"tag": next(iter(TAGS))} if "tag" in params else {})
    params.update({"kind": next(iter(SELECTOR_KINDS))} if "kind" in params else {})
    shown_en, shown_fr = render(Evidence(key, params), "en"), render(Evidence(key, params), "fr")
    assert shown_en and shown_fr and shown_en != shown_fr


def test_price_scope_and_tags_are_translated() -> None:
    evidence = Evidence("emoji", {"tag": "control"})
    assert render(evidence, "en") == "emoji meaning control"
    assert render(evidence, "fr") == "émoji signifiant contrôle"
    low = Evidence(
        "low_price", {"hourly": "$80", "p10": "$150", "median": "$260", "n": 40, "scope": "*"}
    )
    assert "all cities" in render(low, "en") and "toutes les villes" in render(low, "fr")
