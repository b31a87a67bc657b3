"""Exports from the web app: a cluster or a case as CSV, JSON and PDF (redacted or not), handed
out as a download and recorded; viewers cannot export; the PDF follows the reader's language.
In the browser: export the cluster page and a case as PDF and read the downloaded PDF."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import select

from adtrace.store import casework
from adtrace.store.clusters import cluster_members, latest_link_run
from adtrace.store.schema import ad_versions, ads, selectors
from adtrace.web.auth import add_user
from tests.web.conftest import Watched, csrf_of, login
from tests.web.seed import Seeded

PERSONAL = ("phone", "email", "handle", "name")


def pdf_text(data: bytes) -> str:
    """The text of every page (pypdf reads weasyprint's two-byte glyph codes with a NUL before
    each character)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")


def post_export(client: TestClient, subject: str, subject_id: str, fmt: str, **extra: str) -> Any:
    token = csrf_of(client.get("/").text)
    data = {"subject": subject, "subject_id": subject_id, "format": fmt, "csrf_token": token}
    return client.post("/exports", data={**data, **extra}, follow_redirects=False)


def recorded(client: TestClient, export_id: str) -> dict[str, Any]:
    rows = client.get("/api/exports", params={"subject": "cluster"}).json()["exports"]
    rows += client.get("/api/exports", params={"subject": "case"}).json()["exports"]
    found = [r for r in rows if str(r["export_id"]) == export_id]
    assert len(found) == 1, export_id
    return dict(found[0])


def personal_values(seeded: Seeded, cluster_id: str) -> dict[str, set[str]]:
    """Every phone, e-mail, handle and name of the cluster's ads: values and written forms."""
    out: dict[str, set[str]] = {kind: set() for kind in PERSONAL}
    with seeded.engine.connect() as conn:
        members = cluster_members(conn, cluster_id)
        query = (
            select(
                selectors.c.kind,
                selectors.c.value,
                selectors.c.field,
                selectors.c.start,
                selectors.c.end,
                ad_versions.c.title,
                ad_versions.c.text,
            )
            .join(ad_versions, ad_versions.c.version_id == selectors.c.version_id)
            .join(ads, ads.c.current_version_id == ad_versions.c.version_id)
            .where(ads.c.ad_id.in_(members))
        )
        for r in conn.execute(query):
            if r.kind in PERSONAL:
                written = (r.title if r.field == "title" else r.text)[r.start : r.end]
                out[r.kind].update({r.value, written})
                if r.kind == "phone" and r.value.startswith("+1"):
                    out[r.kind].add(r.value[2:])  # the 10 national digits
    return out


def leaks(text: str, values: dict[str, set[str]]) -> list[str]:
    """Which values appear in `text`: names as words (any case, any spacing), the rest with all
    spaces removed on both sides (a PDF may break a line inside a value)."""
    folded = " ".join(text.lower().split())
    squeezed = "".join(folded.split())
    found = []
    for kind, found_values in values.items():
        for value in found_values:
            if len(value.strip()) < 2:
                continue
            v = " ".join(value.lower().split())
            if kind == "name":
                if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", folded):
                    found.append(f"{kind}")
            elif "".join(v.split()) in squeezed:
                found.append(f"{kind}")
    return found


def test_export_the_cluster_as_csv(client: TestClient, seeded: Seeded) -> None:
    response = post_export(client, "cluster", seeded.cluster_id, "csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="adtrace-cluster-{seeded.cluster_id}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
    with seeded.engine.connect() as conn:
        members = cluster_members(conn, seeded.cluster_id)
    assert [int(r["ad_id"]) for r in rows] == members
    assert {r["cluster_id"] for r in rows} == {seeded.cluster_id}
    assert any(seeded.phone in r["phones"] for r in rows)
    record = recorded(client, response.headers["x-export-id"])
    assert record["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert record["format"] == "csv" and record["redacted"] is False
    assert record["n_ads"] == len(members) and record["created_by"] == seeded.analyst[0]
    assert record["subject"] == "cluster" and record["subject_id"] == seeded.cluster_id


def test_export_the_cluster_as_json(client: TestClient, seeded: Seeded) -> None:
    response = post_export(client, "cluster", seeded.cluster_id, "json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    found = json.loads(response.content)
    with seeded.engine.connect() as conn:
        run = latest_link_run(conn)
    assert found["subject"]["id"] == seeded.cluster_id and found["link_run"]["run_id"] == run
    assert found["exported_by"] == seeded.analyst[0] and found["redacted"] is False
    assert found["links"] and found["templates"] and found["scores"]
    assert recorded(client, response.headers["x-export-id"])["link_run"] == run


def test_export_the_cluster_as_pdf(client: TestClient, seeded: Seeded) -> None:
    response = post_export(client, "cluster", seeded.cluster_id, "pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = " ".join(pdf_text(response.content).split())
    with seeded.engine.connect() as conn:
        run = latest_link_run(conn)
    assert f"Cluster {seeded.cluster_id}" in text and f"run {run} (full)" in text
    assert "REDACTED" not in text
    assert recorded(client, response.headers["x-export-id"])["format"] == "pdf"


def test_redacted_exports_hide_every_phone_email_handle_and_name(
    client: TestClient, seeded: Seeded
) -> None:
    values = personal_values(seeded, seeded.cluster_id)
    assert values["phone"] and values["name"] and values["handle"]
    texts = {}
    for fmt in ("csv", "json", "pdf"):
        response = post_export(client, "cluster", seeded.cluster_id, fmt, redact="1")
        assert response.status_code == 200, response.text
        assert "-redacted." in response.headers["content-disposition"]
        assert recorded(client, response.headers["x-export-id"])["redacted"] is True
        raw = response.content
        texts[fmt] = pdf_text(raw) if fmt == "pdf" else raw.decode("utf-8")
        assert leaks(texts[fmt], values) == [], fmt
    assert "[phone 1]" in texts["csv"] and json.loads(texts["json"])["redacted"] is True
    assert "REDACTED" in texts["pdf"] and "[phone 1]" in " ".join(texts["pdf"].split())
    plain = post_export(client, "cluster", seeded.cluster_id, "pdf")
    assert {"phone", "name"} <= set(leaks(pdf_text(plain.content), values))  # the check can fail


def test_the_pdf_is_in_the_readers_language(app: Any, seeded: Seeded) -> None:
    headers = {"Accept-Language": "fr-CA"}
    with TestClient(app, base_url="http://127.0.0.1", headers=headers) as french:
        login(french, *seeded.analyst)
        response = post_export(french, "cluster", seeded.cluster_id, "pdf", redact="on")
    text = " ".join(pdf_text(response.content).split())
    assert f"Grappe {seeded.cluster_id}" in text and "Passe de liaison" in text
    assert "CAVIARDÉ" in text and "[téléphone 1]" in text


def test_export_a_case_made_with_the_store_api(client: TestClient, seeded: Seeded) -> None:
    with seeded.engine.begin() as conn:
        case_id = casework.create_case(conn, "Export test case", "Two ads.", by="analyst")
        casework.add_ad_to_case(conn, case_id, seeded.hostile_ad, by="analyst")
        casework.add_ad_to_case(conn, case_id, seeded.escalated_ad, by="analyst")
    response = post_export(client, "case", str(case_id), "json")
    assert response.status_code == 200
    found = json.loads(response.content)
    assert found["subject"] == {
        "kind": "case",
        "id": str(case_id),
        "title": "Export test case",
        "status": "open",
        "summary": "Two ads.",
    }
    assert sorted(a["ad_id"] for a in found["ads"]) == sorted(
        [seeded.hostile_ad, seeded.escalated_ad]
    )
    assert f'filename="adtrace-case-{case_id}.json"' in response.headers["content-disposition"]
    pdf = post_export(client, "case", str(case_id), "pdf")
    text = " ".join(pdf_text(pdf.content).split())
    assert f"Case {case_id}" in text and "Export test case" in text
    assert "<script>alert" in text  # the hostile ad, printed as text
    listed = client.get("/exports", params={"subject": "case", "subject_id": str(case_id)})
    assert listed.status_code == 200 and listed.text.count(f"case {case_id}") == 2


def test_bad_requests(client: TestClient, seeded: Seeded) -> None:
    assert post_export(client, "cluster", seeded.cluster_id, "xlsx").status_code == 400
    assert post_export(client, "ad", "1", "csv").status_code == 400
    assert post_export(client, "cluster", "no-such-cluster", "csv").status_code == 404
    assert post_export(client, "case", "999999", "csv").status_code == 404
    assert post_export(client, "case", "1 OR 1=1", "csv").status_code == 404
    data = {"subject": "cluster", "subject_id": seeded.cluster_id, "format": "csv"}
    assert client.post("/exports", data=data).status_code == 403  # no CSRF token


@pytest.fixture(scope="module")
def viewer(seeded: Seeded) -> tuple[str, str]:
    """A viewer of this module."""
    name, password = f"export-viewer-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    with seeded.engine.begin() as conn:
        add_user(conn, name, password, role="viewer")
    return name, password


def test_a_viewer_reads_the_list_but_cannot_export(
    app: Any, seeded: Seeded, viewer: tuple[str, str]
) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login(client, *viewer)
        assert post_export(client, "cluster", seeded.cluster_id, "csv").status_code == 403
        assert client.get("/exports").status_code == 200
        assert client.get("/api/exports").status_code == 200


def test_signed_out_gets_nothing(anonymous: TestClient) -> None:
    assert anonymous.get("/api/exports").status_code == 401
    assert anonymous.get("/exports", follow_redirects=False).status_code == 303
    data = {"subject": "cluster", "subject_id": "x", "format": "csv"}
    assert anonymous.post("/exports", data=data, follow_redirects=False).status_code in (303, 403)


def test_the_list_of_exports_and_its_json_twin(client: TestClient, seeded: Seeded) -> None:
    made = post_export(client, "cluster", seeded.cluster_id, "csv")
    page = client.get("/exports")
    assert page.status_code == 200 and hashlib.sha256(made.content).hexdigest() in page.text
    api = client.get("/api/exports").json()
    assert api["exports"][0]["export_id"] == int(made.headers["x-export-id"])
    assert api["paging"]["total"] >= 1


# --- in the browser -------------------------------------------------------------------------


def export_pdf_from(page: Any, tmp_path: Path) -> str:
    """Choose PDF, redact off, click Export in the page's export form; the PDF's text."""
    form = page.locator("section.export")
    form.get_by_label("Format").select_option("pdf")
    with page.expect_download() as info:
        form.get_by_role("button", name="Export", exact=True).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return " ".join(pdf_text(target.read_bytes()).split())


def test_export_the_cluster_page_as_pdf_in_the_browser(
    watched: Watched, seeded: Seeded, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(f"{watched.base}/clusters/{seeded.cluster_id}")
    expect(page.locator("section.export")).to_be_visible()
    text = export_pdf_from(page, tmp_path)
    with seeded.engine.connect() as conn:
        run = latest_link_run(conn)
    assert f"Cluster {seeded.cluster_id}" in text and f"run {run} (full)" in text
    expect(page).to_have_url(f"{watched.base}/clusters/{seeded.cluster_id}")


@pytest.fixture
def case_of_cluster(seeded: Seeded) -> Iterator[int]:
    """A case holding the seeded cluster, made with the case-work store API."""
    with seeded.engine.begin() as conn:
        case_id = casework.create_case(conn, "Browser export case", "", by=seeded.analyst[0])
        casework.add_cluster_to_case(conn, case_id, seeded.cluster_id, by=seeded.analyst[0])
    yield case_id


def test_export_a_case_as_pdf_in_the_browser(
    watched: Watched, seeded: Seeded, case_of_cluster: int, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(f"{watched.base}/cases/{case_of_cluster}")
    text = export_pdf_from(page, tmp_path)
    assert f"Case {case_of_cluster}" in text and "Browser export case" in text
    assert f"Cluster {seeded.cluster_id}" in text
