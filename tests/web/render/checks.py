"""Shared checks for the renderers' tests: hostile inputs, and what safe output looks like."""

from __future__ import annotations

from lxml import etree, html

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "javascript:alert(document.cookie)",
    "<svg onload=alert(1)>",
    "]]><script>alert(1)</script><![CDATA[",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "</mark></span></text></svg><script>alert(1)</script>",
    "<!-- {1} -->",
    "Montréal\u202e\u200b 😀 «quotes» & ampersands",
)
"""Ad text an attacker could post; every renderer must show it as text."""

SVG_NS = "{http://www.w3.org/2000/svg}"


def _check_elements(root: etree._Element, allowed: set[str]) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments or processing instructions would fail the tag check below
        tag = element.tag.removeprefix(SVG_NS)
        assert tag in allowed, f"unexpected element <{tag}>"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"event handler attribute {name}"
            assert name.lower() != "style", "inline style attribute"
            if name.lower().endswith("href"):
                assert value.startswith("/") and not value.startswith("//"), value


SVG_ELEMENTS = {
    "svg", "g", "title", "text", "rect", "line", "circle", "path", "polyline", "polygon", "a",
}  # fmt: skip


def parse_svg(svg: str) -> etree._Element:
    """Parse an SVG as XML (fails on anything not well-formed) and check it is inert."""
    assert "<script" not in svg.lower()
    assert "style=" not in svg
    root = etree.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    _check_elements(root, SVG_ELEMENTS)
    return root


def parse_fragment(fragment: str, allowed: set[str]) -> html.HtmlElement:
    """Parse an HTML fragment inside a <div> and check it holds only `allowed` elements."""
    assert "<script" not in fragment.lower()
    assert "style=" not in fragment
    root = html.fragment_fromstring(fragment, create_parent="div")
    _check_elements(root, allowed | {"div"})
    return root


def svg_texts(root: etree._Element) -> list[str]:
    """Every text node of an SVG (titles and labels), as a reader would get them."""
    return [t for t in root.itertext() if t.strip()]
