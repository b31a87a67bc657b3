"""Timestamp parsing (English and French), day/month order votes, and conversion to UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adtrace.ingest.times import (
    AMBIGUOUS,
    DateOrder,
    DateOrderVote,
    TimeParseError,
    localize,
    parse_timestamp,
)

UTC = dt.UTC
JULY_18 = dt.datetime(2017, 7, 18, 14, 29)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue 18 Jul 2017 02:29 PM", JULY_18),
        ("Tuesday, July 18, 2017 2:29 pm", JULY_18),
        ("July 18th 2017, 2:29 p.m.", JULY_18),
        ("18-Jul-2017 14:29", JULY_18),
        ("07/18/2017 2:29 PM", JULY_18),
        ("18/07/2017 14:29", JULY_18),
        ("18.07.2017 14:29", JULY_18),
        ("2017-07-18 14:29:00", JULY_18),
        ("2017/07/18 14:29", JULY_18),
        ("2017-07-18T14:29", JULY_18),
        ("20170718T1429", JULY_18),
        ("18 juillet 2017 14h29", JULY_18),
        ("mar. 18 juil. 2017 14:29", JULY_18),
        ("Mardi 18 Juillet 2017 à 14 h 29", JULY_18),
        ("le 3 août 2017 à 9 h 05", dt.datetime(2017, 8, 3, 9, 5)),
        ("3 aout 2017 9h05", dt.datetime(2017, 8, 3, 9, 5)),
        ("1er févr. 2018", dt.datetime(2018, 2, 1)),
        ("12 fevr 2018 12 am", dt.datetime(2018, 2, 12, 0, 0)),
        ("5 janv. 2018 12:00 PM", dt.datetime(2018, 1, 5, 12, 0)),
        ("25 déc. 2017", dt.datetime(2017, 12, 25)),
        ("25 dec 2017", dt.datetime(2017, 12, 25)),
        ("2 sept. 2017 8 a.m.", dt.datetime(2017, 9, 2, 8)),
        ("mars 3 2017", dt.datetime(2017, 3, 3)),
        ("Mar 3, 2017", dt.datetime(2017, 3, 3)),
        ("avr 30 2017", dt.datetime(2017, 4, 30)),
        ("mai 1 2017", dt.datetime(2017, 5, 1)),
        ("oct. 31 2017", dt.datetime(2017, 10, 31)),
        ("18/07/17 14:29", JULY_18),
        ("2017-07-18", dt.datetime(2017, 7, 18)),
        ("18/07/2017 14:29:05.25", dt.datetime(2017, 7, 18, 14, 29, 5, 250000)),
    ],
)
def test_naive_formats(raw: str, expected: dt.datetime) -> None:
    parsed = parse_timestamp(raw, date_order=None)
    assert parsed == expected and parsed.tzinfo is None


@pytest.mark.parametrize(
    ("raw", "expected_utc"),
    [
        ("2017-07-18T14:29:00Z", JULY_18),
        ("2017-07-18T10:29:00-04:00", JULY_18),
        ("2017-07-18T14:29:00.123456789+00:00", JULY_18.replace(microsecond=123456)),
        ("Tue 18 Jul 2017 10:29 AM EDT", JULY_18),
        ("18/07/2017 14:29 UTC", JULY_18),
        ("18/07/2017 16:29 +0200", JULY_18),
        ("July 18 2017 11:59 -02:30", JULY_18),
        ("1500388140", JULY_18),
        ("1500388140.5", JULY_18.replace(second=0, microsecond=500000)),
        ("1500388140000", JULY_18),
    ],
)
def test_aware_formats(raw: str, expected_utc: dt.datetime) -> None:
    parsed = parse_timestamp(raw, date_order=None)
    assert parsed.tzinfo is not None
    assert parsed.astimezone(UTC) == expected_utc.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty date"),
        ("hello", "unrecognised date format"),
        ("July 2017", "unrecognised date format"),
        ("18 Jul 2017 foo", "unrecognised date format"),
        ("05/06/2017", AMBIGUOUS),
        ("2017-13-01", "invalid date (month 13)"),
        ("13/13/2017", "invalid date (13/13: neither can be a month)"),
        ("31/06/2017", "invalid date (day 31 in 2017-06)"),
        ("29 feb 2017", "invalid date (day 29 in 2017-02)"),
        ("18/07/2017 25:00", "invalid time (hour 25)"),
        ("18/07/2017 14:61", "invalid time (14:61)"),
        ("18/07/2017 14:29 AM", "invalid time (14 AM)"),
        ("1" + " " * 5_000 + "x", "unrecognised date format (longer than 100 characters)"),
    ],
)
def test_errors(raw: str, reason: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_timestamp(raw, date_order=None)
    assert caught.value.reason == reason == str(caught.value)


def test_time_parse_error_is_a_value_error() -> None:
    assert issubclass(TimeParseError, ValueError)


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("05/06/2017", "DMY", dt.datetime(2017, 6, 5)),
        ("05/06/2017", "MDY", dt.datetime(2017, 5, 6)),
        ("05/05/2017", None, dt.datetime(2017, 5, 5)),
        ("18/07/2017", "MDY", dt.datetime(2017, 7, 18)),  # only one reading is a date
        ("07/18/2017", "DMY", dt.datetime(2017, 7, 18)),
        ("5-6-2017", "DMY", dt.datetime(2017, 6, 5)),
    ],
)
def test_date_order(raw: str, order: DateOrder | None, expected: dt.datetime) -> None:
    assert parse_timestamp(raw, date_order=order) == expected


def test_date_format_is_used_exclusively() -> None:
    assert parse_timestamp("05/06/2017 10:00", date_order=None, date_format="%d/%m/%Y %H:%M") == (
        dt.datetime(2017, 6, 5, 10)
    )
    with pytest.raises(TimeParseError, match="does not match --date-format"):
        parse_timestamp("2017-06-05", date_order="DMY", date_format="%d/%m/%Y")
    aware = parse_timestamp("2017-06-05 +0100", date_order=None, date_format="%Y-%m-%d %z")
    assert aware.utcoffset() == dt.timedelta(hours=1)


def test_date_order_vote() -> None:
    vote = DateOrderVote()
    for raw in ["05/06/2017", "2017-07-18", "Tue 18 Jul 2017", "", "1500388140"]:
        vote.add(raw)
    assert vote.result() is None and not vote.conflict
    vote.add("18/07/2017 14:29")
    vote.add("19.07.2017")
    assert vote.result() == "DMY" and not vote.conflict
    vote.add("07/20/2017 2:29 PM")
    assert vote.result() == "DMY" and vote.conflict
    vote.add("07-21-2017")
    assert vote.result() is None and vote.conflict


def test_vote_for_mdy() -> None:
    vote = DateOrderVote()
    vote.add("07/18/2017 2:29 PM")
    assert vote.result() == "MDY"


_moments = st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 12, 31))
_offsets = st.none() | st.integers(-12 * 60, 14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)


@given(
    moment=_moments,
    tz=_offsets,
    sep=st.sampled_from(["T", " "]),
    spec=st.sampled_from(["auto", "hours", "minutes", "seconds", "milliseconds", "microseconds"]),
)
def test_iso_round_trips_and_never_votes(
    moment: dt.datetime, tz: dt.tzinfo | None, sep: str, spec: str
) -> None:
    value = moment.replace(tzinfo=tz)
    text = value.isoformat(sep=sep, timespec=spec)
    vote = DateOrderVote()
    vote.add(text)
    assert vote.result() is None and not vote.conflict
    assert parse_timestamp(text, date_order=None) == dt.datetime.fromisoformat(text)


@given(moment=_moments, order=st.sampled_from(["DMY", "MDY"]), sep=st.sampled_from("/.-"))
def test_numeric_dates_read_back_with_their_order(
    moment: dt.datetime, order: DateOrder, sep: str
) -> None:
    day_first = order == "DMY"
    fmt = sep.join(["%d", "%m", "%Y"] if day_first else ["%m", "%d", "%Y"]) + " %H:%M"
    text = moment.strftime(fmt)
    expected = moment.replace(second=0, microsecond=0)
    assert parse_timestamp(text, date_order=order) == expected
    vote = DateOrderVote()
    vote.add(text)
    assert vote.result() in (order, None)


def test_localize_keeps_an_offset() -> None:
    value = dt.datetime(2017, 7, 18, 10, 29, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    moment, source = localize(
        value, tz_option="Europe/Paris", city="Vancouver", region=None, default_tz="UTC"
    )
    assert (moment, source) == (JULY_18.replace(tzinfo=UTC), "offset")
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(
    ("tz_option", "city", "region", "utc_hour", "source"),
    [
        ("America/Vancouver", "Montréal", None, 21, "option:America/Vancouver"),
        (None, "Montréal", None, 18, "city:America/Toronto"),
        (None, "Calgary, AB", None, 20, "city:America/Edmonton"),
        (None, "Nowhere", "Saskatchewan", 20, "city:America/Regina"),
        (None, "Nowhere", None, 14, "default:UTC"),
        (None, None, None, 14, "default:UTC"),
    ],
)
def test_localize_sources(
    tz_option: str | None, city: str | None, region: str | None, utc_hour: int, source: str
) -> None:
    moment, got = localize(JULY_18, tz_option=tz_option, city=city, region=region, default_tz="UTC")
    assert got == source
    assert moment == dt.datetime(2017, 7, 18, utc_hour, 29, tzinfo=UTC)


def test_localize_dst_gap_and_fold_are_deterministic() -> None:
    def to_utc(local: dt.datetime) -> dt.datetime:
        return localize(
            local, tz_option=None, city=None, region=None, default_tz="America/Toronto"
        )[0]

    # 2017-03-12 02:30 does not exist in Toronto: read with the offset before the change (EST).
    assert to_utc(dt.datetime(2017, 3, 12, 2, 30)) == dt.datetime(2017, 3, 12, 7, 30, tzinfo=UTC)
    # 2017-11-05 01:30 happens twice: the first one (EDT) is taken.
    assert to_utc(dt.datetime(2017, 11, 5, 1, 30)) == dt.datetime(2017, 11, 5, 5, 30, tzinfo=UTC)
    # The fold flag of the input does not change the answer.
    folded = dt.datetime(2017, 11, 5, 1, 30, fold=1)
    assert to_utc(folded) == dt.datetime(2017, 11, 5, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["Mars/Olympus", "../etc/passwd", ""])
def test_localize_unknown_zone(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        localize(JULY_18, tz_option=None, city=None, region=None, default_tz=bad or "Nope/Nope")
