from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from adtrace.web.render.timeline import Post, tick_label, ticks, timeline_svg

from .checks import PAYLOADS, SVG_NS, parse_svg, svg_texts

T0 = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def _posts(n: int, step: timedelta, sites: int = 3) -> list[Post]:
    cities = ["Toronto, ON", "Montréal, QC", None]
    return [
        Post(f"ad{i}", T0 + step * i, f"site{i % sites}", cities[i % 3], "Amy") for i in range(n)
    ]


def _circles(root: object) -> list[object]:
    return list(root.iter(f"{SVG_NS}circle"))  # type: ignore[attr-defined]


def test_one_dot_per_post_and_one_row_per_site() -> None:
    root = parse_svg(timeline_svg(_posts(30, timedelta(days=1))))
    assert len(_circles(root)) == 30
    labels = [t.text for t in root.iter(f"{SVG_NS}text") if "timeline-row-label" in t.get("class")]
    assert labels == ["site0 (10)", "site1 (10)", "site2 (10)"]


def test_rows_by_city_put_posts_without_city_in_unknown() -> None:
    root = parse_svg(timeline_svg(_posts(9, timedelta(hours=5)), by="city", lang="fr"))
    labels = [t.text for t in root.iter(f"{SVG_NS}text") if "row-label" in t.get("class")]
    assert labels == ["Toronto, ON (3)", "Montréal, QC (3)", "inconnu (3)"]


def test_rows_beyond_the_cap_share_one_other_row() -> None:
    posts = _posts(40, timedelta(hours=1), sites=20)
    root = parse_svg(timeline_svg(posts, max_rows=5))
    labels = [t.text for t in root.iter(f"{SVG_NS}text") if "row-label" in t.get("class")]
    assert len(labels) == 5
    assert labels[-1] == "(other) (32)"
    assert len(_circles(root)) == 40


def test_dots_are_placed_in_time_order_left_to_right() -> None:
    posts = list(reversed(_posts(10, timedelta(days=2), sites=1)))
    root = parse_svg(timeline_svg(posts))
    xs = [float(c.get("cx")) for c in _circles(root)]
    assert xs == sorted(xs) and xs[0] < xs[-1]


def test_aware_and_naive_times_mean_the_same_utc_moment() -> None:
    eastern = timezone(timedelta(hours=-5))
    aware = [Post("a", datetime(2024, 1, 1, 7, tzinfo=eastern), "s")]
    naive = [Post("a", datetime(2024, 1, 1, 12), "s")]
    assert timeline_svg(aware) == timeline_svg(naive)


@pytest.mark.parametrize(
    ("span", "unit"),
    [
        (timedelta(hours=20), "hour"),
        (timedelta(days=6), "day"),
        (timedelta(days=60), "week"),
        (timedelta(days=300), "month"),
        (timedelta(days=365 * 8), "year"),
    ],
)
def test_tick_step_follows_the_span(span: timedelta, unit: str) -> None:
    step, marks = ticks(T0, T0 + span, 8)
    assert step.unit == unit
    assert 1 <= len(marks) <= 9
    assert all(T0 <= m <= T0 + span for m in marks)
    assert marks == sorted(marks)


def test_tick_labels_in_english_and_french() -> None:
    moment = datetime(2024, 3, 1, 14, tzinfo=UTC)
    hour, _ = ticks(moment, moment + timedelta(hours=10), 8)
    day, _ = ticks(moment, moment + timedelta(days=5), 8)
    month, _ = ticks(moment, moment + timedelta(days=300), 8)
    assert tick_label(moment, hour, "en", show_year=False) == "14:00"
    assert tick_label(moment, hour, "fr", show_year=False) == "14 h"
    assert tick_label(moment, day, "en", show_year=False) == "Mar 1"
    assert tick_label(moment, day, "fr", show_year=True) == "1er mars 2024"
    assert tick_label(moment, month, "en", show_year=False) == "Mar 2024"
    assert tick_label(moment, month, "fr", show_year=False) == "mars 2024"


def test_french_labels() -> None:
    root = parse_svg(timeline_svg(_posts(3, timedelta(days=1)), lang="fr"))
    texts = " ".join(svg_texts(root))
    assert "Annonces dans le temps\u00a0: 3 annonces, 1er mars 2024 – 3 mars 2024" in texts
    assert "temps (UTC)" in texts
    assert "annonce ad0" in texts


def test_empty_and_single_post() -> None:
    empty = parse_svg(timeline_svg([]))
    assert "No dated posts" in svg_texts(empty)
    assert "Aucune annonce datée" in svg_texts(parse_svg(timeline_svg([], lang="fr")))
    single = parse_svg(timeline_svg([Post("x", T0, "s")]))
    assert len(_circles(single)) == 1
    ticks_ = [t for t in single.iter(f"{SVG_NS}text") if t.get("class") == "timeline-tick"]
    assert ticks_, "a single post still gets an axis with ticks"
    assert float(_circles(single)[0].get("cx")) == pytest.approx(170 + (900 - 170 - 24) / 2, 1)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_comes_out_as_text(payload: str) -> None:
    posts = [Post(payload, T0, payload, payload, payload), Post("b", T0 + timedelta(days=1), "s")]
    for by in ("site", "city"):
        svg = timeline_svg(posts, by=by, ad_href="/ads/{ad_id}")  # type: ignore[arg-type]
        root = parse_svg(svg)
        titles = [t.text or "" for t in root.iter(f"{SVG_NS}title")]
        assert any(payload in t for t in titles)
        links = [a.get("href") for a in root.iter(f"{SVG_NS}a")]
        assert all(link.startswith("/ads/") and "<" not in link for link in links)


def test_links_must_be_site_relative() -> None:
    for posts in ([Post("1", T0, "s")], []):
        for bad in ("javascript:alert(1)//{ad_id}", "//evil.example/{ad_id}", "https://x/{ad_id}"):
            with pytest.raises(ValueError, match="site-relative"):
                timeline_svg(posts, ad_href=bad)


def test_a_small_height_still_gives_valid_rows() -> None:
    root = parse_svg(timeline_svg(_posts(20, timedelta(days=1), sites=10), height=50))
    heights = [float(r.get("height")) for r in root.iter(f"{SVG_NS}rect")]
    assert heights and min(heights) >= 8


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        timeline_svg([], lang="de")
