"""Lexicon and weights files: validation errors name file, line and field; matching properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adtrace.extract.normalise import fold
from adtrace.indicators import DataFileError, catalogue, default_lexicon, load_lexicon, load_weights
from adtrace.indicators.lexicon import lexicon_with

HEADER = "indicator,lang,kind,pattern,tag,strength\n"


def _lexicon(tmp_path: Path, rows: str, name: str = "terms.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "line", "field", "words"),
    [
        ("A01,en,phrase,young,,strong\nA99,en,phrase,x,,strong\n", 3, "indicator", "unknown"),
        ("C01,en,phrase,x,,strong\n", 2, "indicator", "not an ad-level"),
        ("A01,de,phrase,jung,,strong\n", 2, "lang", "must be one of"),
        ("A01,en,word,young,,strong\n", 2, "kind", "must be one of"),
        ("A01,en,phrase,young,,maybe\n", 2, "strength", "must be one of"),
        ("A01,en,phrase,,,strong\n", 2, "pattern", "empty"),
        ("A01,en,phrase,!!!,,strong\n", 2, "pattern", "no letter"),
        ('A12,en,regex,"room (#",room,strong\n', 2, "pattern", "missing"),
        ("A12,en,regex,a*,room,strong\n", 2, "pattern", "empty string"),
        ("A12,en,regex,room \\d+,,strong\n", 2, "tag", "regex entry"),
        ("A02,any,emoji,🍒,sweet,strong\n", 2, "tag", "youth"),
        ("A02,any,emoji,abc,youth,strong\n", 2, "pattern", "emoji"),
        ("A12,en,regex,exit \\d{1,3},exit,strong\n", 2, "pattern", "too many fields"),
        ("A01,en,phrase,young,,strong\nA01,en,phrase,young,,weak\n", 3, "pattern", "line 2"),
    ],
)
def test_bad_entries_name_file_line_and_field(
    tmp_path: Path, rows: str, line: int, field: str, words: str
) -> None:
    path = _lexicon(tmp_path, rows)
    with pytest.raises(DataFileError) as caught:
        load_lexicon([path])
    problem = caught.value
    assert (problem.source, problem.line, problem.field) == ("terms.csv", line, field)
    assert words in str(problem) and f"terms.csv, line {line}, field '{field}'" in str(problem)


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text("indicator,lang,kind,pattern\nA01,en,phrase,young\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="line 1, field 'tag'"):
        load_lexicon([path])


def test_shipped_lexicon_loads_and_covers_every_lexicon_indicator() -> None:
    lexicon = default_lexicon()
    langs = {(e.indicator, e.lang) for e in lexicon.entries}
    for indicator in ("A01", "A04", "A05", "A06", "A08", "A09", "A10", "A11", "A12"):
        assert (indicator, "en") in langs and (indicator, "fr") in langs
    for indicator in ("A13", "A14", "A15", "A16", "A17", "A18", "A19"):
        assert (indicator, "en") in langs and (indicator, "fr") in langs


def test_analyst_terms_and_comments_through_the_weights_file(tmp_path: Path) -> None:
    _lexicon(tmp_path, "# local slang\nA18,fr,phrase,mon pimp,,strong\n", "ours.csv")
    weights = tmp_path / "weights.toml"
    weights.write_text('[lexicon]\nfiles = ["ours.csv"]\n[tiers]\nO = 0.75\n', encoding="utf-8")
    loaded = load_weights(weights)
    assert loaded.tiers["O"] == 0.75 and loaded.tiers["V"] == 1.0
    lexicon = lexicon_with(loaded.lexicon_files)
    hits = lexicon.find_all(fold("Textez MON PIMP"))
    assert [h.entry.source for h in hits["A18"]] == ["ours.csv"]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("[tiers]\nV = -1\n", 2, "tiers.V", "0 or more"),
        ("[tiers]\n\nX = 0.5\n", 3, "tiers.X", "stays 0"),
        ("[indicators]\nA10 = 1.0\n", 2, "indicators.A10", "never scored"),
        ("[indicators]\nA04 = 2\n", 2, "indicators.A04", "never scored"),
        ("[indicators]\nZ01 = 1\n", 2, "indicators.Z01", "unknown indicator"),
        ("[cluster]\nagreemnt = 1\n", 2, "cluster.agreemnt", "unknown key"),
        ("[colours]\nred = 1\n", 1, "colours", "unknown section"),
        ('[ad]\nrepeat_share = "a lot"\n', 2, "ad.repeat_share", "number"),
        ("[ad\n", 1, "toml", "line 1"),
    ],
)
def test_bad_weights_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, words: str
) -> None:
    path = tmp_path / "w.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_weights(path)
    assert (caught.value.line, caught.value.field) == (line, field)
    assert words in str(caught.value) and str(path) in str(caught.value)


def test_catalogue_has_the_forty_indicators_in_both_languages() -> None:
    found = catalogue()
    expected = (
        [f"A{n:02d}" for n in range(1, 20)]
        + [f"C{n:02d}" for n in range(1, 14)]
        + [f"T{n:02d}" for n in range(1, 9)]
    )
    assert list(found) == expected
    for item in found.values():
        assert item.name_en and item.name_fr and item.description_fr
        assert item.name_fr != item.name_en
        assert item.computed or item.why_not
    assert found["A04"].tier == "escalate"
    assert {i.id for i in found.values() if not i.computed} == {
        "C07",
        "C11",
        *(f"T{n:02d}" for n in range(1, 9)),
    }


_PHRASES = st.sampled_from(["barely legal", "toute jeune", "pas d'arnaque", "incall only"])


@given(
    phrase=_PHRASES,
    upper=st.booleans(),
    left=st.sampled_from(["", "Hi ", "Salut, ", "xx\n"]),
    right=st.sampled_from(["", " now", "!", ", ok"]),
)
def test_matches_survive_case_and_keep_original_offsets(
    phrase: str, upper: bool, left: str, right: str
) -> None:
    shown = phrase.upper() if upper else phrase
    text = left + shown + right
    hits = [h for found in default_lexicon().find_all(fold(text)).values() for h in found]
    assert any(text[h.start : h.end] == shown for h in hits)


@given(glued=st.sampled_from(["x", "9", "é", "_"]), phrase=_PHRASES)
def test_no_match_inside_a_longer_word(glued: str, phrase: str) -> None:
    text = glued + phrase.replace(" ", "") + glued
    hits = [h for found in default_lexicon().find_all(fold(text)).values() for h in found]
    assert hits == []


def test_geography_files_load_and_bad_values_name_file_line_and_field() -> None:
    from adtrace.indicators import geography

    assert len(geography.corridors()) >= 7 and len(geography.events()) >= 10
    assert all(geography.resolve_city(c) for k in geography.corridors() for c in k.cities)
    with pytest.raises(DataFileError, match=r"events.csv, line 4, field 'start'"):
        geography._parsed("events.csv", 4, {"start": "02-29"}, "start", geography._month_day)
    with pytest.raises(DataFileError, match=r"corridors.csv, line 2, field 'city'"):
        geography._parsed("corridors.csv", 2, {"city": "Atlantis"}, "city", geography._known_city)
    with pytest.raises(DataFileError, match=r"cities.csv, line 9, field 'lat'"):
        geography._parsed("cities.csv", 9, {"lat": "north"}, "lat", float)
