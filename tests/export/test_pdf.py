"""The PDF report: hostile ad text is printed as text, never read as markup, and weasyprint never
fetches a URL (a local server counts every request it gets)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pypdf
import pytest

from adtrace.export import redact
from adtrace.export.pdf import PDF_MAX_ADS, html_to_pdf, report_html, report_pdf
from tests.export.dossiers import ad, dossier


def pdf_text(data: bytes) -> str:
    """The text of every page. pypdf reads weasyprint's two-byte glyph codes with a NUL before
    each character; dropping NULs gives the text."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")


class Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def listener() -> Iterator[str]:
    """A local HTTP server that records every request."""
    Counter.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_fetcher_refuses_what_plain_html_asks_for(listener: str) -> None:
    refused: list[str] = []
    html = (
        f'<p>x</p><img src="{listener}/img.svg"><link rel="stylesheet" href="{listener}/s.css">'
        f'<p style="background: url({listener}/bg.svg)">y</p>'
    )
    html_to_pdf(html, refused)
    assert Counter.hits == []
    assert any("/img.svg" in url for url in refused)  # it was asked for, and refused


def test_hostile_ad_text_is_text_in_the_pdf(listener: str) -> None:
    title = f'<img src="{listener}/t.svg"> <script>alert(1)</script> Zoé'
    text = (
        f'<link rel="stylesheet" href="{listener}/x.css"><style>body{{display:none}}</style>'
        f'<b>bold</b> <a href="{listener}/a">x</a> {{{{ 7*7 }}}} &amp; end'
    )
    hostile = ad(1, title, text, url=f"{listener}/ad-url")
    html = report_html(dossier((hostile,)))
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'<img src="{listener}' not in html
    printed = pdf_text(report_pdf(dossier((hostile,))))
    assert Counter.hits == []
    flat = " ".join(printed.split())
    assert "<script>alert(1)</script>" in flat
    assert "<b>bold</b>" in flat
    assert "{{ 7*7 }}" in flat and "&amp; end" in flat


def test_the_report_names_subject_link_run_and_redaction() -> None:
    one = ad(1, "Ana", "call 613 555 0142", ("phone", "+16135550142", "text", "613 555 0142"))
    two = ad(2, "Ana", "call 613 555 0142 now", ("phone", "+16135550142", "text", "613 555 0142"))
    plain = " ".join(pdf_text(report_pdf(dossier((one, two)))).split())
    assert "Cluster r1-1" in plain and "run 4 (full)" in plain
    assert "REDACTED" not in plain and "613 555 0142" in plain
    hidden = " ".join(pdf_text(report_pdf(redact(dossier((one, two))))).split())
    assert "REDACTED" in hidden and "[phone 1]" in hidden and "613 555 0142" not in hidden


def test_a_huge_dossier_prints_the_first_ads_and_counts_the_rest() -> None:
    many = tuple(ad(i, f"title {i}", f"text of ad {i}") for i in range(1, PDF_MAX_ADS + 6))
    html = report_html(dossier(many))
    assert f"Ad {PDF_MAX_ADS}" in html and f"Ad {PDF_MAX_ADS + 1} " not in html
    assert "5 more are in the CSV and JSON exports" in html


def test_the_report_follows_the_language() -> None:
    one = ad(1, "Ana", "call 613 555 0142")
    french = report_html(dossier((one,)), lang="fr")
    assert 'lang="fr"' in french
    english = report_html(dossier((one,)), lang="en")
    assert "Link run" in english
