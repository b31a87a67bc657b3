"""What every renderer shares: safe text for SVG and HTML, English and French words, dates.

Ad text is hostile input. Every string that reaches an SVG or an HTML fragment goes through
:func:`safe_text` (characters XML 1.0 forbids removed, then escaped) or
:func:`markupsafe.escape`; a renderer never builds markup from an unescaped value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final, Literal

from markupsafe import Markup, escape

Lang = Literal["en", "fr"]
LANGS: Final = ("en", "fr")

# Control characters, lone surrogates and U+FFFE/U+FFFF may not appear in XML 1.0 even escaped:
# one of them in an ad would make the whole SVG unreadable to an XML parser (and to PDF tools).
_XML_INVALID: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_MONTHS: Final = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ),
}


def check_lang(lang: str) -> Lang:
    """`lang` as a supported language code; raises ValueError for any other value."""
    if lang == "en":
        return "en"
    if lang == "fr":
        return "fr"
    raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")


def clean_text(value: object) -> str:
    """`value` as a string without the characters XML 1.0 forbids (not escaped)."""
    return _XML_INVALID.sub("", str(value))


def safe_text(value: object, *, limit: int | None = None) -> Markup:
    """`value` as escaped text for an SVG or HTML element or attribute.

    Args:
        value: any value; converted with str().
        limit: longest text kept, in characters; a longer one is cut and ends with "…".
    """
    text = clean_text(value)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return escape(text)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already (as the store keeps it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def month_name(month: int, lang: Lang) -> str:
    """Abbreviated month name (1 = January)."""
    return _MONTHS[lang][month - 1]


def format_day(moment: datetime, lang: Lang, *, year: bool = True) -> str:
    """A day as "Mar 12, 2024" / "12 mars 2024" (year optional)."""
    month = month_name(moment.month, lang)
    if lang == "fr":
        day = "1er" if moment.day == 1 else str(moment.day)
        return f"{day} {month} {moment.year}" if year else f"{day} {month}"
    return f"{month} {moment.day}, {moment.year}" if year else f"{month} {moment.day}"


def format_moment(moment: datetime, lang: Lang) -> str:
    """A day and time in UTC: "Mar 12, 2024 14:05 UTC" / "12 mars 2024 14 h 05 UTC"."""
    moment = as_utc(moment)
    clock = f"{moment.hour} h {moment.minute:02d}" if lang == "fr" else f"{moment:%H:%M}"
    return f"{format_day(moment, lang)} {clock} UTC"


def format_range(first: datetime, last: datetime, lang: Lang) -> str:
    """Two days as one range ("Mar 12 – 15, 2024" is not attempted: both days are written)."""
    a, b = format_day(as_utc(first), lang), format_day(as_utc(last), lang)
    return a if a == b else f"{a} – {b}"


def plural(count: int, one: str, many: str, lang: Lang) -> str:
    """`count` with its noun; French uses the singular for 0 and 1, English for 1 only."""
    singular = count in (0, 1) if lang == "fr" else count == 1
    return f"{count} {one if singular else many}"


def assemble(parts: Iterable[str]) -> Markup:
    """Join markup pieces into one Markup.

    Every renderer builds its pieces from constants and from values passed through
    :func:`safe_text` or :func:`markupsafe.escape`; this is the one place that marks the result
    safe, so a review of escaping starts here.
    """
    return Markup("".join(parts))  # noqa: S704 - pieces are escaped where they are built


def colon(lang: Lang) -> str:
    """A colon as each language writes it: French puts a non-breaking space before it."""
    return "\u00a0:" if lang == "fr" else ":"
