"""The audit log of the web app, on both backends: searches (terms only as keyed hashes, never in
clear, not even in the SQLite file's bytes), views, exports and changes recorded with the right
user; what is not recorded; the admin pages (filters, "who searched this phone", CSV, JSON);
a failed audit write is logged loudly and the user's request still answered."""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import Engine, cast, select
from sqlalchemy.types import Text

from adtrace.settings import Settings
from adtrace.store.audit import AuditKeyError, keyed_hash, record_event
from adtrace.store.engine import open_store
from adtrace.store.schema import audit_log, batches
from adtrace.web.app import create_app
from adtrace.web.audit import app_key, search_terms
from adtrace.web.auth import add_user
from tests.web.conftest import csrf_of, login, signed_in_page
from tests.web.seed import Seeded, obfuscated

Events = list[dict[str, Any]]


def new_user(seeded: Seeded, role: str) -> tuple[str, str]:
    """A user of this test only (the seeded store is shared), and their password."""
    name, password = f"audit-{role}-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    with seeded.engine.begin() as conn:
        add_user(conn, name, password, role=role)
    return name, password


@pytest.fixture
def signed_in(app: Any, seeded: Seeded) -> Iterator[tuple[TestClient, str]]:
    """A client signed in as an analyst of this test only, and their name."""
    name, password = new_user(seeded, "analyst")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield login(client, name, password), name


@pytest.fixture
def admin(app: Any, seeded: Seeded) -> Iterator[TestClient]:
    """A client signed in as the seeded admin."""
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield login(client, *seeded.admin)


def events_of(seeded: Seeded, username: str | None) -> Events:
    """Every audit row of `username` but sign-ins (adtrace.web.auth records those), oldest
    first, as plain values."""
    query = select(audit_log).where(audit_log.c.action.not_like("sign\\_in%", escape="\\"))
    query = query.order_by(audit_log.c.event_id)
    if username is None:
        query = query.where(audit_log.c.username.is_(None))
    else:
        query = query.where(audit_log.c.username == username)
    with seeded.engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def log_text(seeded: Seeded) -> str:
    """The whole audit log as the database gives it back as text (every column)."""
    columns = [cast(c, Text) for c in audit_log.c]
    with seeded.engine.connect() as conn:
        return "\n".join(" ".join(str(v) for v in row) for row in conn.execute(select(*columns)))


def store_bytes(seeded: Seeded) -> bytes:
    """The SQLite store's file and its WAL after a checkpoint."""
    path = Path(seeded.url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def unused_phone(seeded: Seeded) -> str:
    """A made-up Ottawa number that occurs nowhere in the store yet (10 digits)."""
    text = log_text(seeded)
    data = store_bytes(seeded) if seeded.url.startswith("sqlite") else b""
    while True:
        digits = f"613555{secrets.randbelow(10_000):04d}"
        if digits not in text and digits.encode() not in data:
            return digits


# --- searches ----------------------------------------------------------------------------------


def test_searches_are_recorded_as_keyed_hashes_only(
    app: Any, seeded: Seeded, signed_in: tuple[TestClient, str]
) -> None:
    client, name = signed_in
    digits = unused_phone(seeded)
    written = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    email = f"Zq.{secrets.token_hex(3)}@Example.ORG"
    handle = f"@Qx{secrets.token_hex(3)}"
    person = f"Quixotiqa{secrets.token_hex(2)} Vandermolen"
    words = f"Xylophonique{secrets.token_hex(2)} {digits}"
    criteria = {"phone": written, "email": email, "handle": handle, "name": person, "q": words}
    assert client.get("/api/search", params={**criteria, "sort": "score"}).status_code == 200
    assert client.get("/search", params={"phone": obfuscated("+1" + digits)}).status_code == 200

    found = events_of(seeded, name)
    assert [e["action"] for e in found] == ["search", "search"]
    key = app_key(app)
    terms = found[0]["details"]["terms"]
    phone_hash = keyed_hash(f"phone:+1{digits}", key=key)
    assert terms["phone"] == [phone_hash]
    assert terms["email"] == [keyed_hash(f"email:{email.lower()}", key=key)]
    assert terms["handle"] == [keyed_hash(f"handle:{handle[1:].lower()}", key=key)]
    assert terms["name"] == [keyed_hash(t, key=key) for t in search_terms("name", person)]
    assert phone_hash in terms["q"]  # a phone typed in the words box is read too
    assert found[0]["details"]["filters"] == {"sort": "score"}
    assert found[0]["details"]["route"] == "GET /api/search"
    assert found[1]["details"]["terms"] == {"phone": [phone_hash]}  # same person, any writing

    raw = [digits, written, email, email.lower(), handle, person.split()[0], words.split()[0]]
    raw += [v.lower() for v in raw] + [f"+1{digits}", "Vandermolen", "vandermolen"]
    text = log_text(seeded)
    assert not [value for value in raw if value in text]
    if seeded.url.startswith("sqlite"):
        data = store_bytes(seeded)
        assert not [value for value in raw if value.encode() in data]


def test_empty_search_forms_and_other_reads_are_not_recorded(
    seeded: Seeded, signed_in: tuple[TestClient, str]
) -> None:
    client, name = signed_in
    for path in (
        "/",
        "/search",
        "/search?sort=oldest&page=2",
        "/api/dashboard",
        "/static/app.css",
        "/healthz",
        "/escalations/nav",
        f"/clusters/{seeded.cluster_id}/casework",
        f"/api/clusters/{seeded.cluster_id}/graph",
        f"/ads/{seeded.hostile_ad}/casework",
        "/cases",
        "/exports",
        "/imports",
    ):
        assert client.get(path).status_code == 200, path
    assert events_of(seeded, name) == []


# --- views, changes, exports ---------------------------------------------------------------


def test_views_are_recorded_with_their_target(
    seeded: Seeded, signed_in: tuple[TestClient, str]
) -> None:
    client, name = signed_in
    ad, cluster = seeded.escalated_ad, seeded.cluster_id
    escalation = client.get(f"/api/ads/{ad}/escalation").json()["escalation_id"]
    with seeded.engine.connect() as conn:
        batch = conn.execute(select(batches.c.batch_id).limit(1)).scalar_one()
    before = len(events_of(seeded, name))
    visits = [
        (f"/ads/{ad}", "view_ad", f"ad:{ad}"),
        (f"/api/ads/{ad}", "view_ad", f"ad:{ad}"),
        (f"/clusters/{cluster}", "view_cluster", f"cluster:{cluster}"),
        (f"/api/clusters/{cluster}", "view_cluster", f"cluster:{cluster}"),
        (f"/compare?a={ad}&b={seeded.hostile_ad}", "compare", f"ad:{ad}"),
        (f"/api/compare?a={ad}&b={seeded.hostile_ad}", "compare", f"ad:{ad}"),
        (f"/escalations/{escalation}", "view_escalation", f"escalation:{escalation}"),
        (f"/api/escalations/{escalation}", "view_escalation", f"escalation:{escalation}"),
        (f"/imports/batches/{batch}", "view_import", f"batch:{batch}"),
        (f"/api/imports/batches/{batch}", "view_import", f"batch:{batch}"),
    ]
    for path, _action, _target in visits:
        assert client.get(path).status_code == 200, path
    found = events_of(seeded, name)[before:]
    assert [(e["action"], e["target"]) for e in found] == [(a, t) for _p, a, t in visits]
    assert all(e["details"]["status"] == 200 and e["address"] for e in found)
    assert found[4]["details"]["with"] == f"ad:{seeded.hostile_ad}"
    assert found[0]["details"]["route"] == "GET /ads/{ad_id}"


def test_a_refused_view_keeps_its_parameters_hashed(
    seeded: Seeded, signed_in: tuple[TestClient, str]
) -> None:
    client, name = signed_in
    digits = unused_phone(seeded)
    assert client.get(f"/ads/{digits}").status_code == 404
    (event,) = events_of(seeded, name)
    assert event["action"] == "view_ad" and event["target"] is None
    assert event["details"]["status"] == 404 and list(event["details"]["params"]) == ["ad_id"]
    assert digits not in log_text(seeded)


def test_changes_and_exports_are_recorded_with_the_user(
    app: Any, seeded: Seeded, signed_in: tuple[TestClient, str]
) -> None:
    client, name = signed_in
    token = csrf_of(client.get("/").text)
    cluster = seeded.cluster_id
    tagged = client.post(
        f"/clusters/{cluster}/tags",
        data={"tag": "audit-check", "csrf_token": token},
        follow_redirects=False,
    )
    opened = client.post(
        "/cases", data={"title": "Audit case", "csrf_token": token}, follow_redirects=False
    )
    assert tagged.status_code in (200, 303) and opened.status_code == 303
    case_id = opened.headers["location"].rsplit("/", 1)[1]
    exported = client.post(
        "/exports",
        data={"subject": "cluster", "subject_id": cluster, "format": "csv", "redact": "1"},
        headers={"X-CSRF-Token": token},
    )
    assert exported.status_code == 200
    refused = client.post(f"/clusters/{cluster}/tags", data={"tag": "x", "csrf_token": "wrong"})
    assert refused.status_code == 403

    found = events_of(seeded, name)
    assert [e["action"] for e in found] == ["change", "change", "export", "change"]
    tag, case, export, bad = found
    assert tag["target"] == f"cluster:{cluster}"
    assert tag["details"]["route"] == "POST /clusters/{cluster_id}/tags"
    assert tag["details"]["status"] == tagged.status_code
    assert case["details"]["route"] == "POST /cases" and case["details"]["status"] == 303
    assert case["details"]["location"] == f"/cases/{case_id}"
    assert export["target"] == f"cluster:{cluster}"
    assert export["details"]["format"] == "csv" and export["details"]["redacted"] is True
    assert str(export["details"]["export_id"]) == exported.headers["x-export-id"]
    assert bad["details"]["status"] == 403 and bad["target"] is None


def test_a_viewer_refused_and_a_signed_out_change_are_recorded(
    app: Any, seeded: Seeded, anonymous: TestClient
) -> None:
    name, password = new_user(seeded, "viewer")
    with TestClient(app, base_url="http://127.0.0.1") as viewer:
        login(viewer, name, password)
        token = csrf_of(viewer.get("/").text)
        answer = viewer.post(
            "/exports",
            data={"subject": "cluster", "subject_id": "x", "format": "csv", "csrf_token": token},
        )
        assert answer.status_code == 403
        viewer.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    actions = [(e["action"], e["details"]["status"]) for e in events_of(seeded, name)]
    assert actions == [("export", 403), ("sign_out", 303)]
    before = len(events_of(seeded, None))
    assert anonymous.post("/cases", data={"title": "x"}).status_code == 403
    assert anonymous.get(f"/ads/{seeded.hostile_ad}", follow_redirects=False).status_code == 303
    anonymous_events = events_of(seeded, None)[before:]
    assert [(e["action"], e["details"]["route"]) for e in anonymous_events] == [
        ("change", "POST /cases")
    ]


# --- the admin pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/audit", "/api/admin/audit", "/admin/audit.csv"])
def test_only_admins_read_the_audit_log(
    app: Any, seeded: Seeded, anonymous: TestClient, path: str
) -> None:
    for role in ("analyst", "viewer"):
        name, password = new_user(seeded, role)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            login(client, name, password)
            assert client.get(path).status_code == 403, (role, path)
    answer = anonymous.get(path, follow_redirects=False)
    assert answer.status_code == (401 if path.startswith("/api/") else 303)
    assert "audit-" not in answer.text


def test_who_searched_this_phone(
    app: Any, seeded: Seeded, signed_in: tuple[TestClient, str], admin: TestClient
) -> None:
    client, name = signed_in
    digits = unused_phone(seeded)
    client.get("/api/search", params={"phone": f"+1 {digits}"})
    client.get("/api/search", params={"q": f"call {digits[:3]}.{digits[3:6]}.{digits[6:]}"})
    client.get("/api/search", params={"phone": "613 555 0000"})
    asked = {"term": obfuscated("+1" + digits), "kind": "phone"}
    page = admin.get("/api/admin/audit", params=asked).json()
    assert [(e["username"], e["action"]) for e in page["events"]] == [(name, "search")] * 2
    assert page["term_hashes"] == [keyed_hash(f"phone:+1{digits}", key=app_key(app))]
    assert page["paging"]["total"] == 2
    html = admin.get("/admin/audit", params=asked)
    assert html.status_code == 200 and name in html.text and digits not in html.text
    # The admin's look-up is itself recorded, with the term hashed.
    lookups = [e for e in events_of(seeded, seeded.admin[0]) if e["action"] == "view_audit"]
    assert lookups[-1]["details"]["terms"] == {"phone": page["term_hashes"]}
    assert digits not in log_text(seeded)


def test_filters_paging_and_newest_first(seeded: Seeded, admin: TestClient) -> None:
    name, _password = new_user(seeded, "analyst")
    with seeded.engine.begin() as conn:
        ids = [
            record_event(conn, username=name, action="view_ad", target=f"ad:{n}") for n in range(55)
        ]
        record_event(conn, username=name, action="view_case", target="case:1")
    first = admin.get("/api/admin/audit", params={"user": name, "action": "view_ad"}).json()
    assert first["paging"] == {"page": 1, "per_page": 50, "total": 55}
    assert [e["event_id"] for e in first["events"]] == ids[::-1][:50]
    second = admin.get("/api/admin/audit", params={"user": name, "action": "view_ad", "page": 2})
    assert [e["event_id"] for e in second.json()["events"]] == ids[::-1][50:]
    by_target = admin.get("/api/admin/audit", params={"user": name, "target": "case:1"}).json()
    assert [e["action"] for e in by_target["events"]] == ["view_case"]
    future = admin.get("/api/admin/audit", params={"user": name, "from": "2999-01-01"}).json()
    assert future["paging"]["total"] == 0
    assert admin.get("/api/admin/audit", params={"from": "yesterday"}).status_code == 400
    html = admin.get("/admin/audit", params={"user": name}).text
    assert "case:1" in html and "page 1 of 2" in html


def test_csv_export_of_the_filtered_log_is_formula_safe(seeded: Seeded, admin: TestClient) -> None:
    name, _password = new_user(seeded, "analyst")
    hostile = '=HYPERLINK("http://x.example","y")'
    with seeded.engine.begin() as conn:
        record_event(conn, username=name, action="view_ad", target="ad:1")
        record_event(conn, username=name, action="change", target=hostile, details={"a": "+1"})
        record_event(
            conn, username=name, action="note", details={"x": "<img src=x onerror=alert(1)>"}
        )
    answer = admin.get("/admin/audit.csv", params={"user": name})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["event_id", "at", "username", "action", "target", "address", "details"]
    assert [r[3] for r in rows[1:]] == ["note", "change", "view_ad"]
    assert rows[2][4] == "'" + hostile and json.loads(rows[2][6]) == {"a": "+1"}
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    page = admin.get("/admin/audit", params={"user": name}).text
    assert "=HYPERLINK(&#34;http://x.example&#34;,&#34;y&#34;)" in page
    assert 'HYPERLINK("' not in page and "<img src=x" not in page
    exports = [e for e in events_of(seeded, seeded.admin[0]) if e["action"] == "export"]
    assert exports[-1]["target"] == "audit"
    assert exports[-1]["details"]["filters"] == {"user": name}


def test_the_admin_page_is_french_when_asked(seeded: Seeded, admin: TestClient) -> None:
    admin.cookies.set("adtrace_lang", "fr")
    page = admin.get("/admin/audit", headers={"Accept-Language": "fr-CA"})
    assert page.status_code == 200 and "Journal d’audit" in page.text


# --- a busy store -----------------------------------------------------------------------------


@pytest.fixture
def lonely(tmp_path: Path) -> Iterator[tuple[Any, TestClient, Path]]:
    """A store of its own (short SQLite busy timeout), its app, a signed-in client."""
    path = tmp_path / "store.db"
    engine: Engine = open_store(f"sqlite:///{path}", busy_timeout_ms=300)
    with engine.begin() as conn:
        add_user(conn, "ana", "a-long-password-1")
    app = create_app(engine)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield app, login(client, "ana", "a-long-password-1"), path
    engine.dispose()


def searches_of(app: Any) -> list[tuple[str, Any]]:
    query = select(audit_log.c.action, audit_log.c.at).where(audit_log.c.action == "search")
    with app.state.engine.connect() as conn:
        return [(a, at) for a, at in conn.execute(query.order_by(audit_log.c.event_id))]


def test_a_busy_store_delays_events_in_order_and_loses_none(
    lonely: tuple[Any, TestClient, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite's one writer is held (as an import holds it): searches are answered at once, their
    events wait in order and are written when the writer is free."""
    app, client, path = lonely
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="adtrace.store.audit"):
            for word in ("first", "second", "third"):
                start = time.perf_counter()
                assert client.get("/api/search", params={"q": word}).status_code == 200
                assert time.perf_counter() - start < 2.0
        assert app.state.audit_writer.pending() == 3 and searches_of(app) == []
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert app.state.audit_writer.flush(10.0)
    found = searches_of(app)
    assert len(found) == 3 and [at for _a, at in found] == sorted(at for _a, at in found)
    assert any("busy" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_event_the_store_never_takes_is_logged_loudly(
    lonely: tuple[Any, TestClient, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """Past the writer's retry time the event is logged at ERROR level, whole but with the
    search terms only as hashes; the page was answered all the same."""
    app, client, path = lonely
    app.state.audit_writer.retry_seconds = 0.5
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.ERROR, logger="adtrace.store.audit"):
            assert client.get("/api/search", params={"q": "Marmalade"}).status_code == 200
            deadline = time.monotonic() + 10
            while app.state.audit_writer.pending() and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "audit event NOT recorded" in errors[0]
    assert '"search"' in errors[0] and "armalade" not in errors[0].lower()
    assert searches_of(app) == []
    assert client.get("/api/search", params={"q": "again"}).status_code == 200
    assert len(searches_of(app)) == 1  # the store is free again: written at once


# --- the key ------------------------------------------------------------------------------------


def test_the_secret_setting_keys_the_hashes_and_no_key_file_is_made(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    secret = secrets.token_hex(20)
    engine = open_store(url)
    with engine.begin() as conn:
        add_user(conn, "ana", "a-long-password-1")
    app = create_app(Settings(db=url, secret_key=secret))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login(client, "ana", "a-long-password-1")
        assert client.get("/api/search", params={"email": "Ana@Example.CA"}).status_code == 200
    with engine.connect() as conn:
        details = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "search")
        ).scalar_one()
    assert details["terms"] == {"email": [keyed_hash("email:ana@example.ca", key=secret.encode())]}
    assert not (tmp_path / "store.db.key").exists()
    engine.dispose()


def test_a_server_without_a_usable_key_does_not_start(tmp_path: Path) -> None:
    app = create_app(Settings(db=f"sqlite:///{tmp_path / 'store.db'}", secret_key="x" * 9))
    with pytest.raises(AuditKeyError, match="at least 32 characters"), TestClient(app):
        pass


# --- in the browser ---------------------------------------------------------------------------


def test_an_admin_finds_who_searched_a_phone_in_the_browser(
    browser: Any, server: str, seeded: Seeded
) -> None:
    """Search a phone written one way, then look it up on /admin/audit written another way: the
    search is listed; no CSP violation, no request leaves the machine."""
    with signed_in_page(browser, server, seeded.admin) as seen:
        page = seen.page
        digits = seeded.phone[-10:]
        page.goto(f"{server}/search")
        page.fill("input[name=phone]", obfuscated(seeded.phone))
        page.click("form.search button[type=submit]")
        expect(page.locator("#results h2")).to_be_visible()
        page.goto(f"{server}/admin/audit")
        expect(page.locator("h1")).to_have_text("Audit log")
        page.fill("input[name=term]", f"{digits[:3]}-{digits[3:6]}-{digits[6:]}")
        page.select_option("select[name=kind]", "phone")
        page.fill("input[name=user]", seeded.admin[0])
        page.click("form.audit-filters button[type=submit]")
        rows = page.locator("table.audit tbody tr")
        expect(rows.first).to_contain_text("search")
        expect(rows.first).to_contain_text(seeded.admin[0])
        assert digits not in page.content()
