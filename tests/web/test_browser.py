"""Chromium drives the app like an analyst: search by an obfuscated phone, open the cluster,
compare two ads, follow a link's evidence; nothing leaves localhost, no CSP violation."""

from __future__ import annotations

import re

from tests.web.conftest import Watched
from tests.web.seed import HOSTILE_TITLE, Seeded, obfuscated


def test_search_cluster_compare_and_evidence(watched: Watched, seeded: Seeded) -> None:
    page = watched.page
    page.goto(f"{watched.base}/search")
    page.get_by_label("Phone").fill(obfuscated(seeded.phone))
    page.get_by_label("Phone").press("Enter")
    page.wait_for_selector("#results h2")
    results = page.locator("#results")
    assert f"Phone read as {seeded.phone}" in results.inner_text()
    assert re.match(r"[\d,]+ ads", page.locator("#results h2").inner_text())
    assert page.locator("#results li.hit").count() >= 2
    assert "phone=" in page.url  # htmx pushed the search into the address bar

    page.locator(f'#results a[href="/clusters/{seeded.cluster_id}"]').first.click()
    page.wait_for_selector("h1:has-text('Cluster')")
    assert page.locator("h1").inner_text() == f"Cluster {seeded.cluster_id}"
    assert page.locator("#timeline ~ .figure svg, .figure svg").count() >= 2
    page.wait_for_selector(".graph[data-drawn]")
    assert int(page.locator(".graph").get_attribute("data-drawn") or 0) >= 2

    page.locator("#compare-form button").click()
    page.wait_for_selector("#compare h2")
    compare = page.locator("#compare")
    assert "Ad " in compare.locator("h2").inner_text()
    assert compare.locator("mark.hl-passage").count() >= 2
    assert "Shared selectors" in compare.inner_text()

    evidence = page.locator("a.evidence-link").first
    pair = evidence.inner_text().removeprefix("evidence for ")
    evidence.click()
    page.wait_for_selector("h1:has-text('Comparison')")
    text = page.locator("main").inner_text()
    assert "Linked by the latest link run" in text and "score" in text
    a, b = pair.split("–")
    assert f"Ad {a} and ad {b}" in page.locator("#compare h2").inner_text()
    assert page.locator("mark.hl-passage").count() >= 2
    assert not watched.violations() and not watched.foreign_requests()


def test_hostile_ad_renders_as_text_and_runs_nothing(watched: Watched, seeded: Seeded) -> None:
    page = watched.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{watched.base}/ads/{seeded.hostile_ad}")
    assert page.locator(".ad-title").inner_text() == HOSTILE_TITLE
    assert "<svg onload=alert(3)>" in page.locator(".ad-body").inner_text()
    assert page.locator(".ad-body script, .ad-body svg, .ad-body img, .ad-body style").count() == 0
    assert page.locator("main").is_visible()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert not watched.violations() and not watched.foreign_requests()


def test_dashboard_and_docs_by_keyboard(watched: Watched) -> None:
    page = watched.page
    page.goto(f"{watched.base}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert "Clusters by review priority" in page.locator("main").inner_text()
    page.goto(f"{watched.base}/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 5


def test_the_csp_watch_would_see_a_violation(watched: Watched) -> None:
    """The listener is live: an inline style attribute is blocked and recorded."""
    page = watched.page
    page.goto(f"{watched.base}/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in watched.violations())
    page.evaluate("window.__cspViolations = []")
    watched.console.clear()
