"""Turn a raw input row into a stored ad, or a rejection that says which field is wrong and why."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from adtrace.ingest.mapping import CANONICAL_FIELDS, ColumnMap
from adtrace.ingest.records import RawRecord
from adtrace.ingest.times import DateOrder, TimeParseError, localize, parse_timestamp
from adtrace.model import AdRecord, Rejection

IdFrom = Literal["url", "content-hash"]
MAX_ID_CHARS = 500
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Fields stored verbatim as text: every canonical field but the key and the times.
TEXT_FIELDS = tuple(
    name for name in CANONICAL_FIELDS if name not in ("id", "site", "posted_at", "seen_at")
)
_HASHED_FIELDS = ("site", "id", "posted_at", *TEXT_FIELDS)


@dataclass(frozen=True, slots=True)
class RowRules:
    """How the rows of one file are read into ads (from the options and the file's columns).

    Attributes:
        source: the file as the user named it.
        columns: canonical field -> input column.
        site: the `--site` value, used when the file has no site column.
        id_from: derive the ad id from the URL or the content when the file has no id column.
        tz: `--tz`, the zone for times without one (before the city's zone).
        default_tz: the zone when neither the value, `--tz` nor the city gives one.
        date_format: `--date-format`, a strptime format used for every time column.
        date_orders: per time field, the day/month order inferred from the column's values.
        date_conflicts: time fields whose values vote for both orders.
        max_field_chars: longer values are rejected.
    """

    source: str
    columns: ColumnMap
    site: str | None = None
    id_from: IdFrom | None = None
    tz: str | None = None
    default_tz: str = "UTC"
    date_format: str | None = None
    date_orders: dict[str, DateOrder | None] = field(default_factory=dict)
    date_conflicts: frozenset[str] = frozenset()
    max_field_chars: int = 1_000_000


class RowError(ValueError):
    """A row's field cannot be used."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field_name = field_name
        self.reason = reason


def validate_record(raw: RawRecord, rules: RowRules) -> AdRecord | Rejection:
    """The ad in `raw`, or a rejection naming the first field at fault."""
    if raw.error is not None:
        return _reject(raw, raw.error_field or "row", raw.error)
    try:
        return _to_ad(raw, rules)
    except RowError as err:
        return _reject(raw, err.field_name, err.reason)


def storable(text: str) -> str:
    """`text` as any store can hold it: NUL and lone surrogates written as visible escapes."""
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _reject(raw: RawRecord, field_name: str, reason: str) -> Rejection:
    text = raw.raw if raw.raw is not None else json.dumps(raw.fields, ensure_ascii=False)
    return Rejection(
        storable(raw.source), raw.line, storable(field_name), storable(reason), storable(text)
    )


def _to_ad(raw: RawRecord, rules: RowRules) -> AdRecord:
    values = _mapped_values(raw, rules)
    _check_values(raw, rules)
    if not values.get("text") and not values.get("title"):
        raise RowError(rules.columns.source_of("text") or "text", "no text and no title")
    site = _site(values, rules)
    posted_at, posted_tz = _time(values, "posted_at", rules)
    seen_at, _ = _time(values, "seen_at", rules)
    extra = {
        name: value
        for name, value in raw.fields.items()
        if name not in rules.columns.fields.values()
    }
    content = _content_sha256(values, extra)
    return AdRecord(
        site=site,
        site_ad_id=_site_ad_id(values, rules),
        line=raw.line,
        content_sha256=content,
        url=values.get("url"),
        title=values.get("title"),
        text=values.get("text"),
        posted_at=posted_at,
        posted_at_raw=values.get("posted_at"),
        posted_at_tz=posted_tz,
        seen_at=seen_at,
        city=values.get("city"),
        region=values.get("region"),
        country=values.get("country"),
        age=_age(values.get("age")),
        age_raw=values.get("age"),
        price_raw=values.get("price"),
        phone_raw=values.get("phone"),
        email_raw=values.get("email"),
        extra=extra,
    )


def _mapped_values(raw: RawRecord, rules: RowRules) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for name, column in rules.columns.fields.items():
        value = raw.fields.get(column)
        values[name] = value if value is None or value.strip() else None
    return values


def _check_values(raw: RawRecord, rules: RowRules) -> None:
    """Reject values no store can hold faithfully (NUL, lone surrogates) or that are too long.

    One regex over all values at once: per-field checks cost more than the rest of validation.
    """
    present = [(column, value) for column, value in raw.fields.items() if value is not None]
    if max((len(value) for _, value in present), default=0) > rules.max_field_chars:
        column, value = next((c, v) for c, v in present if len(v) > rules.max_field_chars)
        raise RowError(
            column,
            f"value has {len(value):,} characters; the limit is "
            f"{rules.max_field_chars:,} (setting max_field_chars)",
        )
    if _UNSTORABLE.search("".join(raw.fields) + "".join(value for _, value in present)):
        for column in raw.fields:
            if _UNSTORABLE.search(column):
                raise RowError(
                    storable(column), "column name with a NUL or invalid Unicode character"
                )
        for column, value in present:
            found = _UNSTORABLE.search(value)
            if found is not None:
                what = (
                    "NUL character"
                    if found.group() == "\x00"
                    else "invalid Unicode (lone surrogate)"
                )
                raise RowError(column, f"{what} at character {found.start()} of the value")


def _site(values: dict[str, str | None], rules: RowRules) -> str:
    site = (values.get("site") or rules.site or _host(values.get("url")) or "").strip()
    if not site:
        raise RowError(rules.columns.source_of("site") or "site", "no site (give --site NAME)")
    if len(site) > 200:
        raise RowError(rules.columns.source_of("site") or "site", "site longer than 200 characters")
    return site


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url.strip()).hostname
    return host.removeprefix("www.") if host else None


def _site_ad_id(values: dict[str, str | None], rules: RowRules) -> str:
    column = rules.columns.source_of("id")
    if column is not None:
        ad_id = (values.get("id") or "").strip()
        if not ad_id:
            raise RowError(column, "empty id")
    elif rules.id_from == "url":
        column = rules.columns.source_of("url") or "url"
        ad_id = _canonical_url(values.get("url") or "")
        if not ad_id:
            raise RowError(column, "no URL to derive the id from (--id-from url)")
    else:
        column = "id"
        body = f"{values.get('title') or ''}\n{values.get('text') or ''}"
        ad_id = "sha256:" + hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    if len(ad_id) > MAX_ID_CHARS:
        raise RowError(column, f"id longer than {MAX_ID_CHARS} characters")
    return ad_id


def _canonical_url(url: str) -> str:
    """The URL without fragment or trailing slash, scheme and host lower-cased."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, "")
    )


def _time(
    values: dict[str, str | None], name: str, rules: RowRules
) -> tuple[datetime | None, str | None]:
    raw = values.get(name)
    if raw is None:
        return None, None
    column = rules.columns.source_of(name) or name
    order = rules.date_orders.get(name)
    try:
        moment = parse_timestamp(raw, date_order=order, date_format=rules.date_format)
    except TimeParseError as err:
        reason = str(err)
        if name in rules.date_conflicts and "ambiguous" in reason:
            reason += " (this column has both day-first and month-first values)"
        raise RowError(column, reason) from err
    return localize(
        moment,
        tz_option=rules.tz,
        city=values.get("city"),
        region=values.get("region"),
        default_tz=rules.default_tz,
    )


def _age(raw: str | None) -> int | None:
    """A stated age when the field is a plain whole number in a human range; else None."""
    if raw is None:
        return None
    digits = raw.strip()
    if digits.isdecimal() and digits.isascii() and 0 < int(digits) < 130:
        return int(digits)
    return None


def _content_sha256(values: dict[str, str | None], extra: dict[str, str | None]) -> str:
    """Hash of everything the ad says, but not when it was scraped, so a re-scrape is a sighting.

    Each value is length-prefixed ("-" for None), so different rows never give the same string.
    """
    parts = [_framed(values.get(name)) for name in _HASHED_FIELDS]
    for name in sorted(extra):
        parts.append(_framed(name))
        parts.append(_framed(extra[name]))
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _framed(value: str | None) -> str:
    return "-" if value is None else f"{len(value)}:{value}"
