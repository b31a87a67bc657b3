"""The timeline of a cluster's posts as a self-contained SVG (for the cluster page and the report).

One row per site (or per city), one dot per post, time on the horizontal axis in UTC. Ticks are
chosen from a fixed ladder of steps (hours, days, weeks, months, years) so that at most one tick
falls every ~90 pixels. The SVG has no script, no ``style`` attribute and no external reference:
colours are presentation attributes, and every element carries a class the page's stylesheet may
override. Each dot has a ``<title>`` (the browser's tooltip and the screen reader's text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal
from urllib.parse import quote

from markupsafe import Markup

from adtrace.web.render.labels import (
    Lang,
    as_utc,
    assemble,
    check_lang,
    colon,
    format_day,
    format_moment,
    format_range,
    month_name,
    plural,
    safe_text,
)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
FONT: Final = 'font-family="sans-serif"'
_LABEL_WIDTH: Final = 170
_ROW_HEIGHT: Final = 26
_TOP: Final = 34
_BOTTOM: Final = 36
_RIGHT: Final = 24
_TICK_SPACING: Final = 90
_WORDS: Final = {
    "en": {
        "empty": "No dated posts",
        "post": "post",
        "posts": "posts",
        "ad": "ad",
        "other": "other",
        "unknown": "unknown",
        "axis": "time (UTC)",
        "title": "Posts over time",
    },
    "fr": {
        "empty": "Aucune annonce datée",
        "post": "annonce",
        "posts": "annonces",
        "ad": "annonce",
        "other": "autres",
        "unknown": "inconnu",
        "axis": "temps (UTC)",
        "title": "Annonces dans le temps",
    },
}


@dataclass(frozen=True, slots=True)
class Post:
    """One posting of an ad, as the timeline and the map need it.

    Attributes:
        ad_id: the ad's id (shown in the tooltip, and used in links when `ad_href` is given).
        posted_at: when it was posted; naive values are taken as UTC.
        site: the site it was posted on.
        city: the city it was posted in, when known (a gazetteer label such as "Montréal, QC"
            or the city as the site wrote it).
        persona: the name the ad uses, when known.
    """

    ad_id: str
    posted_at: datetime
    site: str
    city: str | None = None
    persona: str | None = None


@dataclass(frozen=True, slots=True)
class TickStep:
    unit: Literal["hour", "day", "week", "month", "year"]
    size: int

    @property
    def approx(self) -> timedelta:
        days = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}[self.unit]
        return timedelta(days=days * self.size)


_STEPS: Final = (
    *(TickStep("hour", n) for n in (1, 2, 3, 6, 12)),
    *(TickStep("day", n) for n in (1, 2)),
    *(TickStep("week", n) for n in (1, 2)),
    *(TickStep("month", n) for n in (1, 2, 3, 6)),
    *(TickStep("year", n) for n in (1, 2, 5, 10, 20, 50, 100)),
)


def _choose_step(span: timedelta, max_ticks: int) -> TickStep:
    for step in _STEPS:
        if span / step.approx <= max_ticks:
            return step
    return _STEPS[-1]


def _floor(moment: datetime, step: TickStep) -> datetime:
    base = moment.replace(minute=0, second=0, microsecond=0)
    if step.unit == "hour":
        return base.replace(hour=base.hour - base.hour % step.size)
    base = base.replace(hour=0)
    if step.unit == "week":
        return base - timedelta(days=base.weekday())  # weeks start on Monday
    if step.unit == "month":
        return base.replace(day=1, month=base.month - (base.month - 1) % step.size)
    if step.unit == "year":
        return base.replace(day=1, month=1, year=base.year - base.year % step.size)
    return base


def _advance(moment: datetime, step: TickStep) -> datetime:
    if step.unit in ("hour", "day", "week"):
        return moment + step.approx
    if step.unit == "month":
        months = moment.month - 1 + step.size
        return moment.replace(year=moment.year + months // 12, month=months % 12 + 1)
    return moment.replace(year=moment.year + step.size)


def ticks(start: datetime, end: datetime, max_ticks: int) -> tuple[TickStep, list[datetime]]:
    """Tick positions between two UTC moments, on round values of the chosen step."""
    step = _choose_step(end - start, max(1, max_ticks))
    out: list[datetime] = []
    moment = _floor(start, step)
    while moment <= end and len(out) <= max_ticks + 2:
        if moment >= start:
            out.append(moment)
        moment = _advance(moment, step)
    return step, out


def tick_label(moment: datetime, step: TickStep, lang: Lang, *, show_year: bool) -> str:
    """A tick's text: the hour, the day, the month or the year, depending on the step."""
    if step.unit == "hour":
        return f"{moment.hour} h" if lang == "fr" else f"{moment:%H:%M}"
    if step.unit in ("day", "week"):
        return format_day(moment, lang, year=show_year)
    if step.unit == "month":
        return f"{month_name(moment.month, lang)} {moment.year}"
    return str(moment.year)


def _rows(posts: Sequence[Post], by: str, max_rows: int, lang: Lang) -> tuple[list[str], list[int]]:
    """Row names (ordered by first post) and the row of each post; the smallest rows beyond
    `max_rows` are merged into one "other" row."""
    words = _WORDS[lang]
    keys = [(p.site if by == "site" else p.city) or words["unknown"] for p in posts]
    counts = Counter(keys)
    kept = {k for k, _ in counts.most_common(max_rows - 1 if len(counts) > max_rows else max_rows)}
    other = f"({words['other']})"
    keys = [k if k in kept else other for k in keys]
    first: dict[str, datetime] = {}
    for key, post in sorted(zip(keys, posts, strict=True), key=lambda kp: as_utc(kp[1].posted_at)):
        first.setdefault(key, as_utc(post.posted_at))
    names = sorted(first, key=lambda k: (k == other, first[k]))
    index = {name: i for i, name in enumerate(names)}
    return names, [index[k] for k in keys]


def _tooltip(post: Post, lang: Lang) -> str:
    parts = [f"{_WORDS[lang]['ad']} {post.ad_id}", post.site]
    parts += [v for v in (post.city, post.persona) if v]
    parts.append(format_moment(post.posted_at, lang))
    return " · ".join(parts)


def _href(template: str | None, ad_id: str) -> str | None:
    """The link of a dot: `template` with "{ad_id}" replaced by the URL-quoted id.

    Only site-relative paths are accepted, so no value can turn a dot into a "javascript:" link.
    """
    if template is None:
        return None
    if not template.startswith("/") or template.startswith("//"):
        raise ValueError("ad_href must be a site-relative path such as '/ads/{ad_id}'")
    return template.replace("{ad_id}", quote(str(ad_id), safe=""))


def _time_range(times: Sequence[datetime]) -> tuple[datetime, datetime]:
    """The axis range: the posts' span plus 3 % each side, or a day around a single moment."""
    start, end = min(times), max(times)
    if end - start < timedelta(hours=1):
        start, end = start - timedelta(hours=12), end + timedelta(hours=12)
    pad = (end - start) * 0.03
    return start - pad, end + pad


def _empty_svg(width: int, height: int, lang: Lang) -> Markup:
    text = safe_text(_WORDS[lang]["empty"])
    return assemble(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline timeline-empty" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{text}"><title>{text}</title>'
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" {FONT} '
            f'font-size="14" fill="#555">{text}</text></svg>',
        ]
    )


def timeline_svg(
    posts: Sequence[Post],
    *,
    by: Literal["site", "city"] = "site",
    width: int = 900,
    height: int | None = None,
    lang: str = "en",
    max_rows: int = 12,
    ad_href: str | None = None,
) -> Markup:
    """The posts of a cluster over time, one row per site (or city), as an SVG element.

    Args:
        posts: the posts; any order. Posts are drawn at their UTC time.
        by: one row per "site" or per "city" (posts without a city go to an "unknown" row).
        width: width in pixels (the SVG has a viewBox, so the page may scale it).
        height: height in pixels; by default it grows with the number of rows.
        lang: "en" or "fr" for every label.
        max_rows: rows drawn at most; the least used sites or cities beyond it share one row.
        ad_href: link for each dot, a site-relative path with "{ad_id}" in it (e.g.
            "/ads/{ad_id}"); None draws dots without links.

    Returns:
        The SVG markup, safe to insert in a page (all text escaped).
    """
    lang_ = check_lang(lang)
    words = _WORDS[lang_]
    if by not in ("site", "city"):
        raise ValueError(f"by must be 'site' or 'city', not {by!r}")
    _href(ad_href, "")  # refuse a bad link template even when there is nothing to draw
    if not posts:
        return _empty_svg(width, height or 80, lang_)
    names, rows = _rows(posts, by, max(1, max_rows), lang_)
    height = height or _TOP + _ROW_HEIGHT * len(names) + _BOTTOM
    height = max(height, _TOP + _BOTTOM + 8 * len(names))  # rows at least 8 px high
    row_height = (height - _TOP - _BOTTOM) / len(names)
    times = [as_utc(p.posted_at) for p in posts]
    start, end = _time_range(times)
    plot = max(1.0, width - _LABEL_WIDTH - _RIGHT)

    def x_of(moment: datetime) -> float:
        return _LABEL_WIDTH + (moment - start) / (end - start) * plot

    def y_of(row: int) -> float:
        return _TOP + (row + 0.5) * row_height

    title = safe_text(
        f"{words['title']}{colon(lang_)} {plural(len(posts), words['post'], words['posts'], lang_)}"
        f", {format_range(min(times), max(times), lang_)}"
    )
    role = "img" if ad_href is None else "group"  # an "img" would hide its links
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="{role}" aria-label="{title}">',
        f"<title>{title}</title>",
        f'<text class="timeline-caption" x="{_LABEL_WIDTH}" y="16" {FONT} font-size="12" '
        f'fill="#333">{title}</text>',
    ]
    parts += _axis(start, end, x_of, height, plot, lang_)
    counts = Counter(rows)
    for i, name in enumerate(names):
        parts.append(_row(i, name, counts[i], y_of(i), row_height, width, lang_))
    for post, row, moment in sorted(zip(posts, rows, times, strict=True), key=lambda prt: prt[2]):
        parts.append(_dot(post, x_of(moment), y_of(row), row, lang_, _href(ad_href, post.ad_id)))
    parts.append("</svg>")
    return assemble(parts)


def _axis(
    start: datetime,
    end: datetime,
    x_of: Callable[[datetime], float],
    height: int,
    plot: float,
    lang: Lang,
) -> list[str]:
    step, marks = ticks(start, end, int(plot // _TICK_SPACING))
    show_year = start.year != end.year
    base = height - _BOTTOM
    out = [
        f'<line class="timeline-axis" x1="{_LABEL_WIDTH}" y1="{base}" '
        f'x2="{_LABEL_WIDTH + plot:.1f}" y2="{base}" stroke="#444" stroke-width="1"/>'
    ]
    for moment in marks:
        x = x_of(moment)
        label = safe_text(tick_label(moment, step, lang, show_year=show_year))
        out.append(
            f'<line class="timeline-grid" x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{base + 4}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text class="timeline-tick" x="{x:.1f}" y="{base + 17}" text-anchor="middle" '
            f'{FONT} font-size="11" fill="#333">{label}</text>'
        )
    axis = safe_text(_WORDS[lang]["axis"])
    out.append(
        f'<text class="timeline-axis-label" x="{_LABEL_WIDTH + plot:.1f}" y="{base + 31}" '
        f'text-anchor="end" {FONT} font-size="10" fill="#555">{axis}</text>'
    )
    return out


def _row(
    index: int, name: str, count: int, y: float, row_height: float, width: int, lang: Lang
) -> str:
    shade = "#f4f4f4" if index % 2 == 0 else "#ffffff"
    words = _WORDS[lang]
    label = safe_text(name, limit=22)
    full = safe_text(f"{name}{colon(lang)} {plural(count, words['post'], words['posts'], lang)}")
    return (
        f'<g class="timeline-row"><title>{full}</title>'
        f'<rect x="0" y="{y - row_height / 2:.1f}" width="{width}" height="{row_height:.1f}" '
        f'fill="{shade}"/>'
        f'<text class="timeline-row-label" x="8" y="{y + 4:.1f}" {FONT} font-size="12" '
        f'fill="#222">{label} ({count})</text></g>'
    )


def _dot(post: Post, x: float, y: float, row: int, lang: Lang, href: str | None) -> str:
    colour = PALETTE[row % len(PALETTE)]
    circle = (
        f'<circle class="timeline-post" cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" '
        f'fill-opacity="0.8" stroke="#ffffff" stroke-width="1" data-ad="{safe_text(post.ad_id)}">'
        f"<title>{safe_text(_tooltip(post, lang))}</title></circle>"
    )
    if href is None:
        return circle
    return f'<a href="{safe_text(href)}">{circle}</a>'
