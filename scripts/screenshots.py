"""Screenshots of every page of the web app over a synthetic store, into docs/screenshots/.

Usage: .venv/bin/python scripts/screenshots.py [--ads 300]
Needs Debian's Chromium (/usr/bin/chromium) and the web assets (scripts/assets.sh). Synthetic data
only: the store is built from adtrace.synth in a temporary folder and thrown away.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from tests.web.seed import Seeded, obfuscated, seed_store  # noqa: E402

from adtrace.web.app import create_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PORT = 8766


def serve(seeded: Seeded) -> uvicorn.Server:
    server = uvicorn.Server(
        uvicorn.Config(create_app(seeded.engine), host="127.0.0.1", port=PORT, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def shoot(page: Page, name: str, *, full: bool = False) -> None:
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print(f"docs/screenshots/{name}.png")


def take(page: Page, seeded: Seeded, base: str) -> None:
    page.goto(f"{base}/login")
    shoot(page, "login")
    page.fill("#username", seeded.analyst[0])
    page.fill("#password", seeded.analyst[1])
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{base}/")
    shoot(page, "dashboard", full=True)
    page.goto(f"{base}/search")
    page.get_by_label("Phone").fill(obfuscated(seeded.phone))
    page.get_by_label("Phone").press("Enter")
    page.wait_for_selector("#results h2")
    shoot(page, "search")
    page.goto(f"{base}/ads/{seeded.escalated_ad}")
    shoot(page, "ad-escalated")
    page.goto(f"{base}/ads/{seeded.hostile_ad}")
    shoot(page, "ad-hostile-text-escaped")
    page.goto(f"{base}/clusters/{seeded.cluster_id}")
    page.wait_for_selector(".graph[data-drawn]")
    shoot(page, "cluster")
    page.locator("#compare-form button").click()
    page.wait_for_selector("#compare h2")
    page.locator("#compare").screenshot(path=str(OUT / "cluster-compare.png"))
    print("docs/screenshots/cluster-compare.png")
    for section in ("template", "timeline", "map", "graph"):
        page.locator(f"section:has(#{section})").screenshot(
            path=str(OUT / f"cluster-{section}.png")
        )
        print(f"docs/screenshots/cluster-{section}.png")
    page.locator("a.evidence-link").first.click()
    page.wait_for_selector("h1:has-text('Comparison')")
    shoot(page, "link-evidence")
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock")
    shoot(page, "api-docs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=300, help="synthetic ads in the store")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="adtrace-shots-") as folder:
        seeded = seed_store(f"sqlite:///{folder}/store.db", Path(folder), n_ads=args.ads)
        server = serve(seeded)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            take(page, seeded, f"http://127.0.0.1:{PORT}")
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()
