"""generate_ads: determinism, schema, ids, ground truth, languages, times, knobs."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from adtrace.synth import COLUMNS, SCHEMA, SynthConfig, generate_ads
from adtrace.synth import generate as generate_module
from adtrace.synth import plan as plan_module
from adtrace.synth.places import REGION_ZONES


def test_same_seed_same_table() -> None:
    assert generate_ads(800, seed=3).equals(generate_ads(800, seed=3))


def test_other_seed_other_table() -> None:
    first, second = generate_ads(800, seed=3), generate_ads(800, seed=4)
    assert first.column("text").to_pylist() != second.column("text").to_pylist()


def test_forked_workers_give_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate_module, "CHUNK_ADS", 300)
    monkeypatch.setattr(generate_module, "BLOCK_ADS", 500)
    monkeypatch.setattr(plan_module, "BLOCK_ADS", 500)
    serial = generate_ads(1_200, seed=5, workers=1)
    forked = generate_ads(1_200, seed=5, workers=2)
    assert serial.equals(forked)
    _assert_posting_order(forked)
    assert (
        len(set(zip(*(forked.column(c).to_pylist() for c in ("site", "id")), strict=True))) == 1_200
    )


def test_columns_are_strings_without_nulls(ads: pa.Table) -> None:
    assert ads.schema.equals(SCHEMA)
    assert tuple(ads.column_names) == COLUMNS
    assert ads.num_rows == 3_000
    for name in COLUMNS:
        assert ads.column(name).null_count == 0, name


def test_empty_and_tiny_corpora() -> None:
    assert generate_ads(0, seed=1).schema.equals(SCHEMA)
    assert generate_ads(0, seed=1).num_rows == 0
    assert generate_ads(1, seed=1).num_rows == 1
    with pytest.raises(ValueError, match="n_ads"):
        generate_ads(-1, seed=1)


def test_ids_unique_per_site(rows: list[dict[str, str]]) -> None:
    keys = [(r["site"], r["id"]) for r in rows]
    assert len(set(keys)) == len(keys)
    assert all(r["id"] in r["url"] and r["site"] in r["url"] for r in rows)
    assert {r["site"] for r in rows} == {f"site-{c}.example" for c in "abcdef"}


def test_ground_truth_ids(rows: list[dict[str, str]]) -> None:
    for r in rows:
        owner, template = r["operator_id"], r["template_id"]
        if owner.startswith("op"):
            assert re.fullmatch(r"op\d{6}", owner)
            assert re.fullmatch(rf"{owner}-t[123]-{r['language']}", template)
        else:
            assert re.fullmatch(r"ind\d{6}", owner)
            assert template == ""
    independents = [r for r in rows if r["operator_id"].startswith("ind")]
    assert abs(len(independents) / len(rows) - 0.4) < 0.01


def test_operators_post_many_ads_under_several_personas(rows: list[dict[str, str]]) -> None:
    by_operator: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        by_operator[r["operator_id"]].append(r)
    operators = [ads for key, ads in by_operator.items() if key.startswith("op")]
    independents = [ads for key, ads in by_operator.items() if key.startswith("ind")]
    assert sum(len(a) for a in operators) / len(operators) > 20
    assert sum(len(a) for a in independents) / len(independents) < 5
    assert sum(len({r["persona"] for r in a}) >= 2 for a in operators) / len(operators) > 0.8
    assert any(len({r["city"] for r in a}) >= 2 for a in operators)
    assert all(len({r["site"] for r in a}) >= 2 for a in operators if len(a) >= 20)


def test_operator_personas_state_ages_19_to_29(rows: list[dict[str, str]]) -> None:
    ages = {int(r["age"]) for r in rows if r["operator_id"].startswith("op") and r["age"]}
    assert min(ages) >= 19
    assert max(ages) <= 29


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_french_share_follows_config(share: float) -> None:
    table = generate_ads(1_000, seed=8, config=SynthConfig(french_share=share))
    languages = table.column("language").to_pylist()
    assert set(languages) <= {"en", "fr"}
    assert abs(languages.count("fr") / len(languages) - share) < 0.02


def test_french_ads_read_as_quebec_french(rows: list[dict[str, str]]) -> None:
    french = [r for r in rows if r["language"] == "fr"]
    text = " ".join(r["text"] for r in french)
    assert re.search(r"[éèàç]", text)
    assert any(w in text for w in ("disponible", "appelle", "Appelle", "Texte-moi"))
    quebec = sum(r["region"] == "QC" for r in french) / len(french)
    assert quebec > sum(r["region"] == "QC" for r in rows) / len(rows)


def _assert_real_local_times(rows: list[dict[str, str]], start: date, days: int) -> None:
    for r in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d", r["posted_at"])
        stamp = datetime.fromisoformat(r["posted_at"])
        assert start <= stamp.date() < start + timedelta(days=days + 1)
        local = stamp.astimezone(ZoneInfo(REGION_ZONES[r["region"]]))
        assert local.replace(tzinfo=None) == stamp.replace(tzinfo=None), r["posted_at"]
        assert local.utcoffset() == stamp.utcoffset(), r["posted_at"]


def test_posted_at_is_real_local_time_with_offset(rows: list[dict[str, str]]) -> None:
    _assert_real_local_times(rows, date(2024, 1, 1), 366)


@pytest.mark.parametrize("start", [date(2024, 3, 9), date(2024, 11, 2)])
def test_posted_at_across_dst_changes(start: date) -> None:
    table = generate_ads(1_500, seed=6, config=SynthConfig(start=start, days=2))
    _assert_real_local_times(table.to_pylist(), start, 2)


def _assert_posting_order(table: pa.Table) -> None:
    stamps = [datetime.fromisoformat(s) for s in table.column("posted_at").to_pylist()]
    assert all(a <= b for a, b in pairwise(stamps))


def test_rows_in_posting_order(ads: pa.Table) -> None:
    _assert_posting_order(ads)


def test_sites_add_boilerplate(rows: list[dict[str, str]]) -> None:
    on_a = [r["text"] for r in rows if r["site"] == "site-a.example"]
    assert all("site-a.example" in text for text in on_a)


def test_cities_knob_restricts_places() -> None:
    table = generate_ads(500, seed=2, config=SynthConfig(cities=("montreal", "laval")))
    assert set(table.column("city").to_pylist()) <= {"Montréal", "Laval"}
    assert set(table.column("region").to_pylist()) == {"QC"}


def test_config_rejects_bad_knobs() -> None:
    with pytest.raises(ValueError, match="edit_rate"):
        SynthConfig(edit_rate=1.5)
    with pytest.raises(ValueError, match="atlantis"):
        SynthConfig(cities=("atlantis",))
    with pytest.raises(ValueError, match="n_sites"):
        SynthConfig(n_sites=0)


def _words(text: str) -> set[str]:
    body = text.split("\n")
    return set(" ".join(body[1:-1] if len(body) > 2 else body[:-1]).lower().split())


def _copy_similarity(table: pa.Table) -> float:
    """Mean Jaccard similarity of word sets between ads of the same template and persona."""
    groups: dict[tuple[str, str], list[set[str]]] = defaultdict(list)
    for r in table.to_pylist():
        if r["template_id"]:
            groups[(r["template_id"], r["persona"])].append(_words(r["text"]))
    scores = [len(a & b) / len(a | b) for g in groups.values() for a, b in pairwise(g)]
    return sum(scores) / len(scores)


def test_edit_rate_makes_copies_differ() -> None:
    calm = _copy_similarity(generate_ads(1_500, seed=9, config=SynthConfig(edit_rate=0.0)))
    noisy = _copy_similarity(generate_ads(1_500, seed=9, config=SynthConfig(edit_rate=0.3)))
    assert calm > 0.8
    assert noisy < calm - 0.1


def test_site_pages_show_date_city_and_id(rows: list[dict[str, str]]) -> None:
    for r in rows:
        if r["site"] in ("site-e.example", "site-f.example"):
            assert r["posted_at"][:10] in r["text"]
        if r["site"] == "site-b.example":
            assert f"› {r['city']} › " in r["text"]
            assert r["id"] in r["text"]


def test_persona_names_distinct_within_an_operator(all_operators_silent: pa.Table) -> None:
    phones_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in all_operators_silent.to_pylist():
        if r["operator_id"].startswith("op") and r["phone_e164"]:
            phones_of[(r["operator_id"], r["persona"])].add(r["phone_e164"])
    assert all(len(phones) == 1 for phones in phones_of.values())
