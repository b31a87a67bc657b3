"""Search: folding, the term index, and the same hits on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from adtrace.pipeline import IngestOptions, extract_store, ingest_file
from adtrace.store.engine import open_store
from adtrace.store.schema import ad_versions, ads, search_terms, selectors
from adtrace.store.search_index import (
    ad_terms,
    fold,
    index_ads,
    index_pending,
    prefix_bounds,
    words,
)
from adtrace.synth import generate_ads, write_ads
from adtrace.web.search import QueryProblem, SearchQuery, read_phones, run_search
from tests.postgres import create_database

FOLDING = [
    ("montreal-1", "Soirée à Montréal", "Zoé vous attend, 24h/24", "Montréal"),
    ("montreal-2", "MONTREAL NIGHTS", "ZOE is waiting; straße; ÉTÉ", "montreal"),
    ("montreal-3", "Montréal-Nord", "Ça va? cafe CAFÉ café", "Montréal-Nord"),
    ("quebec-1", "Québec", "Chloë and Zoë, Œuvre, ﬁne", "Québec"),
    ("other-1", "Nothing here", "Mont Tremblant weekend", "Mont-Tremblant"),
]
QUERIES = [
    SearchQuery(text="montreal"),
    SearchQuery(text="MONTRÉAL"),
    SearchQuery(text="mont"),
    SearchQuery(text="zoe"),
    SearchQuery(text="Zoé"),
    SearchQuery(text="cafe"),
    SearchQuery(text="strasse"),
    SearchQuery(text="oeuvre"),
    SearchQuery(text="fine"),
    SearchQuery(text="ete montreal"),
    SearchQuery(city="montreal"),
    SearchQuery(city="mont"),
    SearchQuery(text="waiting", city="montreal"),
    SearchQuery(text="real pics"),
    SearchQuery(text="quality time"),
    SearchQuery(text="nothingmatchesthis"),
    SearchQuery(name="zoe"),
    SearchQuery(site="folding.example"),
]


def test_fold_drops_case_and_accents() -> None:
    assert fold("Montréal ÉTÉ Zoë Ça") == "montreal ete zoe ca"
    assert words("Montréal-Nord, 24h/24 straße_x") == [
        "montreal",
        "nord",
        "24h",
        "24",
        "strasse",
        "x",
    ]
    assert ad_terms("Hi", "there", "Trois-Rivières", ["Zoé"]) == {
        "hi",
        "there",
        "city:trois",
        "city:rivieres",
        "name:zoe",
    }


def test_prefix_bounds_cover_exactly_the_prefix() -> None:
    low, high = prefix_bounds("mont")
    inside = ["mont", "montreal", "mont\uffff", "montz"]
    outside = ["mons", "monu", "mon", "montr"[:3]]
    assert all(low <= t < high for t in inside)
    assert not any(low <= t < high for t in outside)


@given(st.text(max_size=40))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert words(fold(text)) == words(text)


def test_phones_are_read_in_any_written_form() -> None:
    assert read_phones("4I6 555 0I23") == ["+14165550123"]
    assert read_phones("four one six, 555.0123") == ["+14165550123"]
    with pytest.raises(QueryProblem, match="no phone number could be read"):
        read_phones("call me")


def build(url: str, folder: Path) -> Engine:
    """A small store: 120 synthetic ads and the folding cases, extracted and indexed."""
    engine = open_store(url)
    write_ads(generate_ads(120, 3, workers=1), folder / "synthetic.csv")
    ingest_file(engine, folder / "synthetic.csv", IngestOptions())
    with (folder / "folding.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "id", "title", "text", "city", "posted_at"])
        for row in FOLDING:
            writer.writerow(["folding.example", *row, "2024-05-01T12:00:00Z"])
    ingest_file(engine, folder / "folding.csv", IngestOptions())
    extract_store(engine, workers=1)
    assert index_pending(engine) == 125
    assert index_pending(engine) == 0
    return engine


def all_hits(engine: Engine, query: SearchQuery) -> set[tuple[str, str]]:
    """Every hit of `query` over all pages, as (site, site ad id)."""
    keys: set[tuple[str, str]] = set()
    page = 1
    with engine.connect() as conn:
        while True:
            found = run_search(conn, replace(query, page=page, per_page=100))
            rows = conn.execute(
                select(ads.c.site, ads.c.site_ad_id).where(ads.c.ad_id.in_(found.ad_ids))
            ).all()
            keys |= {(r.site, r.site_ad_id) for r in rows}
            if page * 100 >= found.total:
                return keys
            page += 1


def reference(engine: Engine, query: SearchQuery) -> set[tuple[str, str]]:
    """The hits computed in Python from the stored terms: word or prefix match, all criteria."""
    with engine.connect() as conn:
        terms: dict[int, set[str]] = {}
        for term, ad_id in conn.execute(select(search_terms.c.term, search_terms.c.ad_id)):
            terms.setdefault(ad_id, set()).add(term)
        sites = dict(conn.execute(select(ads.c.ad_id, ads.c.site)).all())
        keys = dict(conn.execute(select(ads.c.ad_id, ads.c.site_ad_id)).all())
    wanted = (
        words(query.text)
        + [f"name:{w}" for w in words(query.name)]
        + [f"city:{w}" for w in words(query.city)]
    )
    return {
        (sites[ad], keys[ad])
        for ad, have in terms.items()
        if all(any(t.startswith(w) for t in have) for w in wanted)
        and (not query.site or sites[ad] == query.site)
    }


def test_hits_are_word_and_prefix_matches_on_both_stores(store_url: str, tmp_path: Path) -> None:
    engine = build(store_url, tmp_path)
    for query in QUERIES:
        assert all_hits(engine, query) == reference(engine, query), query
    folded = {q.text: all_hits(engine, q) for q in QUERIES if q.text}
    assert folded["montreal"] == folded["MONTRÉAL"]
    assert {k for _, k in folded["montreal"]} >= {"montreal-1", "montreal-2", "montreal-3"}
    assert {k for _, k in folded["mont"]} >= {"montreal-1", "other-1"}
    assert {k for _, k in folded["strasse"]} == {"montreal-2"}
    assert {k for _, k in folded["cafe"]} == {"montreal-3"}
    assert {k for _, k in folded["oeuvre"]} == {k for _, k in folded["fine"]} == {"quebec-1"}
    assert folded["nothingmatchesthis"] == set()
    assert len(folded["real pics"]) > 5


@pytest.mark.postgresql
def test_sqlite_and_postgresql_give_the_same_hits(postgres_url: str, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    lite = build(f"sqlite:///{tmp_path / 'a' / 'store.db'}", tmp_path / "a")
    pg = build(create_database(postgres_url), tmp_path / "b")
    for query in QUERIES:
        assert all_hits(lite, query) == all_hits(pg, query), query


def test_phone_email_handle_search_use_the_selectors(store_url: str, tmp_path: Path) -> None:
    engine = build(store_url, tmp_path)
    with engine.connect() as conn:
        rows = conn.execute(
            select(selectors.c.kind, selectors.c.value, ad_versions.c.ad_id).join(
                ad_versions, ad_versions.c.version_id == selectors.c.version_id
            )
        ).all()
        for kind in ("phone", "email", "handle"):
            value = next(r.value for r in rows if r.kind == kind)
            expected = {r.ad_id for r in rows if r.kind == kind and r.value == value}
            written = value if kind != "handle" else "@" + value.upper()
            found = run_search(conn, SearchQuery(per_page=100, **{kind: written}))
            assert set(found.ad_ids) == expected, kind


def test_reindexing_an_ad_replaces_its_terms(store_url: str, tmp_path: Path) -> None:
    engine = build(store_url, tmp_path)
    with engine.begin() as conn:
        ad_id = conn.execute(select(ads.c.ad_id).where(ads.c.site_ad_id == "quebec-1")).scalar_one()
        before = conn.execute(
            select(search_terms.c.term).where(search_terms.c.ad_id == ad_id)
        ).all()
        index_ads(conn, [ad_id])
        after = conn.execute(select(search_terms.c.term).where(search_terms.c.ad_id == ad_id)).all()
    assert sorted(before) == sorted(after) and ("oeuvre",) in after and ("fine",) in after
