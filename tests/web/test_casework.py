"""Case work in the app: label a cluster, write a note, tag, gather it into a case (Chromium and
HTTP); the review flag and queue; a viewer reads but cannot change anything; hostile notes are
escaped; every page has its JSON twin.

Each test works on its own clusters of the shared seeded store (the smallest ones, which no other
test uses) and its own cases."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from adtrace.store import casework as cw
from adtrace.store.clusters import cluster_members, cluster_sizes
from adtrace.web import i18n
from adtrace.web.auth import add_user
from tests.web.conftest import Watched, csrf_of, login
from tests.web.seed import Seeded

SLOW = 15_000
"""Milliseconds to wait for an htmx swap or a page on the shared, busy test machine."""
HOSTILE_NOTE = '<script>alert("n")</script><img src=x onerror=alert(5)> {{ 7*7 }} & "q"'


def spare_cluster(seeded: Seeded, k: int) -> str:
    """The k-th smallest cluster of at least two ads (k from 0): one per test, none shared."""
    with seeded.engine.connect() as conn:
        multi = [c for c, n in cluster_sizes(conn) if n >= 2 and c != seeded.cluster_id]
    return multi[-1 - k]


def htmx(client: TestClient, url: str, data: dict[str, str]) -> Any:
    """POST as htmx does: the CSRF token as a header, `HX-Request: true`."""
    token = csrf_of(client.get("/cases").text)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    return client.post(url, data=data, headers=headers)


def plain(client: TestClient, url: str, data: dict[str, str]) -> Any:
    """POST as a plain form does: the CSRF token as a field, no redirect followed."""
    token = csrf_of(client.get("/cases").text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def test_label_note_and_case_in_the_browser(watched: Watched, seeded: Seeded) -> None:
    cluster = spare_cluster(seeded, 0)
    title = f"Operation {secrets.token_hex(3)}"
    page = watched.page
    page.goto(f"{watched.base}/clusters/{cluster}")
    work = page.locator("#casework")
    expect(work.get_by_role("heading", name="Case work")).to_be_visible(timeout=SLOW)
    expect(work.get_by_text("Not labelled.")).to_be_visible()

    work.get_by_label("Label the current ads").select_option("suspected")
    work.get_by_role("button", name="Set label").click()
    expect(work.locator(".cw-current .cw-badge")).to_have_text(
        "trafficking suspected", timeout=SLOW
    )
    expect(work.locator(".cw-current")).to_contain_text(f"by {seeded.analyst[0]}")

    work.get_by_label("Note").fill("Same driver seen in both cities.\nCheck the 2nd phone.")
    work.get_by_role("button", name="Add note").click()
    expect(work.locator(".cw-note-text")).to_have_text(
        "Same driver seen in both cities.\nCheck the 2nd phone.", timeout=SLOW
    )
    work.get_by_label("Tag").fill("Ring North")
    work.get_by_role("button", name="Add tag").click()
    expect(work.locator(".cw-tags .cw-tag")).to_have_text("ring-north", timeout=SLOW)

    work.get_by_label("Add the current ads to").select_option(label="a new case (title below)")
    work.get_by_label("New case title").fill(title)
    work.get_by_role("button", name="Add to case").click()
    work.get_by_role("link", name=title).click()

    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("h1")).to_have_text(title, timeout=SLOW)
    items = page.locator("table.cw-items")
    expect(items).to_contain_text(f"cluster {cluster} as it was")
    expect(items.get_by_role("link", name=cluster)).to_be_visible()  # where its ads are now
    expect(items.locator(".cw-note-text")).to_contain_text("Same driver seen in both cities.")
    expect(items.locator(".cw-note-by")).to_contain_text(f"by {seeded.analyst[0]}")
    expect(items.locator(".cw-badge")).to_have_text("trafficking suspected")
    with seeded.engine.connect() as conn:
        n_ads = len(cluster_members(conn, cluster))
    expect(page.get_by_role("heading", name=f"Ads in the case ({n_ads})")).to_be_visible()

    page.goto(f"{watched.base}/cases")
    expect(page.get_by_role("link", name=title)).to_be_visible()


def test_a_changed_cluster_is_flagged_listed_for_review_and_confirmed(
    client: TestClient, seeded: Seeded
) -> None:
    cluster = spare_cluster(seeded, 1)
    with seeded.engine.begin() as conn:
        members = cluster_members(conn, cluster)
        # labelled before its last ad joined: the set lacks it
        old = cw.snapshot_set(conn, members[:-1], by="earlier", cluster_id=cluster)
        cw.annotate(conn, old, "label", "spam", by="earlier")
    fragment = client.get(f"/clusters/{cluster}/casework").text
    assert "Changed since labelled." in fragment
    assert f'<a href="/ads/{members[-1]}">{members[-1]}</a>' in fragment
    assert "Confirm label" in fragment
    api = client.get(f"/api/clusters/{cluster}/casework").json()
    assert api["label"]["value"] == "spam" and api["label"]["created_by"] == "earlier"
    assert api["review"]["added"] == [members[-1]] and api["review"]["removed"] == []
    queue = client.get("/api/review").json()["flagged"]
    assert [f["review"]["added"] for f in queue if f["cluster_id"] == cluster] == [[members[-1]]]
    review = client.get("/review").text
    assert f'href="/clusters/{cluster}#casework"' in review and "spam" in review

    confirmed = htmx(client, f"/clusters/{cluster}/label", {"label": "spam"})
    assert confirmed.status_code == 200 and "Changed since labelled." not in confirmed.text
    assert "superseded" in confirmed.text  # the first label stays as history
    assert cluster not in [f["cluster_id"] for f in client.get("/api/review").json()["flagged"]]


def test_plain_forms_redirect_and_htmx_gets_the_fragment(
    client: TestClient, seeded: Seeded
) -> None:
    cluster = spare_cluster(seeded, 2)
    done = plain(client, f"/clusters/{cluster}/tags", {"tag": " Lot 7 "})
    assert done.status_code == 303 and done.headers["location"] == f"/clusters/{cluster}#casework"
    api = client.get(f"/api/clusters/{cluster}/casework").json()
    assert [t["value"] for t in api["tags"]] == ["lot-7"]
    again = htmx(client, f"/clusters/{cluster}/tags", {"tag": "lot-7"})
    assert again.status_code == 200 and again.text.count(">lot-7</span>") == 1  # shown once
    tag_id = client.get(f"/api/clusters/{cluster}/casework").json()["tags"][0]["annotation_id"]
    fragment = htmx(client, f"/clusters/{cluster}/annotations/{tag_id}/remove", {})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Removed notes and tags (2)" in fragment.text and "No tag." in fragment.text
    removed = client.get(f"/api/clusters/{cluster}/casework").json()["removed"]
    assert removed[0]["removed_by"] == seeded.analyst[0]

    # wrong input: the fragment with the reason (htmx) or an error page (plain form)
    assert "A tag has 1 to 40" in htmx(client, f"/clusters/{cluster}/tags", {"tag": "é!"}).text
    assert "Choose a label." in htmx(client, f"/clusters/{cluster}/label", {"label": "x"}).text
    long = "x" * (cw.NOTE_MAX + 1)
    assert plain(client, f"/clusters/{cluster}/notes", {"note": long}).status_code == 400
    assert plain(client, f"/clusters/{cluster}/notes", {"note": "  "}).status_code == 400
    assert plain(client, "/clusters/nope/label", {"label": "spam"}).status_code == 404
    assert client.get("/clusters/nope/casework").status_code == 404
    assert client.get("/api/ads/999999999/casework").status_code == 404
    assert client.get(f"/api/cases/{2**63}").status_code == 422  # beyond a 64-bit key


def test_cases_from_the_ad_page_by_id_closed_and_reopened(
    client: TestClient, seeded: Seeded
) -> None:
    title = f"Ads {secrets.token_hex(3)}"
    created = plain(client, "/cases", {"title": title, "summary": "two ads"})
    assert created.status_code == 303
    case_url = created.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    ad = seeded.escalated_ad
    fragment = htmx(client, f"/ads/{ad}/cases", {"case_id": str(case_id)})
    assert f'<a href="/cases/{case_id}">{title}</a>' in fragment.text
    assert client.get(f"/api/ads/{ad}/casework").json()["cases"] == [
        {"case_id": case_id, "title": title}
    ]
    assert plain(client, f"{case_url}/ads", {"ad_id": str(seeded.hostile_ad)}).status_code == 303
    missing = plain(client, f"{case_url}/ads", {"ad_id": "999999999"})
    assert missing.status_code == 400 and "There is no ad 999999999." in missing.text
    case = client.get(f"/api{case_url}").json()
    assert [i["ad_id"] for i in case["items"]] == [ad, seeded.hostile_ad]
    assert [a["ad_id"] for a in case["ads"]] == sorted([ad, seeded.hostile_ad])
    html = client.get(case_url).text
    assert "<img src=x" not in html and "&lt;script&gt;" in html  # the hostile ad's title

    first = case["items"][0]["item_id"]
    assert plain(client, f"{case_url}/items/{first}/remove", {}).status_code == 303
    case = client.get(f"/api{case_url}").json()
    assert [i["ad_id"] for i in case["removed_items"]] == [ad] and case["n_ads"] == 1
    assert "Removed items" in client.get(case_url).text

    assert plain(client, f"{case_url}/status", {"status": "closed"}).status_code == 303
    closed = plain(client, f"{case_url}/ads", {"ad_id": str(ad)})
    assert closed.status_code == 400 and "This case is closed." in closed.text
    assert title in client.get("/cases?status=closed").text
    assert title not in client.get("/cases?status=open").text
    lines = client.get("/api/cases").json()["cases"]
    line = next(c for c in lines if c["case_id"] == case_id)
    assert (line["status"], line["n_items"], line["n_ads"]) == ("closed", 1, 1)
    assert plain(client, f"{case_url}/status", {"status": "open"}).status_code == 303
    assert client.get(f"/api{case_url}").json()["status"] == "open"
    assert plain(client, "/cases", {"title": " "}).status_code == 400
    assert client.get("/cases/999999999").status_code == 404


def test_a_hostile_note_is_shown_as_text_everywhere(client: TestClient, seeded: Seeded) -> None:
    cluster = spare_cluster(seeded, 3)
    fragment = htmx(client, f"/clusters/{cluster}/notes", {"note": HOSTILE_NOTE}).text
    title = "<b onmouseover=alert(6)>case</b>"
    created = plain(client, "/cases", {"title": title, "summary": HOSTILE_NOTE})
    case_url = created.headers["location"]
    case_id = case_url.rsplit("/", 1)[1]
    htmx(client, f"/clusters/{cluster}/cases", {"case_id": case_id})
    pages = [fragment, client.get(case_url).text, client.get("/cases").text]
    pages.append(client.get(f"/clusters/{cluster}/casework").text)
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<b onmouseover" not in html
    assert "&lt;script&gt;alert(&#34;n&#34;)&lt;/script&gt;" in pages[0]
    assert "{{ 7*7 }}" in pages[0] and "49" not in pages[0]
    assert "&lt;b onmouseover=alert(6)&gt;case&lt;/b&gt;" in pages[1]
    api = client.get(f"/api/clusters/{cluster}/casework").json()
    assert api["notes"][0]["value"] == HOSTILE_NOTE  # stored as written


@pytest.fixture(scope="module")
def viewer(seeded: Seeded) -> tuple[str, str]:
    name, password = f"viewer-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    with seeded.engine.begin() as conn:
        add_user(conn, name, password, role="viewer")
    return name, password


def test_a_viewer_reads_case_work_but_sees_no_form_and_cannot_post(
    app: Any, client: TestClient, seeded: Seeded, viewer: tuple[str, str]
) -> None:
    cluster = spare_cluster(seeded, 4)
    created = plain(client, "/cases", {"title": "Viewer can read", "summary": ""})
    case_url = created.headers["location"]
    htmx(client, f"/clusters/{cluster}/notes", {"note": "written by the analyst"})
    with TestClient(app, base_url="http://127.0.0.1") as reader:
        login(reader, *viewer)
        pages = {
            "cluster": reader.get(f"/clusters/{cluster}/casework"),
            "ad": reader.get(f"/ads/{seeded.hostile_ad}/casework"),
            "cases": reader.get("/cases"),
            "case": reader.get(case_url),
            "review": reader.get("/review"),
        }
        for name, response in pages.items():
            assert response.status_code == 200, name
            main = response.text.split("<main", 1)[-1]
            assert "<form" not in main, name
        assert "written by the analyst" in pages["cluster"].text
        token = csrf_of(reader.get("/cases").text)
        posts = [
            (f"/clusters/{cluster}/label", {"label": "spam"}),
            (f"/clusters/{cluster}/notes", {"note": "no"}),
            (f"/clusters/{cluster}/tags", {"tag": "no"}),
            (f"/clusters/{cluster}/label/remove", {}),
            (f"/clusters/{cluster}/cases", {"title": "no"}),
            (f"/ads/{seeded.hostile_ad}/cases", {"title": "no"}),
            ("/cases", {"title": "no"}),
            (f"{case_url}/ads", {"ad_id": str(seeded.hostile_ad)}),
            (f"{case_url}/status", {"status": "closed"}),
            (f"{case_url}/items/1/remove", {}),
        ]
        for url, data in posts:
            response = reader.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
            assert response.status_code == 403, url
    assert client.get(f"/api{case_url}").json()["status"] == "open"
    assert "no" not in [
        t["value"] for t in client.get(f"/api/clusters/{cluster}/casework").json()["tags"]
    ]


def test_writes_need_the_csrf_token(client: TestClient, seeded: Seeded) -> None:
    cluster = spare_cluster(seeded, 5)
    response = client.post(f"/clusters/{cluster}/label", data={"label": "spam"})
    assert response.status_code == 403
    assert client.get(f"/api/clusters/{cluster}/casework").json()["label"] is None


def test_case_work_speaks_french(app: Any, seeded: Seeded) -> None:
    cluster = spare_cluster(seeded, 6)
    with TestClient(app, base_url="http://127.0.0.1") as french:
        french.cookies.set("adtrace_lang", "fr")
        login(french, *seeded.analyst)
        html = french.get(f"/clusters/{cluster}/casework").text
        assert "Étiqueter les annonces actuelles" in html and "Sans étiquette." in html
        assert "Label the current ads" not in html
        assert "Dossiers par état" in french.get("/cases").text
        assert "Grappes modifiées depuis l’étiquetage" in french.get("/review").text
        token = csrf_of(french.get("/cases").text)
        wrong = french.post(
            f"/clusters/{cluster}/tags",
            data={"tag": "?"},
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
        assert "Un mot-clé compte de 1 à 40 lettres" in wrong.text


def test_french_typography_in_casework_po() -> None:
    """A non-breaking space before : ; ? !, the typographic apostrophe, no "e-mail"."""
    path = Path(i18n.catalogue_folder("fr")) / "casework.po"
    for message in i18n.read_catalogue(path, "fr"):
        if message.id:
            text = re.sub(r"<[^>]+>|%\(\w+\)s|/\S*", "", str(message.string))
            assert text.strip(), message.id
            assert not re.search(r"(?<![\u00a0\u202f])[:;?!](?=\s|$)", text), text
            assert "'" not in text and '"' not in text and "e-mail" not in text, text
