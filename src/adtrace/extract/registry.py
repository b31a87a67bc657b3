"""The extractors, by selector kind: one pure function per kind, all with one signature."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Protocol

from adtrace.extract.age import extract_ages
from adtrace.extract.email import extract_emails
from adtrace.extract.handles import extract_handles
from adtrace.extract.name import extract_names
from adtrace.extract.phone import extract_phones
from adtrace.extract.place import extract_places
from adtrace.extract.price import extract_prices
from adtrace.extract.spans import AGE, EMAIL, HANDLE, NAME, PHONE, PLACE, PRICE, URL, Span
from adtrace.extract.url import extract_urls


class Extractor(Protocol):
    """A pure function from one field's text to the selectors found in it."""

    def __call__(self, text: str, *, region: str = "CA") -> list[Span]: ...


EXTRACTORS: Final[Mapping[str, Extractor]] = MappingProxyType(
    {
        PHONE: extract_phones,
        EMAIL: extract_emails,
        HANDLE: extract_handles,
        URL: extract_urls,
        NAME: extract_names,
        AGE: extract_ages,
        PRICE: extract_prices,
        PLACE: extract_places,
    }
)
"""Kind → extractor, in the order :func:`adtrace.extract.extract_all` runs them."""
