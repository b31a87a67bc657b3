"""The retention admin page and its JSON twins, on both stores: admins only, CSRF, the setting,
a preview that changes nothing, a purge only once confirmed, the list of past purges, French."""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from adtrace.pipeline import IngestOptions, extract_store, ingest_file
from adtrace.store.engine import open_store
from adtrace.store.schema import ads, purges
from adtrace.web.app import create_app
from adtrace.web.auth import add_user
from tests.web.conftest import csrf_of, login

TEXT = "Upscale companion visiting this week, text {phone} for rates and a warm welcome"
PASSWORD = secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class Site:
    engine: Engine
    app: Any


@pytest.fixture
def site(store_url: str, tmp_path: Path) -> Iterator[Site]:
    engine = open_store(store_url)
    path = tmp_path / "ads.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "id", "title", "text"])
        writer.writerow(["w.example", "a1", "Hi", TEXT.format(phone="613-555-0142")])
        writer.writerow(["w.example", "a2", "Hi", TEXT.format(phone="(613) 555 0142")])
        writer.writerow(["w.example", "a3", "Hi", TEXT.format(phone="819 555 0199")])
    ingest_file(engine, path, IngestOptions())
    extract_store(engine, workers=1)
    with engine.begin() as conn:
        for role in ("admin", "analyst", "viewer"):
            add_user(conn, f"ret-{role}", PASSWORD, role=role)
    yield Site(engine, create_app(engine))
    engine.dispose()


def _client(site: Site, role: str | None, **headers: str) -> TestClient:
    client = TestClient(site.app, headers=headers)
    return client if role is None else login(client, f"ret-{role}", PASSWORD)


def _ads(site: Site) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ads)).scalar_one())


PAGES = [
    ("get", "/admin/retention"),
    ("get", "/api/admin/retention"),
    ("post", "/admin/retention/setting"),
    ("post", "/admin/retention/preview"),
    ("post", "/admin/retention/purge"),
    ("post", "/api/admin/retention/setting"),
    ("post", "/api/admin/retention/preview"),
    ("post", "/api/admin/retention/purge"),
]


def test_only_admins_get_in(site: Site) -> None:
    for role in ("analyst", "viewer"):
        client = _client(site, role)
        token = csrf_of(client.get("/").text)
        for method, path in PAGES:
            if method == "get":
                answer = client.get(path)
            elif path.startswith("/api/"):
                body = {"selector": "phone:6135550142", "confirm": True}
                answer = client.post(path, json=body, headers={"X-CSRF-Token": token})
            else:
                data = {"csrf_token": token, "kind": "phone", "value": "6135550142", "confirm": "1"}
                answer = client.post(path, data=data)
            assert answer.status_code == 403, (role, path)
    anonymous = _client(site, None)
    assert anonymous.get("/api/admin/retention").status_code == 401
    page = anonymous.get("/admin/retention", follow_redirects=False)
    assert page.status_code in (302, 303) and "/login" in page.headers["location"]
    assert _ads(site) == 3


def test_state_changes_need_the_csrf_token(site: Site) -> None:
    admin = _client(site, "admin")
    assert admin.post("/admin/retention/setting", data={"days": "30"}).status_code == 403
    answer = admin.post("/api/admin/retention/purge", json={"older_than_days": 1, "confirm": True})
    assert answer.status_code == 403


def test_the_setting_is_saved_and_shown(site: Site) -> None:
    admin = _client(site, "admin")
    token = csrf_of(admin.get("/admin/retention").text)
    saved = admin.post("/admin/retention/setting", data={"csrf_token": token, "days": "400"})
    assert saved.status_code == 200 and "400 days ago are purged" in saved.text
    assert admin.get("/api/admin/retention").json()["retention_days"] == 400
    bad = admin.post("/admin/retention/setting", data={"csrf_token": token, "days": "-3"})
    assert bad.status_code == 400 and "whole number of days" in bad.text
    headers = {"X-CSRF-Token": token}
    for days in (0, 36_501):
        body = {"retention_days": days}
        refused = admin.post("/api/admin/retention/setting", json=body, headers=headers)
        assert refused.status_code == 400
    cleared = admin.post(
        "/api/admin/retention/setting",
        json={"retention_days": None},
        headers={"X-CSRF-Token": token},
    )
    assert (
        cleared.status_code == 200
        and admin.get("/api/admin/retention").json()["retention_days"] is None
    )


def test_preview_then_a_confirmed_purge(site: Site) -> None:
    admin = _client(site, "admin")
    token = csrf_of(admin.get("/admin/retention").text)
    form = {"csrf_token": token, "kind": "phone", "value": "613.555.0142"}
    preview = admin.post("/admin/retention/preview", data=form)
    assert preview.status_code == 200 and 'name="confirm"' in preview.text
    assert "<code>ads</code>" in preview.text and _ads(site) == 3
    refused = admin.post("/admin/retention/purge", data=form)
    assert refused.status_code == 400 and "tick the box" in refused.text and _ads(site) == 3
    done = admin.post("/admin/retention/purge", data={**form, "confirm": "1"})
    assert done.status_code == 200 and "Purge 1 done" in done.text and _ads(site) == 1
    listed = admin.get("/api/admin/retention").json()["purges"]
    assert [p["kind"] for p in listed] == ["selector"] and listed[0]["counts"]["ads"] == 2
    assert "0142" not in str(listed) and "0142" not in admin.get("/admin/retention").text
    with site.engine.connect() as conn:
        assert conn.execute(select(purges.c.by)).scalar_one() == "ret-admin"


def test_json_twins_preview_and_purge_by_age(site: Site) -> None:
    admin = _client(site, "admin")
    headers = {"X-CSRF-Token": csrf_of(admin.get("/admin/retention").text)}
    preview = admin.post(
        "/api/admin/retention/preview", json={"older_than_days": 30}, headers=headers
    )
    assert preview.status_code == 200 and preview.json()["purge_id"] is None
    assert preview.json()["counts"] == {}  # every ad was seen today
    unconfirmed = admin.post(
        "/api/admin/retention/purge", json={"older_than_days": 30}, headers=headers
    )
    assert unconfirmed.status_code == 400
    both = {"older_than_days": 30, "selector": "email:a@b.ca", "confirm": True}
    assert admin.post("/api/admin/retention/purge", json=both, headers=headers).status_code == 400
    done = admin.post(
        "/api/admin/retention/purge", json={"older_than_days": 30, "confirm": True}, headers=headers
    )
    assert done.status_code == 200 and done.json()["purge_id"] == 1 and _ads(site) == 3
    listed = admin.get("/admin/retention")  # a purge that removed nothing is listed too
    assert listed.status_code == 200 and "last seen more than 30 days ago" in listed.text


def test_the_page_in_french(site: Site) -> None:
    admin = _client(site, "admin", **{"Accept-Language": "fr-CA"})
    page = admin.get("/admin/retention")
    assert page.status_code == 200 and "Durée de conservation" in page.text
    token = csrf_of(page.text)
    refused = admin.post(
        "/admin/retention/purge", data={"csrf_token": token, "kind": "age", "days": "9"}
    )
    assert refused.status_code == 400 and "cochez la case" in refused.text
