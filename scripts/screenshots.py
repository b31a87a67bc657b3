"""Screenshots of every page of the web app over a synthetic store, into docs/screenshots/.

Usage: .venv/bin/python scripts/screenshots.py [--ads 300]
Needs Debian's Chromium (/usr/bin/chromium) and the web assets (scripts/assets.sh). Synthetic data
only: the store is built from adtrace.synth in a temporary folder and thrown away.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from tests.web.seed import Seeded, obfuscated, seed_store  # noqa: E402

from adtrace.store import clusters as cluster_store  # noqa: E402
from adtrace.store.casework import annotate, snapshot_set  # noqa: E402
from adtrace.synth import generate_ads, write_ads  # noqa: E402
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


def take_casework(page: Page, seeded: Seeded, base: str, folder: Path) -> None:
    """Part 2: case work, review, cases, escalations, exports, imports, French."""
    page.goto(f"{base}/clusters/{seeded.cluster_id}")
    work = page.locator("#casework")
    expect(work.get_by_text("Not labelled.")).to_be_visible(timeout=20_000)
    work.get_by_label("Label the current ads").select_option("suspected")
    work.get_by_role("button", name="Set label").click()
    expect(work.locator(".cw-current .cw-badge")).to_be_visible(timeout=20_000)
    work.get_by_label("Note").fill("Same template on three sites; the Ottawa posts come first.")
    work.get_by_role("button", name="Add note").click()
    expect(work.locator(".cw-note-text")).to_be_visible(timeout=20_000)
    work.get_by_label("Tag").fill("ottawa-circuit")
    work.get_by_role("button", name="Add tag").click()
    expect(work.locator(".cw-tags .cw-tag")).to_be_visible(timeout=20_000)
    work.get_by_label("Add the current ads to").select_option(label="a new case (title below)")
    work.get_by_label("New case title").fill("Ottawa circuit, spring 2024")
    work.get_by_role("button", name="Add to case").click()
    expect(work.get_by_role("link", name="Ottawa circuit, spring 2024")).to_be_visible()
    work.screenshot(path=str(OUT / "cluster-casework.png"))
    print("docs/screenshots/cluster-casework.png")
    page.locator("section.export").first.screenshot(path=str(OUT / "cluster-export-form.png"))
    print("docs/screenshots/cluster-export-form.png")
    _flag_a_cluster(seeded)
    page.goto(f"{base}/review")
    shoot(page, "review")
    page.goto(f"{base}/cases")
    shoot(page, "cases")
    page.get_by_role("link", name="Ottawa circuit, spring 2024").click()
    page.wait_for_url("**/cases/*")
    shoot(page, "case", full=True)
    page.locator(".export-form select[name=format]").select_option("pdf")
    page.locator(".export-form input[name=redact]").check()
    with page.expect_download() as download:
        page.locator(".export-form button[type=submit]").click()
    download.value.save_as(str(folder / "case.pdf"))
    page.goto(f"{base}/exports")
    shoot(page, "exports")
    page.goto(f"{base}/escalations?status=new")
    shoot(page, "escalations")
    page.locator("table a[href^='/escalations/']").first.click()
    page.get_by_role("button", name="Take it").click()
    page.get_by_role("button", name="Start the review").click()
    page.get_by_label("Comment (required to refer, close or reopen)").fill("Sent to the unit")
    page.get_by_role("button", name="Refer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referred")
    shoot(page, "escalation", full=True)
    upload = folder / "spring-ads.csv"
    _bad_upload(upload)
    page.goto(f"{base}/imports")
    page.set_input_files("input[name=file]", str(upload))
    page.fill("input[name=dataset]", "spring")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-status .import-state")).to_have_text("complete", timeout=120_000)
    shoot(page, "import-job", full=True)
    page.goto(f"{base}/imports")
    shoot(page, "imports")
    page.get_by_role("button", name="Français").click()
    page.goto(f"{base}/clusters/{seeded.cluster_id}")
    page.wait_for_selector("#casework .cw-badge")
    shoot(page, "cluster-fr")
    page.goto(f"{base}/")
    shoot(page, "dashboard-fr")
    page.get_by_role("button", name="English").click()


def take_admin(page: Page, seeded: Seeded, base: str) -> None:
    """Issue 9: the admin's pages (users, audit log, retention), signed in as the admin."""
    page.goto(f"{base}/login")
    page.fill("#username", seeded.admin[0])
    page.fill("#password", seeded.admin[1])
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{base}/")
    for name, path in (
        ("admin-users", "/admin/users"),
        ("admin-audit", "/admin/audit"),
        ("admin-retention", "/admin/retention"),
    ):
        page.goto(base + path)
        shoot(page, name)


def _flag_a_cluster(seeded: Seeded) -> None:
    """Label a second cluster on all its ads but one, as if the cluster had grown since."""
    with seeded.engine.begin() as conn:
        sizes = cluster_store.cluster_sizes(conn, limit=5)
        cluster_id = next(c for c, n in sizes if c != seeded.cluster_id and n > 2)
        members = cluster_store.cluster_members(conn, cluster_id)
        run = cluster_store.latest_link_run(conn)
        labelled = snapshot_set(
            conn, members[:-1], by=seeded.analyst[0], cluster_id=cluster_id, link_run=run
        )
        annotate(conn, labelled, "label", "spam", by=seeded.analyst[0])


def _bad_upload(path: Path) -> None:
    """A small synthetic file with two rows the import rejects (no id; an impossible date)."""
    write_ads(generate_ads(40, 5, workers=1), path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    blank_id = [
        "" if name == "id" else "2024-03-01T10:00:00Z" if name == "posted_at" else "x"
        for name in header
    ]
    bad_date = [
        "b1" if name == "id" else "the 32nd of Smarch" if name == "posted_at" else "x"
        for name in header
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*rows, blank_id, bad_date])


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
            page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
            take(page, seeded, f"http://127.0.0.1:{PORT}")
            take_casework(page, seeded, f"http://127.0.0.1:{PORT}", Path(folder))
            admin = browser.new_page(viewport={"width": 1366, "height": 900})
            take_admin(admin, seeded, f"http://127.0.0.1:{PORT}")
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()
