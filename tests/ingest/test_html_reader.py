"""Folder of saved HTML pages: fields, visible text only, hostile pages."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from adtrace.ingest.readers import HtmlFolderReader, open_reader
from adtrace.ingest.records import InputError

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Page title | Site</title>
<meta property="og:title" content="  Nouvelle à Laval  ">
<meta property="article:published_time" content="2017-07-18T14:29:00-04:00">
<link rel="canonical" href="https://ads.example/laval/123">
<style>.x { color: red }</style>
<script>document.title = "SCRIPT-TEXT"; alert(1)</script>
</head>
<body onload="alert(2)">
<header>Site header</header>
<nav><a href="/">Home</a></nav>
<main>
  <h1>Nouvelle à Laval</h1>
  <div class="ad-description">
    <p>Très   douce,
       discrète.</p>
    <p>Appelle-moi<br>au 514&nbsp;555&nbsp;0199</p>
    <script>var hidden = "SCRIPT-TEXT";</script>
    <noscript>NOSCRIPT-TEXT</noscript>
    <span style="display:none">HIDDEN-TEXT</span>
    <template><p>TEMPLATE-TEXT</p></template>
  </div>
  <section class="related">Autres annonces: RELATED-TEXT</section>
  <form><input value="FORM-TEXT"><label>FORM-LABEL</label></form>
</main>
<footer>Footer FOOTER-TEXT</footer>
<iframe src="https://tracker.example/">IFRAME-TEXT</iframe>
</body></html>
"""


def _folder(tmp_path: Path, pages: dict[str, bytes | str]) -> Path:
    folder = tmp_path / "pages"
    for name, content in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


def test_page_fields(tmp_path: Path) -> None:
    reader = open_reader(_folder(tmp_path, {"ad.html": PAGE}), display="pages")
    assert isinstance(reader, HtmlFolderReader)
    assert reader.columns == ["url", "title", "text", "posted_at", "file"]
    (record,) = list(reader)
    assert record.error is None and record.line == 1
    assert record.source == "pages/ad.html"
    assert record.fields == {
        "url": "https://ads.example/laval/123",
        "title": "Nouvelle à Laval",
        "text": "Très douce, discrète.\nAppelle-moi\nau 514 555 0199",
        "posted_at": "2017-07-18T14:29:00-04:00",
        "file": "ad.html",
    }


def test_no_script_or_page_furniture_in_text(tmp_path: Path) -> None:
    page = PAGE.replace('class="ad-description"', 'class="plain"')
    (record,) = list(open_reader(_folder(tmp_path, {"ad.html": page})))
    text = record.fields["text"] or ""
    assert "Très douce" in text and "RELATED-TEXT" in text  # <main> is used without a description
    for junk in ("SCRIPT", "NOSCRIPT", "HIDDEN", "TEMPLATE", "FORM", "FOOTER", "IFRAME", "Home"):
        assert junk not in text


def test_fallbacks_for_url_title_and_date(tmp_path: Path) -> None:
    pages = {
        "a.html": '<html><head><meta property="og:url" content="https://x.example/1">'
        "<title> Only  title </title></head><body><p>Texte</p>"
        '<time datetime="2017-07-18">18 juillet</time></body></html>',
        "b.htm": "<html><body><h1>Heading</h1><article><p>Body text</p></article></body></html>",
    }
    first, second = list(open_reader(_folder(tmp_path, pages)))
    assert first.fields["url"] == "https://x.example/1"
    assert first.fields["title"] == "Only title"
    assert first.fields["posted_at"] == "2017-07-18"
    assert second.fields == {
        "url": None,
        "title": "Heading",
        "text": "Body text",
        "posted_at": None,
        "file": "b.htm",
    }


def test_pages_found_recursively_in_sorted_order(tmp_path: Path) -> None:
    page = "<html><body><p>x</p></body></html>"
    folder = _folder(
        tmp_path,
        {
            "b.html": page,
            "a/z.HTML": page,
            "a/b/c.htm": page,
            "notes.txt": "no",
            "img.png": b"\x89",
        },
    )
    assert [r.fields["file"] for r in open_reader(folder)] == ["a/b/c.htm", "a/z.HTML", "b.html"]


def test_legacy_encodings(tmp_path: Path) -> None:
    body = "<html><head>{meta}</head><body><p>Très belle à Montréal</p></body></html>"
    pages = {
        "declared.html": body.format(meta='<meta charset="windows-1252">').encode("cp1252"),
        "latin1.html": body.format(
            meta='<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        ).encode("cp1252"),
        "undeclared.html": body.format(meta="").encode("cp1252"),
        "utf8.html": body.format(meta="").encode("utf-8"),
        "utf8-bom.html": codecs.BOM_UTF8 + body.format(meta="").encode("utf-8"),
        "utf16.html": codecs.BOM_UTF16_LE + body.format(meta="").encode("utf-16-le"),
        "xhtml.html": '<?xml version="1.0" encoding="utf-8"?>\n' + body.format(meta=""),
        "wrong-declaration.html": body.format(meta='<meta charset="utf-8">').encode("cp1252"),
        "utf16-claim.html": body.format(meta='<meta charset="utf-16">').encode("utf-8"),
        "hex-claim.html": body.format(meta='<meta charset="hex">').encode("utf-8"),
        "unknown-claim.html": body.format(meta='<meta charset="klingon">').encode("utf-8"),
    }
    texts = {r.fields["text"] for r in open_reader(_folder(tmp_path, pages))}
    assert texts == {"Très belle à Montréal"}


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    page = (
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f'<html><body><p>before &xxe; after</p><img src="file://{secret}"></body></html>'
    )
    (record,) = list(open_reader(_folder(tmp_path, {"ad.html": page})))
    assert "TOP-SECRET" not in repr(record)


def test_unparseable_page_is_an_error_record(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"a.html": "", "b.html": "<p>fine</p>"})
    first, second = list(open_reader(folder))
    assert (first.error or "").startswith("could not parse HTML")
    assert first.fields == {"file": "a.html"} and first.raw == ""
    assert second.error is None and second.fields["text"] == "fine"


def test_folder_without_pages_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \.html or \.htm files"):
        open_reader(_folder(tmp_path, {"notes.txt": "x"}))


def test_deeply_nested_page_does_not_crash(tmp_path: Path) -> None:
    page = "<html><body>" + "<div>" * 50_000 + "deep" + "</div>" * 50_000 + "</body></html>"
    # libxml2 caps the nesting depth: the page is read (its deepest text may be lost), no crash.
    (record,) = list(open_reader(_folder(tmp_path, {"ad.html": page})))
    assert record.fields["file"] == "ad.html"
