"""Automatic column mapping, --map overrides and their errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adtrace.ingest.mapping import (
    ALIASES,
    CANONICAL_FIELDS,
    ColumnMap,
    auto_map,
    normalise_name,
    parse_map_options,
)


def test_export_with_u_prefixed_columns() -> None:
    columns = [
        "u_Id",
        "u_Title",
        "u_Description",
        "u_Location",
        "u_Age",
        "u_Price",
        "u_PhoneNumbers",
        "PostingDate",
        "scraped_at",
        "Unrelated",
    ]
    mapping = auto_map(columns)
    assert mapping.fields == {
        "id": "u_Id",
        "title": "u_Title",
        "text": "u_Description",
        "city": "u_Location",
        "age": "u_Age",
        "price": "u_Price",
        "phone": "u_PhoneNumbers",
        "posted_at": "PostingDate",
        "seen_at": "scraped_at",
    }
    assert mapping.unmapped(columns) == ["Unrelated"]


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("Ad ID", "id"),
        ("listing-id", "id"),
        ("Platform", "site"),
        ("PERMALINK", "url"),
        ("Headline", "title"),
        ("Post Text", "text"),
        ("Date Posted", "posted_at"),
        ("crawled_at", "seen_at"),
        ("Ville", "city"),
        ("Prov", "region"),
        ("Pays", "country"),
        ("Âge", "age"),
        ("Tarif", "price"),
        ("Téléphone", "phone"),
        ("Courriel", "email"),
        ("E-mail", "email"),
    ],
)
def test_aliases(column: str, field: str) -> None:
    assert auto_map(["zzz", column]).source_of(field) == column


def test_every_alias_maps_to_its_field() -> None:
    for field, aliases in ALIASES.items():
        for alias in aliases:
            assert auto_map([alias]).fields == {field: alias}, alias


def test_exact_canonical_name_beats_aliases() -> None:
    mapping = auto_map(["date", "posted_at", "location", "city"])
    assert mapping.source_of("posted_at") == "posted_at"
    assert mapping.source_of("city") == "city"


def test_first_alias_in_priority_order_wins() -> None:
    assert auto_map(["message", "body", "description"]).source_of("text") == "description"
    assert auto_map(["Phone", "phone"]).source_of("phone") == "Phone"


def test_overrides_win_and_take_their_column() -> None:
    mapping = auto_map(["Description", "Notes", "Title"], {"text": "Notes", "title": "Description"})
    assert mapping.fields == {"text": "Notes", "title": "Description"}


def test_override_column_matched_loosely_when_unique() -> None:
    assert auto_map(["Ad Text"], {"text": "ad_text"}).source_of("text") == "Ad Text"


def test_override_unknown_field() -> None:
    with pytest.raises(ValueError, match="unknown field 'body' in --map; fields are: id, site"):
        auto_map(["a"], {"body": "a"})


def test_override_missing_column() -> None:
    with pytest.raises(ValueError) as caught:
        auto_map(["id", "Desc"], {"text": "Foo"})
    assert str(caught.value) == "--map text=Foo: no column 'Foo' in the file; columns are: id, Desc"


def test_describe_in_canonical_order() -> None:
    mapping = auto_map(["email", "text", "id"])
    assert mapping.describe() == [("id", "id"), ("text", "text"), ("email", "email")]
    assert mapping.source_of("phone") is None
    assert ColumnMap({}).describe() == []


def test_parse_map_options() -> None:
    assert parse_map_options(["text = Description", "title=A=B"]) == {
        "text": "Description",
        "title": "A=B",
    }


@pytest.mark.parametrize("option", ["text", "=Description", "text=", "  =  "])
def test_parse_map_options_bad_syntax(option: str) -> None:
    with pytest.raises(ValueError, match="expected field=column"):
        parse_map_options([option])


def test_parse_map_options_field_twice() -> None:
    with pytest.raises(ValueError, match="given twice"):
        parse_map_options(["text=a", "text=b"])


def test_normalise_name() -> None:
    assert normalise_name("u_PhoneNumbers") == "phonenumbers"
    assert normalise_name(" Téléphone ") == "telephone"
    assert normalise_name("posted-at") == normalise_name("Posted At") == "postedat"


_names = st.sampled_from(
    [alias for aliases in ALIASES.values() for alias in aliases] + list(CANONICAL_FIELDS)
) | st.text(max_size=12)


@given(columns=st.lists(_names, max_size=20, unique=True))
def test_each_column_feeds_at_most_one_field(columns: list[str]) -> None:
    mapping = auto_map(columns)
    used = list(mapping.fields.values())
    assert len(used) == len(set(used))
    assert set(used) <= set(columns)
    assert set(mapping.fields) <= set(CANONICAL_FIELDS)
    for field in CANONICAL_FIELDS:
        if field in columns:
            assert mapping.source_of(field) == field
