"""describe_difficulty and difficulty_line."""

from __future__ import annotations

import pyarrow as pa

from adtrace.synth import SynthConfig, describe_difficulty, difficulty_line, stock_phrase_overlap

KEYS = {
    "edit_rate",
    "no_selector_share",
    "stock_phrase_rate",
    "stock_phrase_overlap",
    "french_share",
    "independent_share",
}


def test_describe_difficulty_keys_and_ranges(ads: pa.Table) -> None:
    d = describe_difficulty(SynthConfig(), ads)
    assert set(d) == KEYS
    assert all(isinstance(v, float) for v in d.values())
    assert d["edit_rate"] == 0.1
    assert abs(d["french_share"] - 0.3) < 0.02
    assert abs(d["independent_share"] - 0.4) < 0.02
    assert 0.5 < d["stock_phrase_overlap"] <= 1.0


def test_describe_difficulty_generates_a_sample() -> None:
    d = describe_difficulty(SynthConfig(french_share=0.5))
    assert abs(d["french_share"] - 0.5) < 0.02


def test_more_stock_phrases_more_overlap() -> None:
    from adtrace.synth import generate_ads

    few = stock_phrase_overlap(generate_ads(1_500, 4, SynthConfig(stock_phrase_rate=0.0)))
    many = stock_phrase_overlap(generate_ads(1_500, 4, SynthConfig(stock_phrase_rate=4.0)))
    assert many > few + 0.3


def test_difficulty_line(ads: pa.Table) -> None:
    line = difficulty_line(SynthConfig(), ads)
    assert "\n" not in line
    for part in ("edit rate 0.10", "no shared selector 30%", "stock-phrase overlap", "French 30%"):
        assert part in line
