"""The one record every extractor returns: a selector found in a text, with its exact source span.

Kept deliberately small: the lead plans to move it into ``adtrace/model.py`` with the other shared
types, so it imports nothing from the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

PHONE: Final = "phone"
EMAIL: Final = "email"
HANDLE: Final = "handle"
URL: Final = "url"
NAME: Final = "name"
AGE: Final = "age"
PRICE: Final = "price"
PLACE: Final = "place"

KINDS: Final = (PHONE, EMAIL, HANDLE, URL, NAME, AGE, PRICE, PLACE)


@dataclass(frozen=True, slots=True)
class Span:
    """A selector found in one field of an ad.

    Attributes:
        kind: one of ``KINDS``.
        value: the normalised value: E.164 for phones, lower-case address for e-mails, lower-case
            user name for handles (E.164 for WhatsApp), ``host/path`` for URLs, the name as written
            with an initial capital, the age as an int, the amount as a float, the place label
            (``"Montréal, QC"``, or a province code such as ``"QC"``).
        start: first character of the evidence in the ORIGINAL field text.
        end: one past the last character (``text[start:end]`` is the evidence).
        confidence: in [0, 1]; callers usually keep spans at or above 0.5.
        field: which field of the ad the offsets refer to (``"text"`` or ``"title"``).
        platform: handles only: snapchat, instagram, telegram, whatsapp, kik, onlyfans, twitter.
        currency: prices only: ISO code (CAD, USD, EUR, ...) or ``"roses"`` (ad slang, flagged).
        minutes: prices only: the duration the price is for, None when not stated.
        region: phones and places: province or territory code (from the area code for phones).
        obfuscated: phones only: the number was written with words, look-alike letters, keycaps
            or non-ASCII digits (risk indicator A07).
    """

    kind: str
    value: str | int | float
    start: int
    end: int
    confidence: float
    field: str = "text"
    platform: str | None = None
    currency: str | None = None
    minutes: int | None = None
    region: str | None = None
    obfuscated: bool = False

    def in_field(self, field: str) -> Span:
        """Return a copy of this span attributed to ``field``."""
        # The constructor directly: dataclasses.replace costs several times more.
        return Span(
            self.kind,
            self.value,
            self.start,
            self.end,
            self.confidence,
            field,
            self.platform,
            self.currency,
            self.minutes,
            self.region,
            self.obfuscated,
        )

    def shifted(self, offset: int) -> Span:
        """Return a copy with offsets moved by ``offset`` (for spans found in a substring)."""
        return replace(self, start=self.start + offset, end=self.end + offset)


Selector = Span
"""Alias: the project's issues call the same record a selector."""
