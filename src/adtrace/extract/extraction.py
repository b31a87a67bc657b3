"""All selectors of one ad, from its title and text, and their JSON form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from adtrace.extract.language import ad_language
from adtrace.extract.registry import EXTRACTORS
from adtrace.extract.spans import AGE, EMAIL, HANDLE, NAME, PHONE, PLACE, PRICE, URL, Span

MIN_CONFIDENCE: Final = 0.5
"""Default cut-off: spans below it are dropped. Lower it to review doubtful finds (ambiguous
place names, unknown persona names), at the price of more noise."""

JSON_KEYS: Final = ("phones", "emails", "handles", "urls", "names", "ages", "prices", "places")
_KIND_OF_KEY: Final = dict(
    zip(JSON_KEYS, (PHONE, EMAIL, HANDLE, URL, NAME, AGE, PRICE, PLACE), strict=True)
)
_KEY_OF_KIND: Final = {kind: key for key, kind in _KIND_OF_KEY.items()}


@dataclass(frozen=True, slots=True)
class Extraction:
    """Every selector span found in one ad, grouped by kind, and the ad's language.

    Spans keep their ``field`` (``"title"`` or ``"text"``) so offsets can be highlighted; title
    spans come first. :meth:`to_json` gives the de-duplicated values the CLI writes.
    """

    phones: tuple[Span, ...] = ()
    emails: tuple[Span, ...] = ()
    handles: tuple[Span, ...] = ()
    urls: tuple[Span, ...] = ()
    names: tuple[Span, ...] = ()
    ages: tuple[Span, ...] = ()
    prices: tuple[Span, ...] = ()
    places: tuple[Span, ...] = ()
    language: str = "und"

    def spans(self) -> tuple[Span, ...]:
        """All spans, kind by kind."""
        return tuple(span for key in JSON_KEYS for span in getattr(self, key))

    def to_json(self) -> dict[str, Any]:
        """The ad's selectors as JSON-able values (the caller adds ``id``).

        Keys, in order: ``phones`` (E.164), ``emails``, ``handles`` ([{platform, value}]),
        ``urls``, ``names``, ``ages``, ``prices`` ([{value, currency, minutes}]), ``places``,
        ``language``. Lists keep first-seen order without duplicates.
        """
        out: dict[str, Any] = {
            key: _unique(_json_value(s) for s in getattr(self, key)) for key in JSON_KEYS
        }
        out["language"] = self.language
        return out


def _json_value(span: Span) -> Any:
    if span.kind == HANDLE:
        return {"platform": span.platform, "value": span.value}
    if span.kind == PRICE:
        value = span.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return {"value": value, "currency": span.currency, "minutes": span.minutes}
    return span.value


def _unique(values: Any) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def from_spans(spans: Iterable[Span], language: str = "und") -> Extraction:
    """The extraction made of `spans` (as `Extraction.spans` gives them, or as stored): grouped
    by kind, in the order given, so an extraction read back from the store scores the same."""
    found: dict[str, list[Span]] = {key: [] for key in JSON_KEYS}
    for span in spans:
        found[_KEY_OF_KIND[span.kind]].append(span)
    return Extraction(**{key: tuple(group) for key, group in found.items()}, language=language)


def extract_all(
    text: str,
    title: str | None = None,
    *,
    region: str = "CA",
    min_confidence: float = MIN_CONFIDENCE,
) -> Extraction:
    """Run every extractor on an ad's title and text.

    Args:
        text: the ad's body.
        title: the ad's title, if any; its spans are marked ``field="title"``.
        region: ISO 3166 region for phone numbers without ``+`` and for ``$`` (default Canada).
        min_confidence: spans below this are dropped (see :data:`MIN_CONFIDENCE`).

    Returns:
        The spans by kind and the language of title and text together.
    """
    found: dict[str, list[Span]] = {key: [] for key in JSON_KEYS}
    for field, value in (("title", title), ("text", text)):
        if not value:
            continue
        for key in JSON_KEYS:
            extractor = EXTRACTORS[_KIND_OF_KEY[key]]
            spans = [s for s in extractor(value, region=region) if s.confidence >= min_confidence]
            found[key] += [s.in_field(field) for s in spans] if field != "text" else spans
    language = ad_language(text, title)
    return Extraction(**{key: tuple(spans) for key, spans in found.items()}, language=language)
