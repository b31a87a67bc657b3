"""Ad timestamps as sites and scrapers write them, in English and French, to UTC.

Handles ISO 8601, epoch seconds/milliseconds, numeric dates (``07/18/2017 2:29 PM``,
``18/07/2017 14:29``, ``2017/07/18``), and dates with month names in English and French,
abbreviated or not, with or without accents and dots (``Tue 18 Jul 2017 02:29 PM``,
``mar. 18 juil. 2017 14:29``, ``le 3 août 2017 à 9 h 05``). A numeric date whose day and month
are both 12 or less is ambiguous; ``DateOrderVote`` settles the order for a whole column from the
values that are not.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adtrace.ingest.zones import zone_for_place

DateOrder = Literal["DMY", "MDY"]

_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_YEAR_FIRST_DATE = re.compile(r"(?<!\d)(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})(?!\d)")
_EPOCH = re.compile(r"(?P<seconds>\d{9,10})(?:\.(?P<fraction>\d+))?|(?P<millis>\d{13})")
_ISO_START = re.compile(r"\d{4}-?\d{2}")
_DOTTED_AMPM = re.compile(r"(?<![a-z])([ap])\.\s?m(?![a-z])\.?")
_TOKEN = re.compile(r"[a-z]+|\d+")
_TIME = re.compile(
    r"(?<![\d:.])(?P<hour>\d{1,2})"
    r"(?:\s*:\s*(?P<minute>\d{2})(?:\s*:\s*(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"|\s*h\s*(?P<hminute>\d{2})?(?![a-z\d])"
    r"|(?=\s*[ap]m(?![a-z])))"
    r"(?:\s*(?P<ampm>[ap]m)(?![a-z]))?"
    r"(?:\s*(?P<zone>z|utc|gmt|[acemnp][sd]t)(?![a-z]))?"
    r"(?:\s*(?P<offset>[+-]\d{1,2}(?::?\d{2})?)(?!\d))?"
)
_TWO_DIGIT_YEAR_PIVOT = 70  # "17" -> 2017, "98" -> 1998

_MONTHS = {
    **dict.fromkeys(("jan", "january", "janv", "janvier"), 1),
    **dict.fromkeys(("feb", "february", "fev", "fevr", "fevrier"), 2),
    **dict.fromkeys(("mar", "march", "mars"), 3),
    **dict.fromkeys(("apr", "april", "avr", "avril"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("jun", "june", "juin"), 6),
    **dict.fromkeys(("jul", "july", "juil", "juillet"), 7),
    **dict.fromkeys(("aug", "august", "aout"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septembre"), 9),
    **dict.fromkeys(("oct", "october", "octobre"), 10),
    **dict.fromkeys(("nov", "november", "novembre"), 11),
    **dict.fromkeys(("dec", "december", "decembre"), 12),
}
_WEEKDAYS = frozenset(
    {
        *("mon", "monday", "tue", "tues", "tuesday", "wed", "weds", "wednesday", "thu", "thur"),
        *("thurs", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday"),
        *("lun", "lundi", "mar", "mardi", "mer", "mercredi", "jeu", "jeudi", "ven", "vendredi"),
        *("sam", "samedi", "dim", "dimanche"),
    }
)
# Words around dates ("le 3 août 2017 à 9 h 05", "posted on the 18th"), ordinal suffixes, ISO's T.
_FILLERS = frozenset(
    {
        *("le", "la", "l", "de", "du", "d", "a", "at", "on", "the", "of", "en", "t"),
        *("st", "nd", "rd", "th", "er", "re", "e", "eme", "posted", "publie", "publiee"),
    }
)
_ZONE_HOURS = {
    "z": 0.0,
    "utc": 0.0,
    "gmt": 0.0,
    "nst": -3.5,
    "ndt": -2.5,
    "ast": -4.0,
    "adt": -3.0,
    "est": -5.0,
    "edt": -4.0,
    "cst": -6.0,
    "cdt": -5.0,
    "mst": -7.0,
    "mdt": -6.0,
    "pst": -8.0,
    "pdt": -7.0,
}

MAX_TIMESTAMP_CHARS = 100
"""Longer values are not dates; refusing them early keeps the regexes linear and cheap."""

UNRECOGNISED = "unrecognised date format"
AMBIGUOUS = "ambiguous day/month order (both ≤ 12); pass --date-format"


class TimeParseError(ValueError):
    """A timestamp that cannot be read; ``reason`` is a short phrase for the reject message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DateOrderVote:
    """Votes on the day/month order of a column's numeric dates (``a/b/yyyy``, ``a-b-yyyy``...).

    A first part above 12 is a vote for DMY, a second part above 12 a vote for MDY; values where
    both are 12 or less, ISO dates and dates with month names do not vote. Cheap enough for every
    row of a large file: one regex search per value.
    """

    __slots__ = ("dmy", "mdy")

    def __init__(self) -> None:
        self.dmy = 0
        self.mdy = 0

    def add(self, raw: str) -> None:
        """Count the vote of one raw value, if it casts one."""
        match = _NUMERIC_DATE.search(raw, 0, MAX_TIMESTAMP_CHARS) if raw else None
        if match is None:
            return
        first, second = int(match[1]), int(match[3])
        if 12 < first <= 31 and second <= 12:
            self.dmy += 1
        elif 12 < second <= 31 and first <= 12:
            self.mdy += 1

    def result(self) -> DateOrder | None:
        """The winning order (majority when votes conflict); None with no decisive vote or a tie."""
        if self.dmy > self.mdy:
            return "DMY"
        if self.mdy > self.dmy:
            return "MDY"
        return None

    @property
    def conflict(self) -> bool:
        """True when both orders got votes (mixed sources, or a column that is not one format)."""
        return self.dmy > 0 and self.mdy > 0


@dataclass(frozen=True, slots=True)
class _Clock:
    """The time-of-day part of a value."""

    hour: int = 0
    minute: int = 0
    second: int = 0
    microsecond: int = 0
    tzinfo: dt.tzinfo | None = None


def parse_timestamp(
    raw: str, *, date_order: DateOrder | None, date_format: str | None = None
) -> dt.datetime:
    """Read one timestamp.

    Args:
        raw: the value as written.
        date_order: how to read numeric dates whose day and month are both 12 or less (from
            ``DateOrderVote``); None makes them an error rather than a guess.
        date_format: a ``strptime`` format used exclusively (``--date-format``).

    Returns:
        An aware datetime when the value carries an offset, ``Z``, a zone abbreviation or is an
        epoch (UTC); a naive one otherwise (see ``localize``).

    Raises:
        TimeParseError: the value cannot be read, is ambiguous, or names an impossible date.
    """
    text = raw.strip()
    if not text:
        raise TimeParseError("empty date")
    if len(text) > MAX_TIMESTAMP_CHARS:
        raise TimeParseError(f"{UNRECOGNISED} (longer than {MAX_TIMESTAMP_CHARS} characters)")
    if date_format is not None:
        return _parse_with_format(text, date_format)
    epoch = _EPOCH.fullmatch(text)
    if epoch is not None:
        return _from_epoch(epoch)
    if _ISO_START.match(text):
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass  # e.g. "2017-07-18 2:29 PM" or month 13: the general reader says which
    return _parse_loose(text, date_order)


def _parse_with_format(text: str, date_format: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, date_format)
    except ValueError:
        raise TimeParseError(f"does not match --date-format {date_format!r}") from None


def _from_epoch(match: re.Match[str]) -> dt.datetime:
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    try:
        if match["millis"] is not None:
            return epoch + dt.timedelta(milliseconds=int(match["millis"]))
        micros = int((match["fraction"] or "").ljust(6, "0")[:6])
        return epoch + dt.timedelta(seconds=int(match["seconds"]), microseconds=micros)
    except OverflowError:
        raise TimeParseError("invalid epoch time") from None


def _parse_loose(text: str, date_order: DateOrder | None) -> dt.datetime:
    folded = _fold(text)
    clock, rest = _take_clock(folded)
    year, month, day = _take_date(rest, date_order)
    return _build(year, month, day, clock)


def _fold(text: str) -> str:
    """Lower case, no accents, ``p.m.`` -> ``pm``, commas as spaces."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return _DOTTED_AMPM.sub(lambda match: f"{match[1]}m", folded).replace(",", " ")


def _take_clock(text: str) -> tuple[_Clock, str]:
    """Find the time of day; return it and the text without it (midnight when there is none)."""
    match = _TIME.search(text)
    if match is None:
        return _Clock(), text
    hour = _hour(int(match["hour"]), match["ampm"])
    minute = int(match["minute"] or match["hminute"] or 0)
    second = int(match["second"] or 0)
    micro = int((match["fraction"] or "").ljust(6, "0")[:6])
    if minute > 59 or second > 59:
        raise TimeParseError(f"invalid time ({match[0].strip()})")
    tzinfo = _tzinfo(match["zone"], match["offset"])
    rest = f"{text[: match.start()]} {text[match.end() :]}"
    return _Clock(hour, minute, second, micro, tzinfo), rest


def _hour(hour: int, ampm: str | None) -> int:
    if hour > 23:
        raise TimeParseError(f"invalid time (hour {hour})")
    if ampm is None or hour > 12:
        if ampm == "am":
            raise TimeParseError(f"invalid time ({hour} AM)")
        return hour  # "14:29 PM" is redundant, not wrong
    if hour == 0:
        return 0
    return hour % 12 + (12 if ampm == "pm" else 0)


def _tzinfo(zone: str | None, offset: str | None) -> dt.tzinfo | None:
    if offset is not None:
        sign = -1 if offset.startswith("-") else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = (
            (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        )
        if hours > 18 or minutes > 59:
            raise TimeParseError(f"invalid UTC offset ({offset})")
        return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    if zone is not None:
        return dt.timezone(dt.timedelta(hours=_ZONE_HOURS[zone]))
    return None


def _take_date(text: str, date_order: DateOrder | None) -> tuple[int, int, int]:
    """Year, month and day from what is left once the time is removed."""
    year_first = _YEAR_FIRST_DATE.search(text)
    if year_first is not None:
        _only_words(_cut(text, year_first))
        return int(year_first[1]), int(year_first[3]), int(year_first[4])
    numeric = _NUMERIC_DATE.search(text)
    if numeric is not None:
        _only_words(_cut(text, numeric))
        month, day = _day_month(int(numeric[1]), int(numeric[3]), date_order)
        return _full_year(numeric[4]), month, day
    return _named_month_date(text)


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


def _only_words(rest: str) -> None:
    """Around a numeric date only weekdays and filler words may remain."""
    for token in _TOKEN.findall(rest):
        if token not in _WEEKDAYS and token not in _FILLERS:
            raise TimeParseError(UNRECOGNISED)


def _day_month(first: int, second: int, date_order: DateOrder | None) -> tuple[int, int]:
    """(month, day) of a numeric date ``first/second/year``."""
    if first > 12 and second > 12:
        raise TimeParseError(f"invalid date ({first}/{second}: neither can be a month)")
    if first > 12 or (first != second and second <= 12 and date_order == "DMY"):
        return second, first
    if second > 12 or first == second or date_order == "MDY":
        return first, second
    raise TimeParseError(AMBIGUOUS)


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 4:
        return year
    return year + (2000 if year < _TWO_DIGIT_YEAR_PIVOT else 1900)


def _named_month_date(text: str) -> tuple[int, int, int]:
    """A date written with a month name: one month, one day (1-2 digits), one year (4 digits)."""
    months: list[str] = []
    days: list[int] = []
    years: list[int] = []
    for token in _TOKEN.findall(text):
        if token.isdigit():
            (years if len(token) == 4 else days).append(int(token))
        elif token in _MONTHS:
            months.append(token)
        elif token not in _WEEKDAYS and token not in _FILLERS:
            raise TimeParseError(UNRECOGNISED)
    if len(months) > 1 and "mar" in months:
        months.remove("mar")  # French "mar." is mardi (Tuesday) next to another month name
    if len(months) != 1 or len(days) != 1 or len(years) != 1 or days[0] > 99:
        raise TimeParseError(UNRECOGNISED)
    return years[0], _MONTHS[months[0]], days[0]


def _build(year: int, month: int, day: int, clock: _Clock) -> dt.datetime:
    if not 1 <= month <= 12:
        raise TimeParseError(f"invalid date (month {month})")
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise TimeParseError(f"invalid date (year {year})")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise TimeParseError(f"invalid date (day {day} in {year}-{month:02d})")
    return dt.datetime(
        year,
        month,
        day,
        clock.hour,
        clock.minute,
        clock.second,
        clock.microsecond,
        tzinfo=clock.tzinfo,
    )


def localize(
    moment: dt.datetime,
    *,
    tz_option: str | None,
    city: str | None,
    region: str | None,
    default_tz: str,
) -> tuple[dt.datetime, str]:
    """Convert a parsed timestamp to UTC, choosing the zone for a naive one.

    The zone comes from, in order: the value's own offset; ``--tz``; the ad's city (or its
    region when the city is unknown); ``default_tz``. Local times that fall in a DST gap or fold
    are resolved with ``fold=0``: a repeated time is the first occurrence (daylight time), a
    skipped one takes the offset in force before the change.

    Returns:
        (aware UTC datetime, source), source being ``offset``, ``option:<zone>``, ``city:<zone>``
        or ``default:<zone>``.

    Raises:
        ValueError: ``tz_option`` or ``default_tz`` is not a known IANA zone.
    """
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(dt.UTC), "offset"
    if tz_option:
        zone, source = tz_option, "option"
    else:
        place_zone = zone_for_place(city, region)
        zone, source = (place_zone, "city") if place_zone else (default_tz, "default")
    local = moment.replace(tzinfo=time_zone(zone), fold=0)
    return local.astimezone(dt.UTC), f"{source}:{zone}"


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``.

    Raises:
        ValueError: no such zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (expected an IANA name such as America/Toronto)"
        ) from None
