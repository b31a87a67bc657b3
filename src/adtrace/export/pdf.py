"""A dossier as a PDF report: `report.html` (Jinja2, autoescape on, in the reader's language)
with `static/report.css`, laid out by weasyprint.

Ad text is hostile input: it is escaped by the template and the SVG renderers, and weasyprint
gets a URL fetcher that refuses every URL, so nothing in a report can make it read a file or
reach the network (the stylesheet is passed as a string; the figures are inline SVG).
A huge cluster prints its first `PDF_MAX_ADS` ads in full and the strongest `PDF_MAX_LINKS`
links, and says how many more the CSV and JSON exports carry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Final

from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined

from adtrace.export.dossier import Dossier, TemplateEntry
from adtrace.text.template import Slot, Template
from adtrace.web import i18n
from adtrace.web.render.map import map_svg, stops_from_posts
from adtrace.web.render.template import template_html
from adtrace.web.render.timeline import Post, timeline_svg

log = logging.getLogger(__name__)

PDF_MAX_ADS: Final = 200
"""Ads printed in full; the rest are counted (CSV and JSON carry every ad)."""
PDF_MAX_LINKS: Final = 300
"""Links printed, strongest first."""
BABEL_LOCALES: Final = {"en": "en_CA", "fr": "fr_CA"}


class RefusedFetch(ValueError):
    """Weasyprint asked for a URL: reports never load anything."""


def report_html(dossier: Dossier, *, lang: str = "en") -> str:
    """The report as HTML (for weasyprint only: it is never served to a browser)."""
    with _language(lang) as chosen:
        return str(
            _environment()
            .get_template("report.html")
            .render(
                d=dossier,
                lang=chosen,
                figures=report_figures(dossier, chosen),
                ads=dossier.ads[:PDF_MAX_ADS],
                more_ads=max(0, len(dossier.ads) - PDF_MAX_ADS),
                links=dossier.links[:PDF_MAX_LINKS],
                more_links=max(0, len(dossier.links) - PDF_MAX_LINKS),
            )
        )


def report_figures(dossier: Dossier, lang: str) -> dict[str, Any]:
    """Timeline and map SVGs of every ad, and each template as HTML (escaped Markup)."""
    posts = [
        Post(str(ad.ad_id), ad.when, ad.site, ad.city, next(iter(ad.values("name")), None))
        for ad in dossier.ads
    ]
    return {
        "timeline": timeline_svg(posts, lang=lang),
        "map": map_svg(stops_from_posts(posts), lang=lang),
        "templates": [(t, template_html(_as_template(t), lang=lang)) for t in dossier.templates],
    }


def report_pdf(dossier: Dossier, *, lang: str = "en") -> bytes:
    """The report as PDF bytes."""
    return html_to_pdf(report_html(dossier, lang=lang))


def html_to_pdf(html: str, refused: list[str] | None = None) -> bytes:
    """Lay out report HTML with report.css; every URL it names is refused (and appended to
    `refused` when given, for tests)."""
    # weasyprint loads Pango: only when a PDF is made. It ships no type hints.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class RefuseAll(URLFetcher):  # type: ignore[misc]
        """Weasyprint's fetcher with every fetch refused (weasyprint skips the resource)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if refused is not None:
                refused.append(url)
            log.warning("the PDF report asked for a URL; refused")
            raise RefusedFetch("adtrace reports load no URL")

    fetcher = RefuseAll(fail_on_errors=False)
    stylesheet = CSS(string=_stylesheet(), url_fetcher=fetcher)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet])
    return pdf


@cache
def _stylesheet() -> str:
    return (resources.files("adtrace.web") / "static" / "report.css").read_text("utf-8")


@contextmanager
def _language(lang: str) -> Iterator[str]:
    previous = i18n.active_locale()
    chosen = lang if lang in i18n.LOCALES else i18n.DEFAULT_LOCALE
    i18n.activate(chosen)
    try:
        yield chosen
    finally:
        i18n.activate(previous)


def _as_template(entry: TemplateEntry) -> Template:
    slots = tuple(Slot(s.index, s.values, s.distinct) for s in entry.slots)
    return Template(entry.text, slots, entry.n_texts, entry.support)


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _day(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d")


def _number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    locale = BABEL_LOCALES.get(i18n.active_locale(), "en_CA")
    return format_decimal(value, format=pattern, locale=locale)


def _in_language(en: str, fr: str) -> str:
    return fr if i18n.active_locale() == "fr" and fr else en


def _colon() -> str:
    return "\u00a0:" if i18n.active_locale() == "fr" else ":"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("adtrace.web", "templates"),
        autoescape=True,  # ad text is hostile, in a PDF too
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["number"] = _number
    env.globals["in_language"] = _in_language
    env.globals["colon"] = _colon
    return env
