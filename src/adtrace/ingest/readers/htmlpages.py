"""A folder of saved HTML ad pages: one record per page (url, title, text, posted_at, file).

Pages are hostile input. They are parsed by lxml's HTML parser with network access off; HTML has no
external entities to resolve, comments and processing instructions are dropped, nothing in a page is
executed, and no path or URL found in a page is ever opened.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from adtrace.ingest.readers.text import bom_encoding, canonical_codec, is_utf8
from adtrace.ingest.records import InputError, RawRecord

HTML_COLUMNS = ["url", "title", "text", "posted_at", "file"]
HTML_SUFFIXES = (".html", ".htm")

# Elements whose text is never part of the ad: code, navigation, page furniture, forms, frames.
_DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "form",
    "iframe",
    "svg",
    "object",
    "embed",
)
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl"),
        *("dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr"),
        *("li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead"),
        *("tfoot", "tr", "td", "th", "ul"),
    }
)
# An id or class naming the ad's description. Preferred to <main> or <article>, which may also hold
# "similar ads" whose text would link unrelated ads.
_DESCRIPTION_HINTS = (
    "postingbody",
    "ad-description",
    "addescription",
    "ad-text",
    "adtext",
    "listing-description",
    "post-body",
    "post-content",
    "entry-content",
    "description",
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_SPACE = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# HTML5: these labels mean windows-1252.
_WINDOWS_1252_LABELS = frozenset({"ascii", "iso8859-1", "latin-1", "us-ascii"})


class HtmlFolderReader:
    """Every ``*.html`` / ``*.htm`` file under a folder, recursively, in sorted path order."""

    def __init__(self, folder: Path, *, display: str) -> None:
        self._folder = folder
        self._source = display
        self._pages = html_pages(folder)
        if not self._pages:
            raise InputError(display, "no .html or .htm files in the folder")

    @property
    def columns(self) -> list[str]:
        """Always ``url, title, text, posted_at, file``."""
        return list(HTML_COLUMNS)

    def __iter__(self) -> Iterator[RawRecord]:
        for page in self._pages:
            yield self._record(page)

    def _record(self, page: Path) -> RawRecord:
        relative = page.relative_to(self._folder).as_posix()
        source = os.path.join(self._source, relative)
        try:
            data = page.read_bytes()
        except OSError as exc:
            return RawRecord(source, 1, {"file": relative}, error=f"unreadable page: {exc}")
        try:
            fields = page_fields(data)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
            raw = page_text(data)
            error = f"could not parse HTML: {exc}"
            return RawRecord(source, 1, {"file": relative}, error=error, raw=raw)
        fields["file"] = relative
        return RawRecord(source, 1, fields)


def html_pages(folder: Path) -> list[Path]:
    """HTML files under ``folder`` sorted by relative path; symlinked folders are not followed."""
    pages = [
        Path(root, name)
        for root, _, names in os.walk(folder)
        for name in names
        if name.lower().endswith(HTML_SUFFIXES)
    ]
    return sorted(pages, key=lambda page: page.relative_to(folder).as_posix())


def page_encoding(data: bytes) -> str:
    """Encoding of a page: BOM, else ``<meta charset>``, else UTF-8 if valid, else Windows-1252."""
    bom = bom_encoding(data)
    if bom is not None:
        return bom.codec
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None:
        try:
            codec = canonical_codec(declared.group(1).decode("ascii"))
        except LookupError:
            codec = None
        if codec is not None and not codec.startswith(("utf-16", "utf-32")):
            return "cp1252" if codec in _WINDOWS_1252_LABELS else codec
        # HTML5: a page that could be read to its <meta> is not UTF-16; ignore such a claim.
    return "utf-8" if is_utf8(data) else "cp1252"


def page_text(data: bytes) -> str:
    """Decode a page; when the declared encoding is wrong, fall back to UTF-8, then Windows-1252."""
    for candidate in (page_encoding(data), "utf-8"):
        try:
            return data.decode(candidate).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def page_fields(data: bytes) -> dict[str, str | None]:
    """Extract url, title, text and posted_at from one page.

    Raises:
        etree.ParserError: the page is empty or not HTML at all.
    """
    # Parsed as text: lxml rejects text that still declares an XML encoding, and libxml2 does not
    # know every Python codec name.
    text = _XML_DECLARATION.sub("", page_text(data), count=1)
    # A parser per page: lxml parsers must not be shared between threads.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    root = lxml.html.document_fromstring(text, parser=parser)
    metas = _meta_values(root)
    fields: dict[str, str | None] = {
        "url": _canonical_url(root) or metas.get("og:url"),
        "title": metas.get("og:title") or _first_text(root, "title") or _first_text(root, "h1"),
        "text": None,
        "posted_at": metas.get("article:published_time")
        or metas.get("datePosted")
        or metas.get("datePublished")
        or _first_time(root),
    }
    fields["text"] = visible_text(root)  # last: it drops page furniture (<header>...) from the tree
    return fields


def _meta_values(root: lxml.html.HtmlElement) -> dict[str, str]:
    """First non-empty content of each ``<meta property|name|itemprop>``."""
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = _clean(meta.get("content"))
        if key and content:
            values.setdefault(key.strip(), content)
    return values


def _canonical_url(root: lxml.html.HtmlElement) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return _clean(link.get("href"))
    return None


def _first_text(root: lxml.html.HtmlElement, tag: str) -> str | None:
    for element in root.iter(tag):
        text = _clean(element.text_content())
        if text:
            return text
    return None


def _first_time(root: lxml.html.HtmlElement) -> str | None:
    for element in root.iter("time"):
        value = _clean(element.get("datetime"))
        if value:
            return value
    return None


def _clean(value: str | None) -> str | None:
    """Collapse whitespace; None for empty."""
    if value is None:
        return None
    return _SPACE.sub(" ", value).strip() or None


def visible_text(root: lxml.html.HtmlElement) -> str:
    """Visible text of the page's main content, one line per block element.

    Containers are tried from the most specific (``itemprop=description``, then elements whose id or
    class names a description) to ``<article>``, ``<main>``, ``<body>`` and the whole page; within a
    tier the container with the most text wins, so a small "Description" label loses to the text.
    """
    _drop_invisible(root)
    for tier in _content_tiers(root):
        texts = [_block_text(container) for container in tier]
        best = max(texts, key=len, default="")
        if best:
            return best
    return ""


def _drop_invisible(root: lxml.html.HtmlElement) -> None:
    doomed = list(root.iter(*_DROPPED_TAGS))
    doomed += [element for element in _elements(root) if _hidden(element)]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the tail text, which belongs to the parent


def _hidden(element: lxml.html.HtmlElement) -> bool:
    style = element.get("style") or ""
    return element.get("hidden") is not None or _HIDDEN_STYLE.search(style) is not None


def _elements(root: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Elements only (no comments or processing instructions)."""
    return (element for element in root.iter() if isinstance(element.tag, str))


def _content_tiers(root: lxml.html.HtmlElement) -> Iterator[list[lxml.html.HtmlElement]]:
    """Candidate containers for the ad text, grouped from the most specific tier to the page."""
    yield [element for element in _elements(root) if element.get("itemprop") == "description"]
    yield [element for element in _elements(root) if _names_description(element)]
    yield list(root.iter("article"))
    yield list(root.iter("main"))
    yield list(root.iter("body"))
    yield [root]


def _names_description(element: lxml.html.HtmlElement) -> bool:
    if element.tag in ("html", "body", "meta"):
        return False
    names = f"{element.get('id') or ''} {element.get('class') or ''}".lower()
    return any(hint in names for hint in _DESCRIPTION_HINTS)


def _block_text(container: lxml.html.HtmlElement) -> str:
    # Whitespace inside text nodes (source line breaks included) collapses to one space; only
    # block elements and <br> make line breaks.
    parts: list[str] = []
    for event, element in etree.iterwalk(container, events=("start", "end")):
        is_element = isinstance(element.tag, str)
        block = is_element and (element.tag in _BLOCK_TAGS or element.tag == "br")
        if event == "start":
            if block:
                parts.append("\n")
            if is_element and element.text:
                parts.append(_SPACE.sub(" ", element.text))
            continue
        if block:
            parts.append("\n")
        if element is not container and element.tail:
            parts.append(_SPACE.sub(" ", element.tail))
    lines = (_SPACE.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
