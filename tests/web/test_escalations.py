"""Escalations (A04) over HTTP and in the browser: the pages and their JSON twins, the workflow's
refusals (409/400), viewers read only, and an analyst taking, reviewing and referring one.

The seeded store's one escalation (`seeded.escalated_ad`) is left to the browser test; the other
tests open their own escalations on ad ids that do not exist (no other test can see them)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import select

from adtrace.model import AdRecord
from adtrace.store.engine import open_store
from adtrace.store.escalations import escalation_of_ad, history, open_escalation
from adtrace.store.runs import finish_run, start_run
from adtrace.store.schema import ads, users
from adtrace.store.scores import AdScore, write_ad_scores
from adtrace.web.app import create_app
from adtrace.web.auth import add_user
from tests.store.imports import import_records
from tests.web.conftest import Watched, csrf_of, login
from tests.web.seed import Seeded

_NO_SUCH_AD = itertools.count(9_000_001)
VIEWER = ("esc-viewer", "viewer-password-1")
HOSTILE_COMMENT = '<img src=x onerror=alert(1)> "quoted" & done'


def _own_escalation(seeded: Seeded, reason: str = "A04 test reason") -> int:
    """A fresh escalation on an ad id no other test uses (the table has no foreign key)."""
    with seeded.engine.begin() as conn:
        return open_escalation(conn, next(_NO_SUCH_AD), reason, "c-test", by="tests").escalation_id


def _csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_of(client.get("/escalations").text)}


def _every(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    """Every escalation the list API gives for `query`, page after page."""
    found: list[dict[str, Any]] = []
    for page in range(1, 100):
        listed = client.get(f"/api/escalations?{query}&page={page}")
        assert listed.status_code == 200, listed.text
        found += listed.json()["escalations"]
        if page >= listed.json()["paging"]["total"] / listed.json()["paging"]["per_page"]:
            return found
    raise AssertionError("too many pages")


@pytest.fixture
def viewer(app: Any, seeded: Seeded) -> Iterator[TestClient]:
    """A client signed in as a viewer (created on first use)."""
    with seeded.engine.begin() as conn:
        known = conn.execute(select(users.c.user_id).where(users.c.username == VIEWER[0])).first()
        if known is None:
            add_user(conn, *VIEWER, role="viewer")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield login(client, *VIEWER)


def test_the_seeded_escalation_is_listed_and_on_its_ad(client: TestClient, seeded: Seeded) -> None:
    listed = client.get("/api/escalations").json()
    mine = [e for e in _every(client) if e["ad_id"] == seeded.escalated_ad]
    assert len(mine) == 1 and mine[0]["reason"].startswith("Explicit minor reference")
    assert set(listed["counts"]) == {"new", "in_review", "referred", "closed"}
    assert listed["owners"] == sorted(listed["owners"]) and seeded.analyst[0] in listed["owners"]
    boxed = client.get(f"/api/ads/{seeded.escalated_ad}/escalation").json()
    assert boxed["escalation_id"] == mine[0]["escalation_id"]
    detail = client.get(f"/api/escalations/{boxed['escalation_id']}").json()
    assert detail["ad"]["site"] == "hostile.example" and detail["flagged_now"]
    assert [r["indicator"] for r in detail["reasons"]] == ["A04"]
    assert detail["history"][0]["action"] == "opened"
    page = client.get(f"/ads/{seeded.escalated_ad}/escalation")
    assert page.status_code == 200 and f'href="/escalations/{boxed["escalation_id"]}"' in page.text
    assert client.get(f"/api/ads/{seeded.hostile_ad}/escalation").json() is None
    empty = client.get(f"/ads/{seeded.hostile_ad}/escalation")
    assert empty.status_code == 200 and empty.text.strip() == ""
    assert client.get("/escalations").status_code == 200
    assert "Escalations" in client.get("/escalations/nav").text


def test_the_workflow_through_the_api(client: TestClient, seeded: Seeded) -> None:
    esc = _own_escalation(seeded)
    url, headers = f"/api/escalations/{esc}", _csrf(client)
    me = seeded.analyst[0]
    taken = client.post(f"{url}/owner", json={"owner": me, "expected": ""}, headers=headers)
    assert taken.status_code == 200 and taken.json()["escalation"]["owner"] == me
    stale = client.post(f"{url}/owner", json={"owner": None, "expected": ""}, headers=headers)
    assert stale.status_code == 409
    refused = client.post(f"{url}/status", json={"status": "referred"}, headers=headers)
    assert refused.status_code == 409 and "New" in refused.json()["detail"]
    moved = client.post(f"{url}/status", json={"status": "in_review"}, headers=headers).json()
    assert [m["status"] for m in moved["moves"]] == ["referred", "closed"]
    assert all(m["needs_comment"] for m in moved["moves"])
    bare = client.post(f"{url}/status", json={"status": "referred"}, headers=headers)
    assert bare.status_code == 400 and "comment" in bare.json()["detail"]
    body = {"status": "referred", "comment": "sent", "expected": "in_review"}
    assert client.post(f"{url}/status", json=body, headers=headers).status_code == 200
    assert client.post(f"{url}/comments", json={"comment": " "}, headers=headers).status_code == 400
    nobody = client.post(f"{url}/owner", json={"owner": "no-such-user"}, headers=headers)
    assert nobody.status_code == 400
    admin = client.post(f"{url}/owner", json={"owner": seeded.admin[0]}, headers=headers).json()
    assert admin["escalation"]["owner"] == seeded.admin[0]
    done = client.post(f"{url}/comments", json={"comment": "noted"}, headers=headers).json()
    assert [(h["action"], h["by"], h["old"], h["new"], h["comment"]) for h in done["history"]] == [
        ("opened", "tests", None, "new", None),
        ("owner", me, None, me, None),
        ("status", me, "new", "in_review", None),
        ("status", me, "in_review", "referred", "sent"),
        ("owner", me, me, seeded.admin[0], None),
        ("comment", me, None, None, "noted"),
    ]
    assert client.post(f"{url}/status", json={"status": "closed"}).status_code == 403  # no CSRF
    assert client.get("/api/escalations/987654321").status_code == 404
    assert (
        client.post(
            "/api/escalations/987654321/comments", json={"comment": "x"}, headers=headers
        ).status_code
        == 404
    )


def test_filters_mine_unowned_status_and_paging(client: TestClient, seeded: Seeded) -> None:
    esc = _own_escalation(seeded)
    headers = _csrf(client)
    client.post(f"/api/escalations/{esc}/owner", json={"owner": seeded.analyst[0]}, headers=headers)
    client.post(f"/api/escalations/{esc}/status", json={"status": "in_review"}, headers=headers)

    def ids(query: str) -> set[int]:
        return {e["escalation_id"] for e in _every(client, query)}

    assert esc in ids("mine=true") and esc in ids("status=in_review&mine=true")
    assert esc not in ids("unowned=true") and esc not in ids("status=new")
    assert esc in ids(f"owner={seeded.analyst[0]}") and esc not in ids(f"owner={seeded.admin[0]}")
    mine = client.get("/api/escalations?mine=true").json()
    assert mine["owner"] == seeded.analyst[0] and mine["mine"]
    assert mine["counts"]["in_review"] >= 1 and sum(mine["counts"].values()) == len(ids("mine=1"))
    assert client.get("/api/escalations?status=bogus").status_code == 422
    newest = client.get("/api/escalations").json()["escalations"]
    assert [e["created_at"] for e in newest] == sorted(
        (e["created_at"] for e in newest), reverse=True
    )
    page = client.get("/escalations?mine=1&status=in_review")
    assert page.status_code == 200 and f'href="/escalations/{esc}"' in page.text
    assert client.get("/api/escalations?page=99").json()["escalations"] == []


def test_forms_redirect_and_refusals_show_the_page_with_the_error(
    client: TestClient, seeded: Seeded
) -> None:
    esc = _own_escalation(seeded, reason='<script>alert("r")</script>')
    ad = client.get(f"/api/escalations/{esc}").json()["ad"]["ad_id"]
    box = client.get(f"/ads/{ad}/escalation").text
    assert f'action="/escalations/{esc}/owner"' in box and "&lt;script&gt;" in box
    page = client.get(f"/escalations/{esc}")
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    form = {"csrf_token": csrf_of(page.text)}
    taken = client.post(
        f"/escalations/{esc}/owner",
        data={**form, "owner": seeded.analyst[0], "expected": ""},
        follow_redirects=False,
    )
    assert taken.status_code == 303 and taken.headers["location"] == f"/escalations/{esc}"
    refused = client.post(f"/escalations/{esc}/status", data={**form, "status": "referred"})
    assert refused.status_code == 409 and "cannot go from New to Referred" in refused.text
    closing = client.post(
        f"/escalations/{esc}/status",
        data={**form, "status": "closed", "comment": "", "expected": "new"},
    )
    assert closing.status_code == 400 and "needs a comment" in closing.text
    noted = client.post(f"/escalations/{esc}/comments", data={**form, "comment": HOSTILE_COMMENT})
    assert noted.status_code == 200  # followed the 303
    assert "<img src=x" not in noted.text and "&lt;img src=x onerror=alert(1)&gt;" in noted.text
    stale = client.post(
        f"/escalations/{esc}/status", data={**form, "status": "in_review", "expected": "closed"}
    )
    assert stale.status_code == 409 and "Someone changed this escalation" in stale.text
    assert (
        client.post(f"/escalations/{esc}/status", data={"status": "in_review"}).status_code == 403
    )
    with seeded.engine.connect() as conn:
        assert [e.action for e in history(conn, esc)] == ["opened", "owner", "comment"]


def test_viewer_reads_but_cannot_change(viewer: TestClient, seeded: Seeded) -> None:
    esc = _own_escalation(seeded)
    page = viewer.get(f"/escalations/{esc}")
    assert page.status_code == 200 and "can read escalations but not change them" in page.text
    assert "/owner" not in page.text
    headers = {"X-CSRF-Token": csrf_of(page.text)}
    form = {"csrf_token": csrf_of(page.text)}
    for url, body in (
        (f"/api/escalations/{esc}/owner", {"owner": "esc-viewer"}),
        (f"/api/escalations/{esc}/status", {"status": "in_review"}),
        (f"/api/escalations/{esc}/comments", {"comment": "hi"}),
    ):
        assert viewer.post(url, json=body, headers=headers).status_code == 403, url
        assert viewer.post(url.replace("/api", ""), data={**form, **body}).status_code == 403, url
    assert viewer.get("/api/escalations").status_code == 200
    ad = viewer.get(f"/api/escalations/{esc}").json()["ad"]["ad_id"]
    box = viewer.get(f"/ads/{ad}/escalation").text
    assert f'href="/escalations/{esc}"' in box and "/owner" not in box
    with seeded.engine.connect() as conn:
        assert [e.action for e in history(conn, esc)] == ["opened"]


def test_signed_out_gets_401_and_the_login(anonymous: TestClient) -> None:
    assert anonymous.get("/api/escalations").status_code == 401
    response = anonymous.get("/escalations", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_older_store_gets_its_escalations_when_a_page_opens(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    import_records(
        engine, [AdRecord(site="s", site_ad_id="1", line=2, content_sha256="h", text="t")]
    )
    with engine.begin() as conn:
        ad, version = conn.execute(select(ads.c.ad_id, ads.c.current_version_id)).one()
        run_id = start_run(conn, "score", {}, "t")  # scored before escalations existed
        write_ad_scores(conn, run_id, [AdScore(int(ad), int(version), 0.0, True, ())])
        finish_run(conn, run_id, {})
        add_user(conn, "old-analyst", "old-password-1", role="analyst")
        assert escalation_of_ad(conn, int(ad)) is None
    with TestClient(create_app(engine), base_url="http://127.0.0.1") as client:
        login(client, "old-analyst", "old-password-1")
        listed = client.get("/api/escalations").json()["escalations"]
        assert [(e["ad_id"], e["status"], e["owner"]) for e in listed] == [(int(ad), "new", None)]
        assert len(client.get("/api/escalations").json()["escalations"]) == 1  # idempotent
        assert '<span class="esc-badge"' in client.get("/escalations/nav").text


def test_an_analyst_takes_reviews_and_refers_in_the_browser(
    watched: Watched, seeded: Seeded
) -> None:
    page, me = watched.page, seeded.analyst[0]
    with seeded.engine.connect() as conn:
        found = escalation_of_ad(conn, seeded.escalated_ad)
    assert found is not None and found.status == "new" and found.owner is None
    page.goto(f"{watched.base}/escalations?status=new")
    page.get_by_role("link", name=f"#{found.escalation_id}", exact=True).click()
    page.wait_for_url(f"{watched.base}/escalations/{found.escalation_id}")
    expect(page.get_by_role("link", name=f"Ad {seeded.escalated_ad}")).to_be_visible()
    page.get_by_role("button", name="Take it").click()
    expect(page.get_by_role("button", name="Release")).to_be_visible()
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In review")
    page.get_by_role("button", name="Refer", exact=True).click()  # without the comment it requires
    expect(page.get_by_role("alert")).to_contain_text("needs a comment")
    page.get_by_label("Comment (required to refer, close or reopen)").fill("Sent to the unit")
    page.get_by_role("button", name="Refer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referred")
    rows = page.locator("table.esc-history tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text(me)
    expect(rows.nth(1)).to_contain_text("Took it")
    expect(rows.nth(2)).to_contain_text(me)
    expect(rows.nth(2)).to_contain_text("New → In review")
    expect(rows.nth(3)).to_contain_text(me)
    expect(rows.nth(3)).to_contain_text("In review → Referred")
    expect(rows.nth(3)).to_contain_text("Sent to the unit")
    page.goto(f"{watched.base}/ads/{seeded.escalated_ad}/escalation")
    expect(page.get_by_text(f"Owner: {me}")).to_be_visible()


def test_pages_speak_french(client: TestClient, seeded: Seeded) -> None:
    esc = _own_escalation(seeded)
    headers = _csrf(client)
    client.post(f"/api/escalations/{esc}/status", json={"status": "in_review"}, headers=headers)
    client.cookies.set("adtrace_lang", "fr")
    try:
        page = client.get(f"/escalations/{esc}").text
        assert "Escalade" in page and "En examen" in page and "Transmettre" in page
        assert "Nouveau → En examen" in page and "Historique" in page
        refused = client.post(
            f"/escalations/{esc}/status", data={"csrf_token": csrf_of(page), "status": "new"}
        )
        assert refused.status_code == 409
        assert "Une escalade ne peut pas passer de «\u00a0En examen\u00a0»" in refused.text
        listed = client.get("/escalations?status=in_review").text
        assert "Les miennes" in listed and "Fermé" in listed and "Transmis" in listed
        api = client.post(f"/api/escalations/{esc}/status", json={"status": "new"}, headers=headers)
        assert api.json()["detail"] == "An escalation cannot go from In review to New."
    finally:
        client.cookies.delete("adtrace_lang")
