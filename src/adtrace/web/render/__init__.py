"""Pure renderers for the investigator's pages and the PDF report.

Each function takes plain data and returns a self-contained string (an SVG element, an HTML
fragment as :class:`markupsafe.Markup`, or JSON-ready data): no I/O beyond the data files shipped
in ``data/``, no scripts, no ``style`` attributes (the app's Content-Security-Policy forbids
them), and every piece of ad text escaped.
"""

from __future__ import annotations

from adtrace.web.render.graph import GraphAd, GraphLink, GraphSelector, network_elements
from adtrace.web.render.highlight import Mark, highlight, marks_from_spans, side_by_side
from adtrace.web.render.map import Stop, locate, map_svg, stops_from_posts
from adtrace.web.render.template import template_html
from adtrace.web.render.timeline import Post, timeline_svg

__all__ = [
    "GraphAd",
    "GraphLink",
    "GraphSelector",
    "Mark",
    "Post",
    "Stop",
    "highlight",
    "locate",
    "map_svg",
    "marks_from_spans",
    "network_elements",
    "side_by_side",
    "stops_from_posts",
    "template_html",
    "timeline_svg",
]
