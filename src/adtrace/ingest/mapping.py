"""Automatic column mapping: which input column holds each canonical ad field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CANONICAL_FIELDS: tuple[str, ...] = (
    "id",
    "site",
    "url",
    "title",
    "text",
    "posted_at",
    "seen_at",
    "city",
    "region",
    "country",
    "age",
    "price",
    "phone",
    "email",
)

# Column names seen in real exports, in priority order (the first one present wins). Compared after
# normalisation (``normalise_name``): case, accents, "u_" prefixes and punctuation don't matter.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("ad_id", "adid", "post_id", "postid", "listing_id", "u_Id"),
    "site": ("source", "domain", "website", "platform"),
    "url": ("link", "ad_url", "page_url", "href", "permalink"),
    "title": ("u_Title", "subject", "headline"),
    "text": (
        "description",
        "u_Description",
        "body",
        "content",
        "ad_text",
        "post_text",
        "message",
    ),
    "posted_at": (
        "date",
        "PostingDate",
        "post_date",
        "posted",
        "datetime",
        "timestamp",
        "created_at",
        "date_posted",
    ),
    "seen_at": ("scraped_at", "crawled_at", "collected_at", "fetched_at"),
    "city": ("location", "u_Location", "town", "ville"),
    "region": ("province", "state", "prov"),
    "country": ("pays",),
    "age": ("stated_age", "u_Age", "âge"),
    "price": ("rate", "rates", "u_Price", "prix", "tarif"),
    "phone": (
        "phones",
        "u_PhoneNumbers",
        "phone_number",
        "phonenumber",
        "tel",
        "telephone",
        "téléphone",
        "mobile",
    ),
    "email": ("e_mail", "emails", "courriel"),
}

_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise_name(name: str) -> str:
    """Comparison key of a column name: accents and case folded, ``u_`` prefix and punctuation gone.

    >>> normalise_name("u_PhoneNumbers"), normalise_name(" Téléphone "), normalise_name("E-mail")
    ('phonenumbers', 'telephone', 'email')
    """
    folded = unicodedata.normalize("NFKD", name.strip()).casefold()
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    if folded.startswith("u_"):
        folded = folded[2:]
    return _NOT_ALNUM.sub("", folded)


@dataclass(frozen=True)
class ColumnMap:
    """Canonical field -> source column.

    Attributes:
        fields: the mapped fields only; a field absent from the input is absent here.
    """

    fields: dict[str, str]

    def source_of(self, field: str) -> str | None:
        """The input column holding ``field``, or None when the input has none."""
        return self.fields.get(field)

    def describe(self) -> list[tuple[str, str]]:
        """(field, column) pairs in canonical order, for the ingest summary."""
        return [(name, self.fields[name]) for name in CANONICAL_FIELDS if name in self.fields]

    def unmapped(self, columns: Sequence[str]) -> list[str]:
        """Input columns that no field uses, in file order."""
        used = set(self.fields.values())
        return [column for column in columns if column not in used]


def auto_map(columns: Sequence[str], overrides: Mapping[str, str] | None = None) -> ColumnMap:
    """Map canonical fields to input columns by name.

    Overrides (``--map field=column``) are applied first. Then an exact canonical name wins over
    aliases, and aliases are tried in priority order; each column feeds at most one field, and among
    columns with the same normalised name the first in file order wins.

    Raises:
        ValueError: an override names an unknown field or a column the input does not have.
    """
    fields = _checked_overrides(columns, overrides or {})
    used = set(fields.values())
    by_key = _columns_by_key(columns)
    passes = (
        {name: (name,) for name in CANONICAL_FIELDS},
        {name: (name, *ALIASES[name]) for name in CANONICAL_FIELDS},
    )
    for candidates_by_field in passes:
        for name, candidates in candidates_by_field.items():
            if name in fields:
                continue
            found = _first_free(candidates, by_key, used)
            if found is not None:
                fields[name] = found
                used.add(found)
    return ColumnMap(fields)


def _columns_by_key(columns: Sequence[str]) -> dict[str, str]:
    """Normalised name -> column.

    A name that is already its key ("age") beats one that only normalises to it ("u_Age");
    otherwise the first in file order wins.
    """
    by_key: dict[str, str] = {}
    for column in columns:
        key = normalise_name(column)
        if key not in by_key or (_is_plain(column, key) and not _is_plain(by_key[key], key)):
            by_key[key] = column
    return by_key


def _is_plain(column: str, key: str) -> bool:
    return column.strip().casefold() == key


def _first_free(candidates: Sequence[str], by_key: Mapping[str, str], used: set[str]) -> str | None:
    for candidate in candidates:
        column = by_key.get(normalise_name(candidate))
        if column is not None and column not in used:
            return column
    return None


def _checked_overrides(columns: Sequence[str], overrides: Mapping[str, str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, column in overrides.items():
        if name not in CANONICAL_FIELDS:
            raise ValueError(
                f"unknown field {name!r} in --map; fields are: {', '.join(CANONICAL_FIELDS)}"
            )
        fields[name] = _find_column(name, column, columns)
    return fields


def _find_column(name: str, column: str, columns: Sequence[str]) -> str:
    """The column as written, else the only one with the same normalised name."""
    if column in columns:
        return column
    key = normalise_name(column)
    matches = [candidate for candidate in columns if normalise_name(candidate) == key]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(
        f"--map {name}={column}: no column {column!r} in the file; "
        f"columns are: {', '.join(columns)}"
    )


def parse_map_options(options: Sequence[str]) -> dict[str, str]:
    """Parse ``--map field=column`` options into {field: column}.

    Spaces around the field and the column are ignored; the column may itself contain ``=``.

    Raises:
        ValueError: an option is not ``field=column``, or names a field twice.
    """
    parsed: dict[str, str] = {}
    for option in options:
        name, equals, column = option.partition("=")
        name, column = name.strip(), column.strip()
        if not equals or not name or not column:
            raise ValueError(
                f"--map {option!r}: expected field=column, e.g. --map text=Description"
            )
        if name in parsed:
            raise ValueError(f"--map: field {name!r} given twice")
        parsed[name] = column
    return parsed
