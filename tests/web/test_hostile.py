"""Hostile input everywhere: payloads in ads, names, sites, notes, cases, comments, file names
and queries never run in Chromium and never break a page; SQL metacharacters in every search
field are harmless; hostile and oversized uploads are refused cleanly.

The store (tests/web/hostile_seed.py) is this module's own store, on each backend of conftest.py
(SQLite and PostgreSQL; browser tests on SQLite only, as conftest.py decides), with its own app
served by uvicorn on a free loopback port; the browser is the session's Chromium. Case work, an
escalation's comments, an export and uploads are added over HTTP like an analyst would. Each
page is then opened in Chromium with a dialog listener (any alert or confirm fails the test),
the CSP violation hook and a record of every request; the page must have rendered to its
footer, have an <h1>, and hold no element or attribute a payload could have made.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from adtrace.store.escalations import escalation_of_ad
from adtrace.store.schema import ads, import_jobs
from adtrace.web.app import create_app
from tests.postgres import create_database
from tests.web.conftest import CSP_HOOK, Served, csrf_of, login
from tests.web.hostile_seed import (
    LONG_WORD,
    PAYLOADS,
    QUERY_PAYLOADS,
    HostileStore,
    build_hostile_store,
)

XSS = "<script>alert(1)</script>"
SQL_PAYLOADS = ("' OR 1=1 --", '"; DROP TABLE ads; --', "%", "_", "\\", "*", "1' --")
SEARCH_FIELDS = (
    "q",
    "phone",
    "email",
    "handle",
    "name",
    "city",
    "site",
    "from",
    "to",
    "min_score",
    "sort",
    "page",
)
UPLOAD_NAME = "../../etc/passwd<script>.csv"
INJECTED = """() => {
  const found = [];
  const bad = 'img[src="x"], iframe, object, embed, script:not([src]), b, i, '
    + 'a[href^="javascript:" i], textarea:not([name])';
  for (const el of document.querySelectorAll(bad)) found.push(el.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll('*')) {
    for (const name of el.getAttributeNames()) {
      if (name.startsWith('on')) found.push(`${el.tagName} ${name}`);
    }
  }
  return found;
}"""
"""Elements and attributes no page of ours has: a payload made them (b and i: ours use none)."""
OVERFLOW = """() => [...document.querySelectorAll('main *')]
  .filter((el) => el.scrollWidth > document.documentElement.clientWidth + 4
    && getComputedStyle(el).overflowX === 'visible'
    && !el.closest('.figure, .table-wrap, pre, svg'))
  .map((el) => el.tagName + '.' + el.className).slice(0, 5)"""
"""Elements wider than the window that do not scroll: a long word pushed the page sideways."""


# --- the store, its app and server ----------------------------------------------------------


@pytest.fixture(scope="module")
def private_tmp(hostile: HostileStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Python's temporary folder for this module: the import runner's folder and Starlette's
    spooled uploads go here, so the test sees everything the server writes. (After `hostile`:
    the PostgreSQL server, started on first use, must not put its data here.)"""
    folder = tmp_path_factory.mktemp("hostile-tmp")
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    yield folder
    tempfile.tempdir = before


@pytest.fixture(scope="module")
def hostile(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[HostileStore]:
    """The hostile store on `backend` (conftest.py: SQLite, and PostgreSQL for every test but
    the browser ones)."""
    folder = tmp_path_factory.mktemp(f"hostile-store-{backend}")
    url = None
    if backend == "postgresql":
        url = create_database(request.getfixturevalue("postgres_url"))
    store = build_hostile_store(folder, url)
    yield store
    store.engine.dispose()


@pytest.fixture(scope="module")
def hostile_app(hostile: HostileStore, private_tmp: Path) -> Any:
    return create_app(hostile.engine)


@pytest.fixture(scope="module")
def base(hostile_app: Any) -> Iterator[str]:
    """The hostile app served by uvicorn on 127.0.0.1 (a thread of this process)."""
    served = Served(hostile_app)
    yield served.url
    served.stop()


@pytest.fixture(scope="module")
def analyst(base: str, hostile: HostileStore) -> Iterator[httpx.Client]:
    """An HTTP client signed in as the hostile store's analyst."""
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        login(client, *hostile.analyst)  # type: ignore[arg-type]
        yield client


def token(client: httpx.Client) -> str:
    return csrf_of(client.get("/").text)


def post(client: httpx.Client, path: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
    """A form post with the session's CSRF token."""
    return client.post(path, data={**data, "csrf_token": token(client)}, **kwargs)


def wait_job(client: httpx.Client, job_id: int, timeout: float = 60) -> dict[str, Any]:
    """The job once it has ended (complete or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, Any] = client.get(f"/api/imports/jobs/{job_id}").json()
        if found["finished"]:
            return found
        assert time.monotonic() < deadline, f"job {job_id} did not end: {found['status']}"
        time.sleep(0.2)


def upload(
    client: httpx.Client, name: str, content: bytes, **form: str
) -> tuple[httpx.Response, int | None]:
    """POST /imports; the job id when the upload became a job (303 to its page)."""
    response = client.post(
        "/imports",
        data={"csrf_token": token(client), **form},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )
    location = response.headers.get("location", "")
    job = int(location.rsplit("/", 1)[-1]) if location.startswith("/imports/jobs/") else None
    return response, job


def hostile_csv() -> bytes:
    """Two ads with payloads and a row rejected for its date (the reject shows the raw row)."""
    lines = [
        "site,id,title,text,posted_at,city",
        f'up.example,u1,"{XSS}","Call 613 555 0188 <img src=x onerror=alert(1)>",2024-06-01,Ottawa',
        'up.example,u2,"{{7*7}}","<svg onload=alert(1)> here",2024-06-02,"<b>Hull"',
        f'up.example,u3,bad date,"text",{XSS},Ottawa',
    ]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Worked:
    """What the analyst made through the web app, for the pages to show."""

    case_id: int
    escalation_id: int
    job_id: int
    batch_id: int
    refusals: dict[str, httpx.Response] = field(default_factory=dict)


@pytest.fixture(scope="module")
def worked(analyst: httpx.Client, hostile: HostileStore) -> Worked:
    """Notes, tags, a label put and removed, a case, escalation comments, exports and a hostile
    upload: every free-text field an analyst fills, filled with payloads."""
    cluster = f"/clusters/{hostile.cluster_id}"
    for payload in PAYLOADS:
        assert post(analyst, f"{cluster}/notes", {"note": payload}).status_code == 200
    refusals = {"tag": post(analyst, f"{cluster}/tags", {"tag": XSS})}
    assert post(analyst, f"{cluster}/tags", {"tag": "xss-probe"}).status_code == 200
    assert post(analyst, f"{cluster}/label", {"label": "suspected"}).status_code == 200
    assert post(analyst, f"{cluster}/label/remove", {}).status_code == 200
    assert post(analyst, f"{cluster}/label", {"label": "unclear"}).status_code == 200
    title = f'"><svg/onload=alert(1)> {XSS} \u202eexe.txt'
    summary = "\n".join(p for p in PAYLOADS if p != LONG_WORD)
    made = post(analyst, "/cases", {"title": title, "summary": summary}, follow_redirects=False)
    assert made.status_code == 303, made.text
    case_id = int(made.headers["location"].rsplit("/", 1)[-1])
    assert post(analyst, f"{cluster}/cases", {"case_id": str(case_id)}).status_code == 200
    refusals["case"] = post(analyst, "/cases", {"title": XSS * 20, "summary": ""})

    assert analyst.get("/escalations").status_code == 200  # opens pending escalations
    with hostile.engine.connect() as conn:
        found = escalation_of_ad(conn, hostile.escalated_ad)
    assert found is not None, "the escalating payload ad was not escalated"
    escalation = f"/escalations/{found.escalation_id}"
    for payload in PAYLOADS[:6]:
        assert post(analyst, f"{escalation}/comments", {"comment": payload}).status_code == 200
    for status in ("in_review", "referred"):
        moved = post(analyst, f"{escalation}/status", {"status": status, "comment": XSS})
        assert moved.status_code == 200, moved.text

    for fmt in ("csv", "json", "pdf"):
        form = {"subject": "cluster", "subject_id": hostile.cluster_id, "format": fmt}
        exported = post(analyst, "/exports", form)
        assert exported.status_code == 200, (fmt, exported.text[:300])
        assert "<script>" not in exported.headers["content-disposition"]

    response, job_id = upload(analyst, UPLOAD_NAME, hostile_csv(), dataset=XSS, site=XSS[:100])
    assert response.status_code == 303 and job_id is not None, response.text
    job = wait_job(analyst, job_id)
    assert job["status"] == "complete", job
    assert job["rejects"] and job["batch"] is not None
    return Worked(case_id, found.escalation_id, job_id, job["batch"]["batch_id"], refusals)


# --- Chromium --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed_in(browser: Any, base: str, hostile: HostileStore, worked: Worked) -> Iterator[Any]:
    """A browser context signed in as the analyst, with the CSP hook in every page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(CSP_HOOK))
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", hostile.analyst[0])
    page.fill("#password", hostile.analyst[1])
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.close()
    yield context
    context.close()


@dataclass
class Visit:
    """A page opened in Chromium and everything it did."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def visit(
    context: Any,
    base: str,
    path: str,
    *,
    status: tuple[int, ...] = (200,),
    wait_for: str | None = None,
) -> Visit:
    """Open `path` and check it ran nothing, fetched nothing outside and rendered whole."""
    seen = Visit(context.new_page())
    page = seen.page
    page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: seen.console.append(message.text))
    response = page.goto(base + path)
    assert response is not None and response.status in status, (path, response.status)
    page.wait_for_load_state("networkidle")
    if wait_for:
        page.wait_for_selector(wait_for)
    page.wait_for_timeout(150)
    check_clean(seen, base, path)
    return seen


def check_clean(seen: Visit, base: str, path: str) -> None:
    page = seen.page
    assert seen.dialogs == [], (path, seen.dialogs)
    hooked: list[str] = page.evaluate("window.__cspViolations || []")
    reported = [m for m in seen.console if "Content Security Policy" in m]
    assert hooked + reported == [], (path, hooked + reported)
    host = urlsplit(base).hostname
    foreign = [u for u in seen.requests if urlsplit(u).scheme not in ("data", "blob")]
    assert [u for u in foreign if urlsplit(u).hostname != host] == [], path
    assert page.locator("body > footer").count() == 1, f"{path}: the page did not render whole"
    assert "adtrace" in page.locator("body > footer").inner_text()
    assert page.locator("main h1").count() >= 1, f"{path}: no <h1>"
    assert page.evaluate(INJECTED) == [], path
    assert page.evaluate(OVERFLOW) == [], f"{path}: an element overflows the window"


def test_dashboard(signed_in: Any, base: str) -> None:
    visit(signed_in, base, "/").page.close()


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_ad_page_shows_the_payload_as_text(
    signed_in: Any, base: str, hostile: HostileStore, index: int
) -> None:
    ad_id = hostile.payload_ads[index]
    seen = visit(signed_in, base, f"/ads/{ad_id}", wait_for="#casework *")
    page = seen.page
    payload = PAYLOADS[index]
    title = page.locator(".ad-title").inner_text()
    body = page.locator(".ad-body").inner_text()
    if index == PAYLOADS.index("ctl\x01\x07\x08\x0b\x1b\x7fchars"):
        assert "ctl" in title and "chars" in title
    else:
        assert title == f"New {payload}".strip()
        assert payload.strip() in body.replace("\n", "")
    page.close()


@pytest.mark.parametrize("index", range(len(QUERY_PAYLOADS)))
def test_search_with_a_payload_as_query(signed_in: Any, base: str, index: int) -> None:
    query = QUERY_PAYLOADS[index][:500]
    path = "/search?" + urlencode({"q": query})
    if "\x00" in query:  # refused app-wide (PostgreSQL cannot store NUL): a 400 page, intact
        visit(signed_in, base, path, status=(400,)).page.close()
        return
    seen = visit(signed_in, base, path, wait_for="#results")
    shown = seen.page.locator("input[name=q]").input_value()
    if "\x01" not in query:
        assert shown == query
    seen.page.close()


def test_search_fields_with_payloads(signed_in: Any, base: str) -> None:
    """Every text field at once, each with a payload; the page reads them back as values."""
    fields = {
        "q": PAYLOADS[0],
        "name": PAYLOADS[1],
        "city": PAYLOADS[2],
        "site": PAYLOADS[3],
        "email": PAYLOADS[4],
        "handle": PAYLOADS[8],
        "phone": PAYLOADS[10],
        "from": '"><b>',
        "min_score": "<i>",
    }
    seen = visit(signed_in, base, "/search?" + urlencode(fields), status=(200, 400))
    assert seen.page.locator("input[name=name]").input_value() == PAYLOADS[1]
    seen.page.close()


def test_cluster_page_with_graph_template_timeline_and_map(
    signed_in: Any, base: str, hostile: HostileStore
) -> None:
    seen = visit(signed_in, base, f"/clusters/{hostile.cluster_id}", wait_for=".graph[data-drawn]")
    page = seen.page
    assert int(page.locator(".graph").get_attribute("data-drawn") or 0) >= len(PAYLOADS)
    assert page.locator(".template .tpl-text").count() == 1
    assert page.locator("svg.timeline").count() >= 1
    notes = page.locator("#casework").inner_text()
    assert XSS in notes and "{{7*7}}" in notes
    page.locator("#compare-form button").click()
    page.wait_for_selector("#compare h2")
    page.wait_for_timeout(150)
    check_clean(seen, base, "cluster page after compare")
    page.close()


def test_compare_page(signed_in: Any, base: str, hostile: HostileStore) -> None:
    a, b = hostile.payload_ads[0], hostile.payload_ads[2]
    seen = visit(signed_in, base, f"/compare?a={a}&b={b}")
    assert seen.page.locator("mark.hl-passage").count() >= 2
    seen.page.close()


def test_case_pages(signed_in: Any, base: str, worked: Worked) -> None:
    visit(signed_in, base, "/cases").page.close()
    seen = visit(signed_in, base, f"/cases/{worked.case_id}")
    assert XSS in seen.page.locator("h1").inner_text()
    seen.page.close()


def test_review_escalations_exports_imports(signed_in: Any, base: str, worked: Worked) -> None:
    for path in (
        "/review",
        "/escalations",
        f"/escalations/{worked.escalation_id}",
        "/exports",
        "/imports",
        f"/imports/jobs/{worked.job_id}",
        f"/imports/batches/{worked.batch_id}",
    ):
        visit(signed_in, base, path).page.close()
    seen = visit(signed_in, base, f"/imports/jobs/{worked.job_id}")
    assert UPLOAD_NAME in seen.page.locator("h1").inner_text()
    assert XSS in seen.page.locator("main").inner_text()  # the rejected row, as text
    seen.page.close()


def test_refusals_show_the_payload_as_text(signed_in: Any, worked: Worked) -> None:
    """A refused tag and case title come back as pages that escape what was typed."""
    for refused in worked.refusals.values():
        assert refused.status_code in (200, 400), refused.status_code
        assert XSS not in refused.text
        seen = Visit(signed_in.new_page())
        seen.page.on("dialog", lambda d, s=seen: (s.dialogs.append(d.message), d.dismiss()))
        seen.page.set_content(refused.text)
        seen.page.wait_for_timeout(150)
        assert seen.dialogs == [] and seen.page.evaluate(INJECTED) == []
        seen.page.close()


@pytest.fixture(scope="module")
def admin_context(browser: Any, base: str, hostile: HostileStore, worked: Worked) -> Iterator[Any]:
    """A browser context signed in as the hostile store's admin."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(CSP_HOOK))
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", hostile.admin[0])
    page.fill("#password", hostile.admin[1])
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.close()
    yield context
    context.close()


@pytest.mark.parametrize("path", ["/account", "/admin/users", "/admin/audit", "/admin/retention"])
def test_account_and_admin_pages(admin_context: Any, base: str, path: str) -> None:
    """The account and admin pages this version has, as the admin (skipped when absent)."""
    if admin_context.request.get(base + path).status == 404:
        pytest.skip(f"{path} is not a page of this version")
    visit(admin_context, base, path).page.close()


# --- SQL metacharacters ----------------------------------------------------------------------


def ads_count(hostile: HostileStore) -> int:
    with hostile.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ads)).scalar_one())


@pytest.mark.parametrize("field_name", SEARCH_FIELDS)
def test_sql_metacharacters_in_search_fields(
    analyst: httpx.Client, hostile: HostileStore, field_name: str
) -> None:
    before = ads_count(hostile)
    for value in SQL_PAYLOADS:
        for path in ("/search", "/api/search"):
            response = analyst.get(path, params={field_name: value})
            assert response.status_code in (200, 400, 422), (path, field_name, value)
            if response.status_code != 200:
                assert response.text.strip(), "a refusal must say why"
    assert ads_count(hostile) == before


def test_payload_queries_are_escaped_in_every_field(analyst: httpx.Client) -> None:
    for field_name in SEARCH_FIELDS:
        for payload in (XSS, '"><svg/onload=alert(1)>'):
            response = analyst.get("/search", params={field_name: payload})
            assert response.status_code in (200, 400, 422), (field_name, response.status_code)
            if response.headers["content-type"].startswith("application/json"):
                # FastAPI's 422 echoes the input; as JSON with nosniff, no browser renders it.
                assert response.headers["x-content-type-options"] == "nosniff"
            else:
                assert payload not in response.text, field_name


def nul_forms(hostile: HostileStore, worked: Worked) -> list[tuple[str, dict[str, str]]]:
    """(path, form) for every free-text field, each value with a NUL byte in it."""
    cluster = f"/clusters/{hostile.cluster_id}"
    nul = "before\x00after"
    return [
        (f"{cluster}/notes", {"note": nul}),
        (f"{cluster}/tags", {"tag": nul}),
        (f"{cluster}/cases", {"title": nul}),
        ("/cases", {"title": nul, "summary": nul}),
        (f"/cases/{worked.case_id}/ads", {"ad_id": nul}),
        (f"/escalations/{worked.escalation_id}/comments", {"comment": nul}),
        (f"/escalations/{worked.escalation_id}/owner", {"owner": nul}),
        ("/language", {"lang": nul, "next": nul}),
    ]


def test_nul_bytes_in_forms_and_searches_are_never_a_500(
    analyst: httpx.Client,
    hostile: HostileStore,
    worked: Worked,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    """PostgreSQL refuses NUL in text: a NUL typed in any field must not reach it as a 500."""
    failures = []
    for path, form in nul_forms(hostile, worked):
        answer = post(analyst, path, form)
        if answer.status_code >= 500:
            failures.append(path)
    for field_name in SEARCH_FIELDS:
        for path in ("/search", "/api/search"):
            if analyst.get(path, params={field_name: "a\x00b"}).status_code >= 500:
                failures.append(f"{path}?{field_name}")
    for path in ("/clusters/a%00b", "/api/clusters/a%00b", "/api/clusters/a%00b/graph"):
        if analyst.get(path).status_code >= 500:
            failures.append(path)
    comment = f"/api/escalations/{worked.escalation_id}/comments"
    answer = analyst.post(
        comment, json={"comment": "a\x00b"}, headers={"X-CSRF-Token": token(analyst)}
    )
    if answer.status_code >= 500:
        failures.append(comment)
    uploaded, job_id = upload(
        analyst, "nul-fields.csv", b"site,id,text\na.example,9,x\n", dataset="a\x00b"
    )
    if uploaded.status_code >= 500:
        failures.append("/imports (dataset)")
    elif job_id is not None:
        wait_job(analyst, job_id)
    with httpx.Client(base_url=str(analyst.base_url)) as stranger:
        page = stranger.get("/login")
        form = {"username": "x\x00y", "password": "p\x00", "csrf_token": csrf_of(page.text)}
        if stranger.post("/login", data=form).status_code >= 500:
            failures.append("/login")
    assert failures == [], f"{backend}: 500 for a NUL in {failures}"


# --- uploads ---------------------------------------------------------------------------------


def no_job_running(hostile: HostileStore) -> bool:
    with hostile.engine.connect() as conn:
        query = select(func.count()).where(import_jobs.c.status.in_(("queued", "running")))
        return int(conn.execute(query).scalar_one()) == 0


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("../../traversal.csv", b"site,id,text\na.example,1,hello\n", "complete"),
        ("..\\..\\windows.csv", b"site,id,text\na.example,2,hello\n", "complete"),
        ("/etc/cron.d/absolute.csv", b"site,id,text\na.example,3,hello\n", "complete"),
        ("nul.csv", b"site,id,text\na.example,5,he\x00llo\n", "complete"),
        ("empty.csv", b"", "failed"),
        ("binary.csv", bytes(range(256)) * 64, "failed"),
        ("huge-field.csv", b"site,id,text\na.example,4," + b"x" * 10_000_000 + b"\n", "complete"),
    ],
)
def test_hostile_uploads_end_cleanly(
    analyst: httpx.Client,
    hostile: HostileStore,
    private_tmp: Path,
    worked: Worked,
    name: str,
    content: bytes,
    expect: str,
) -> None:
    cwd = Path.cwd()
    outside = {cwd.parent.parent / "traversal.csv", cwd / name, Path("/etc/cron.d/absolute.csv")}
    response, job_id = upload(analyst, name, content)
    assert response.status_code == 303 and job_id is not None, response.text
    job = wait_job(analyst, job_id)
    assert job["status"] == expect, job
    if expect == "failed":
        error = job["job"]["error"]
        assert name in error and str(private_tmp) not in error, error
    else:
        assert job["counts"]["read"] == 1 and job["job"]["filename"] == name
    if name == "nul.csv":
        assert job["counts"]["rejected"] == 1 and "NUL" in job["rejects"][0]["reason"]
    if name.startswith("huge"):
        assert job["counts"]["rejected"] == 1 and "limit" in job["rejects"][0]["reason"]
    assert not any(path.exists() for path in outside)
    assert files_under(private_tmp) == set(), "the uploaded file was left behind"
    assert no_job_running(hostile)


def test_upload_over_the_cap_is_refused_naming_the_file(
    analyst: httpx.Client, hostile: HostileStore, hostile_app: Any, worked: Worked
) -> None:
    runner = hostile_app.state.import_runner
    cap = runner.max_upload_bytes
    runner.max_upload_bytes = 1024 * 1024
    try:
        big = b"site,id,text\n" + b"a.example,1,hello\n" * 70_000  # 1.2 MB
        response, job_id = upload(analyst, "too-big<b>.csv", big)
    finally:
        runner.max_upload_bytes = cap
    assert response.status_code == 413 and job_id is None
    assert "too-big&lt;b&gt;.csv is larger than 1 MB" in response.text
    assert no_job_running(hostile)


def test_body_announced_over_the_cap_is_refused_at_once(base: str, analyst: httpx.Client) -> None:
    """A Content-Length over the 512 MiB upload cap: 413 before one byte of body is read."""
    host, port = urlsplit(base).hostname or "", urlsplit(base).port or 0
    cookie = "; ".join(f"{k}={v}" for k, v in analyst.cookies.items())
    head = (
        "POST /imports HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Cookie: {cookie}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {600 * 1024 * 1024}\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head.encode())
        received = b""
        while chunk := sock.recv(4096):  # the server closes the connection after its answer
            received += chunk
    answer = received.decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "larger than" in answer


def test_uploads_left_nothing_outside_the_private_folder(
    private_tmp: Path, hostile: HostileStore, worked: Worked
) -> None:
    """What the server wrote under Python's temporary folder: the runner's private folder
    (mode 0700), empty once every job has ended."""
    runner_folders = [p for p in private_tmp.iterdir() if p.name.startswith("adtrace-imports-")]
    assert runner_folders, "the import runner's folder is not under the private folder"
    for folder in runner_folders:
        assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
        assert list(folder.iterdir()) == []
    strays = [p for p in private_tmp.rglob("*") if p.is_file()]
    assert strays == [], strays
    assert no_job_running(hostile)
    assert not os.path.exists("/etc/passwd<script>.csv")
