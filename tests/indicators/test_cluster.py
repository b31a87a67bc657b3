"""Cluster profiles and the cluster-level indicators (C01..C12), positive and negative, with
their evidence in English and French."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from adtrace.indicators import ProfileAd, cluster_matches, cluster_profile, render
from adtrace.indicators.profile import max_distinct

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
P1, P2, P3 = "+14165550101", "+15145550102", "+14035550103"


def _ad(n: int, day: float = 0, **fields: object) -> ProfileAd:
    return ProfileAd(id=f"a{n}", posted_at=T0 + timedelta(days=day), **fields)  # type: ignore[arg-type]


def _found(ads: Sequence[ProfileAd], links: Sequence[tuple[str, str]] = ()) -> set[str]:
    return {m.indicator for m in cluster_matches(cluster_profile(ads, links))}


def _tour(cities: Sequence[str], gap_days: float, phone: str = P1) -> list[ProfileAd]:
    return [_ad(i, i * gap_days, city=c, phones=(phone,)) for i, c in enumerate(cities)]


CASES: list[tuple[str, list[ProfileAd], list[tuple[str, str]], bool]] = [
    ("C01", [_ad(i, i, phones=(P1,), names=(n,)) for i, n in enumerate("ABC")], [], True),
    ("C01", [_ad(i, 40 * i, phones=(P1,), names=(n,)) for i, n in enumerate("ABC")], [], False),
    ("C01", [_ad(i, i, phones=(P1,), names=(n,)) for i, n in enumerate("AB")], [], False),
    (
        "C02",
        [_ad(i, i, phones=(p,), names=("Chloe",)) for i, p in enumerate((P1, P2, P3))],
        [],
        True,
    ),
    ("C02", [_ad(i, i, phones=(p,), names=("Chloe",)) for i, p in enumerate((P1, P2))], [], False),
    ("C03", _tour(["Toronto", "Hamilton", "London"], 3), [], True),
    ("C03", _tour(["Ottawa", "Gatineau"], 20), [], True),
    ("C03", _tour(["Toronto", "Hamilton", "London"], 30), [], False),
    ("C03", _tour(["Toronto", "Toronto", "Toronto"], 1), [], False),
    ("C04", _tour(["Windsor", "London", "Toronto", "Kingston", "Montréal"], 2), [], True),
    ("C04", _tour(["Windsor", "London", "Toronto", "Kingston", "Montréal"], 20), [], False),
    ("C04", _tour(["Vancouver", "Halifax", "Winnipeg"], 2), [], False),
    ("C05", _tour(["Calgary", "Calgary"], 1, phone=P2), [], True),
    ("C05", _tour(["Calgary"], 1, phone=P2), [], False),
    ("C05", _tour(["Montréal", "Laval"], 1, phone=P2), [], False),
    (
        "C06",
        [_ad(i, i, phones=(P1,), names=(n,)) for i, n in enumerate("ABC")],
        [("a0", "a1"), ("a1", "a2")],
        True,
    ),
    (
        "C06",
        [_ad(i, i, phones=(P1,), names=("Chloe",)) for i in range(3)],
        [("a0", "a1"), ("a1", "a2")],
        False,
    ),
    ("C08", [_ad(i, 0.01 * i, phones=(P1,)) for i in range(10)], [], True),
    (
        "C08",
        [_ad(i, 0.01 * i, city=c) for i, c in enumerate(["Laval", "Québec", "Gatineau"])],
        [],
        True,
    ),
    ("C08", [_ad(i, i / 3, phones=(P1,)) for i in range(9)], [], False),
    ("C09", [_ad(0, site="a.example"), _ad(1, site="b.example")], [], True),
    ("C09", [_ad(0, site="a.example"), _ad(1, site="a.example")], [], False),
    ("C10", [_ad(i, i, phones=(P1,), ages=(a,)) for i, a in enumerate((19, 21, 25))], [], True),
    ("C10", [_ad(i, i, phones=(P1,), ages=(a,)) for i, a in enumerate((24, 25))], [], False),
    (
        "C12",
        [_ad(i, i, phones=(P1,), emails=(f"e{i // 2}@x.example",)) for i in range(6)],
        [("a0", "a1"), ("a2", "a3"), ("a4", "a5")],
        True,
    ),
    (
        "C12",
        [_ad(i, i, phones=(P1,)) for i in range(6)],
        [("a0", "a1"), ("a1", "a2"), ("a2", "a3"), ("a3", "a4"), ("a4", "a5")],
        False,
    ),
    ("C12", [_ad(i, i, phones=(P1,)) for i in range(6)], [], False),
    ("C13", _tour(["Montréal", "Laval"], 1), [], False),
    ("C13", [_ad(0, 100, city="Montréal"), _ad(1, 101, city="Laval")], [], True),
    ("C13", [_ad(0, 100, city="Toronto"), _ad(1, 101, city="Laval")], [], False),
    (
        "C12",
        [
            _ad(i, i, phones=(P1, P2, P3)[i % 3 :][:1], names=(n,), city=c)
            for i, (n, c) in enumerate(zip("ABC", ["Laval", "Québec", "Gatineau"], strict=True))
        ],
        [],
        True,
    ),
]


@pytest.mark.parametrize(("indicator", "ads", "links", "expected"), CASES)
def test_cluster_indicator_examples(
    indicator: str, ads: list[ProfileAd], links: list[tuple[str, str]], expected: bool
) -> None:
    assert (indicator in _found(ads, links)) is expected


def test_every_computed_cluster_indicator_has_positive_and_negative_examples() -> None:
    computed = ("C01", "C02", "C03", "C04", "C05", "C06", "C08", "C09", "C10", "C12", "C13")
    for indicator in computed:
        assert {e for i, _, _, e in CASES if i == indicator} == {True, False}


def test_evidence_in_both_languages() -> None:
    ads = [
        *_tour(["Windsor", "London", "Toronto", "Kingston", "Montréal"], 2, phone=P3),
        _ad(9, 9, city="Montréal", phones=(P3,), names=("A",), ages=(19,), site="b.example"),
        _ad(10, 9, city="Montréal", phones=(P3,), site="a.example"),
    ]
    matches = cluster_matches(cluster_profile(ads, []))
    assert {"C03", "C04", "C05", "C09"} <= {m.indicator for m in matches}
    for match in matches:
        english, french = render(match.evidence, "en"), render(match.evidence, "fr")
        assert english and french and english != french
    c04 = next(m for m in matches if m.indicator == "C04")
    assert "401" in render(c04.evidence, "en") and "Autoroutes" in render(c04.evidence, "fr")


def test_profile_movement_circuit_speed_and_corridor() -> None:
    ads = _tour(["Windsor", "Windsor", "Toronto", "Montréal"], 1)
    move = cluster_profile(ads, [])["movement"]
    assert move["circuit"] == ["Windsor", "Toronto", "Montréal"]
    assert move["hops"] == 2 and move["corridor"] == "401" and move["corridor_hops"] == 2
    assert move["provinces"] == ["ON", "QC"] and move["interprovincial_hops"] == 1
    assert 10 < move["max_speed_kmh"] < 30  # ~350 and ~500 km a day apart


def test_profile_personas_and_posting() -> None:
    ads = [
        _ad(0, 0, phones=(P1,), names=("Amber",), ages=(22,)),
        _ad(1, 0.1, phones=(P1,), names=("amber", "Zoe"), ages=(27,)),
        _ad(2, 0.2, phones=(P2,)),
    ]
    profile = cluster_profile(ads, [])
    personas = profile["personas"]
    assert personas["n_names"] == 2 and personas["ages"] == [22, 27]
    (top, other) = personas["per_phone"]
    assert top["phone"] == P1 and top["names"] == 2 and top["age_spread"] == 5
    assert other["ads"] == 1
    assert profile["posting"]["peak_day_ads"] == 3 and profile["posting"]["active_days"] == 1
    assert profile["n_ads"] == 3 and profile["first_seen"] == T0.isoformat()


def test_max_distinct_window_and_untimed_events() -> None:
    day = timedelta(days=1)
    events = [(T0, "a"), (T0 + 10 * day, "b"), (T0 + 35 * day, "c"), (T0 + 36 * day, "c")]
    assert max_distinct(events, 30) == 2
    assert max_distinct([(None, "a"), (T0, "b")], 30) == 1
    assert max_distinct([(None, "a"), (None, "b")], 30) == 2
    assert max_distinct([], 30) == 0


def test_event_context_before_and_during() -> None:
    before = cluster_matches(cluster_profile([_ad(0, 95, city="Montréal")], []))
    (c13,) = [m for m in before if m.indicator == "C13"]
    assert render(c13.evidence, "en") == "first ad 2 days before Canadian Grand Prix in Montréal"
    assert "Grand Prix du Canada" in render(c13.evidence, "fr")
    during = cluster_matches(cluster_profile([_ad(0, 100, city="Montreal")], []))
    (c13,) = [m for m in during if m.indicator == "C13"]
    assert render(c13.evidence, "en").startswith("first ad during")
