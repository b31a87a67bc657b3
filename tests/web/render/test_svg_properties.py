"""Any text and any dates give a well-formed, inert SVG."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from adtrace.web.render.map import Stop, map_svg, stops_from_posts
from adtrace.web.render.timeline import Post, timeline_svg

from .checks import parse_svg

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)  # controls included
MOMENTS = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1))
POSTS = st.lists(
    st.builds(
        Post,
        ANY_TEXT,
        MOMENTS,
        ANY_TEXT,
        st.none() | ANY_TEXT | st.sampled_from(["Toronto, ON", "Laval", "mtl"]),
        st.none() | ANY_TEXT,
    ),
    max_size=12,
)


@given(POSTS, st.sampled_from(["site", "city"]), st.sampled_from(["en", "fr"]))
def test_timeline_is_well_formed_for_any_posts(posts: list[Post], by: str, lang: str) -> None:
    parse_svg(timeline_svg(posts, by=by, lang=lang, ad_href="/ads/{ad_id}"))  # type: ignore[arg-type]


@given(POSTS, st.sampled_from(["en", "fr"]))
def test_map_is_well_formed_for_any_posts(posts: list[Post], lang: str) -> None:
    stops = stops_from_posts(posts)
    assert sum(s.count for s in stops) == sum(1 for p in posts if p.city)
    parse_svg(map_svg(stops, lang=lang))


@given(st.lists(st.builds(Stop, ANY_TEXT, MOMENTS, MOMENTS, st.integers(0, 10**6)), max_size=8))
def test_map_is_well_formed_for_any_stops(stops: list[Stop]) -> None:
    parse_svg(map_svg(stops, width=500, height=300))


def test_timezone_aware_extremes() -> None:
    posts = [Post("a", datetime(1970, 1, 1, tzinfo=UTC), "s"), Post("b", datetime(2100, 1, 1), "s")]
    parse_svg(timeline_svg(posts))
