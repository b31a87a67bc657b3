"""Importing from the browser: upload, background job, summary and rejects, undo, refusals, and
the app answering while an import writes. A private store and server: imports change the ads."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import func, select

from adtrace.pipeline import IngestOptions
from adtrace.store import import_jobs
from adtrace.store.engine import open_store
from adtrace.store.schema import ads, batches, search_terms, selectors
from adtrace.synth import generate_ads
from adtrace.web.app import create_app
from adtrace.web.auth import add_user
from adtrace.web.jobs import STOPPED, ImportRunner, JobRequest
from tests.web.conftest import CSP_HOOK, Watched, _free_port, csrf_of, login
from tests.web.seed import Seeded, seed_store

MARKER = "quokkavelvet"
"""A made-up word every ad of the uploaded file carries, to find them with search."""

VIEWER = ("vera", "viewer-password-1")


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """A store of 50 synthetic ads of its own, with a viewer."""
    folder = tmp_path_factory.mktemp("imports-store")
    seeded = seed_store(f"sqlite:///{folder / 'store.db'}", folder, n_ads=50)
    with seeded.engine.begin() as conn:
        add_user(conn, *VIEWER, role="viewer")
    return seeded


@pytest.fixture(scope="module")
def private_app(private: Seeded) -> Any:
    """The app over the private store."""
    return create_app(private.engine)


@pytest.fixture(scope="module")
def private_server(private_app: Any) -> Iterator[str]:
    """The private app served by uvicorn (lifespan on: the runner starts and stops with it)."""
    port = _free_port()
    config = uvicorn.Config(private_app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def analyst(private_app: Any, private: Seeded) -> TestClient:
    """A client of the private app signed in as the analyst (no lifespan: the runner starts
    on the first upload)."""
    return login(TestClient(private_app, base_url="http://127.0.0.1"), *private.analyst)


def synthetic_csv(n_ads: int, seed: int, bad_rows: bool = True) -> bytes:
    """`n_ads` synthetic ads carrying MARKER, after two bad rows (lines 2 and 3): an empty id
    and a date that is not one."""
    table = generate_ads(n_ads, seed, workers=1)
    names = ["site", "id", "title", "text", "posted_at", "city"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    if bad_rows:
        writer.writerow(["bad.example", "", "No id", "a row without id", "2024-03-01T10:00Z", ""])
        writer.writerow(["bad.example", "b2", "Bad date", "a row", "the 32nd of Smarch", ""])
    for row in table.select(names).to_pylist():
        row["text"] = f"{row['text']} {MARKER}"
        writer.writerow([row[name] if row[name] is not None else "" for name in names])
    return out.getvalue().encode("utf-8")


def _upload(
    client: TestClient | httpx.Client, name: str, content: bytes, **fields: str
) -> httpx.Response:
    token = csrf_of(client.get("/imports").text)
    return client.post(
        "/imports",
        data={"csrf_token": token, **fields},
        files={"file": (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def _wait(client: TestClient | httpx.Client, job_url: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(f"/api{job_url}").json()
        if page["finished"]:
            return page
        time.sleep(0.2)
    raise AssertionError(f"{job_url} did not finish in {timeout} s")


def _jobs(private: Seeded) -> int:
    with private.engine.connect() as conn:
        return len([r for r in import_jobs.list_imports(conn) if r.job_id is not None])


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture
def signed_in(browser: Any, private_server: str, private: Seeded) -> Iterator[Watched]:
    """A browser page signed in as the analyst on the private server; no CSP violation and no
    request leaving 127.0.0.1 allowed."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-CA")
    context.add_init_script(path=str(CSP_HOOK))
    page = context.new_page()
    seen = Watched(page, private_server)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))
    page.goto(f"{private_server}/login")
    page.fill("#username", private.analyst[0])
    page.fill("#password", private.analyst[1])
    page.press("#password", "Enter")
    page.wait_for_url(f"{private_server}/")
    yield seen
    violations, foreign = seen.violations(), seen.foreign_requests()
    context.close()
    assert not violations, violations
    assert not foreign, foreign


def test_upload_watch_it_finish_see_rejects_then_undo(signed_in: Watched, tmp_path: Path) -> None:
    page, base = signed_in.page, signed_in.base
    upload = tmp_path / "spring-ads.csv"
    upload.write_bytes(synthetic_csv(2_000, seed=11))
    page.goto(f"{base}/imports")
    page.set_input_files("input[name=file]", str(upload))
    page.fill("input[name=dataset]", "spring")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r".*/imports/jobs/\d+$"))
    job_url = page.url
    status = page.locator("#import-status")
    expect(status).to_have_attribute("hx-trigger", "every 1s")  # still running: it polls
    expect(status.locator(".import-state")).to_have_text("complete", timeout=120_000)
    assert page.url == job_url  # no reload: htmx swapped the status in
    assert any(url.endswith("/status") for url in signed_in.requests)
    expect(status).not_to_have_attribute("hx-trigger", "every 1s")  # finished: polling stops
    counts = page.locator("dl.import-counts")
    expect(counts).to_contain_text("Read2,002")
    expect(counts).to_contain_text("Rejected2")
    new = page.request.get(f"{base}/api{urlsplit(job_url).path}").json()["counts"]["new"]
    expect(counts).to_contain_text(f"New{new:,}")
    rows = page.locator("table.import-rejects tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("2")
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("id")
    expect(rows.nth(1).locator("td").nth(0)).to_have_text("3")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("posted_at")
    expect(rows.nth(1).locator("td").nth(3)).to_contain_text("the 32nd of Smarch")

    page.goto(f"{base}/search?q={MARKER}")
    expect(page.locator(".hit")).to_have_count(20)  # searchable at once (first page of hits)

    page.goto(job_url)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Undo this import").click()
    page.wait_for_url(job_url)
    expect(page.locator(".import-state")).to_have_text("undone")
    expect(page.locator(".import-undone")).to_contain_text("Undone by analyst at")
    expect(page.get_by_role("button", name="Undo this import")).to_have_count(0)

    page.goto(f"{base}/search?q={MARKER}")
    expect(page.locator(".hit")).to_have_count(0)
    page.goto(f"{base}/imports")
    first = page.locator("table.imports tbody tr").first
    expect(first).to_contain_text("spring-ads.csv")
    expect(first).to_contain_text("undone")
    expect(first).to_contain_text("analyst")


# --- HTTP --------------------------------------------------------------------------------------


def test_a_hostile_file_name_is_shown_escaped_and_never_used_as_a_path(
    analyst: TestClient, private_app: Any, tmp_path: Path
) -> None:
    name = "../../x<script>alert(1)</script>.csv"
    response = _upload(analyst, name, synthetic_csv(3, seed=5, bad_rows=False))
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    job = _wait(analyst, job_url)
    assert job["job"]["filename"] == name and job["status"] == "complete"
    html = analyst.get(job_url).text
    assert "x&lt;script&gt;alert(1)&lt;/script&gt;.csv" in html
    assert "<script>alert(1)" not in html
    listing = analyst.get("/imports").text
    assert "<script>alert(1)" not in listing and "x&lt;script&gt;" in listing
    runner: ImportRunner = private_app.state.import_runner
    folder = runner.upload_path(1, ".csv").parent
    assert not (folder.parent.parent / "x<script>alert(1)</script>.csv").exists()
    assert all(re.fullmatch(r"job-\d+\.\w+", p.name) for p in folder.iterdir())
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_a_viewer_cannot_upload_or_undo(private_app: Any, private: Seeded) -> None:
    client = login(TestClient(private_app, base_url="http://127.0.0.1"), *VIEWER)
    page = client.get("/imports")
    assert page.status_code == 200 and 'action="/imports"' not in page.text
    before = _jobs(private)
    response = _upload(client, "a.csv", synthetic_csv(2, seed=1))
    assert response.status_code == 403
    undo = client.post(
        "/imports/batches/1/undo", data={"csrf_token": csrf_of(page.text), "confirm": "yes"}
    )
    assert undo.status_code == 403
    assert _jobs(private) == before
    assert client.get("/api/imports").json()["can_upload"] is False


def test_refused_uploads_say_why_and_make_no_job(
    analyst: TestClient, private_app: Any, private: Seeded
) -> None:
    before = _jobs(private)
    wrong = _upload(analyst, "notes.docx", b"PK\x03\x04 not an export")
    assert wrong.status_code == 415
    assert "notes.docx is not a file adtrace imports: use .csv, .tsv" in wrong.text
    zone = _upload(analyst, "a.csv", synthetic_csv(2, seed=1), tz="Mars/Olympus")
    assert zone.status_code == 400 and "Mars/Olympus is not a time zone" in zone.text
    runner: ImportRunner = private_app.state.import_runner
    limit = runner.max_upload_bytes
    runner.max_upload_bytes = 1024 * 1024
    try:
        big = _upload(analyst, "big.csv", b"x" * (1024 * 1024 + 1))
    finally:
        runner.max_upload_bytes = limit
    assert big.status_code == 413 and "big.csv is larger than 1 MB" in big.text
    missing = analyst.post("/imports", data={"csrf_token": csrf_of(analyst.get("/imports").text)})
    assert missing.status_code == 400 and "Choose a file to import." in missing.text
    no_token = analyst.post("/imports", files={"file": ("a.csv", b"id,text\n1,x\n")})
    assert no_token.status_code == 403
    assert _jobs(private) == before


def test_a_file_that_cannot_be_used_fails_naming_the_upload_not_the_server_path(
    analyst: TestClient,
) -> None:
    response = _upload(analyst, "no-ids.csv", b"title,text\nHello,some text\n")
    job = _wait(analyst, response.headers["location"])
    assert job["status"] == "failed" and job["batch"] is None
    error = job["job"]["error"]
    assert error.startswith("no-ids.csv, field 'id': no id column") and "job-" not in error
    assert "adtrace-imports-" not in error


def test_the_same_file_twice_changes_nothing_and_says_so(analyst: TestClient) -> None:
    content = synthetic_csv(4, seed=21, bad_rows=False)
    first = _wait(analyst, _upload(analyst, "twice.csv", content).headers["location"])
    again_url = _upload(analyst, "twice.csv", content).headers["location"]
    again = _wait(analyst, again_url)
    assert first["counts"]["new"] == 4
    assert again["status"] == "complete" and again["job"]["already_imported"] is True
    assert again["batch"]["batch_id"] == first["batch"]["batch_id"]
    assert again["counts"] == {"read": 4, "new": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert "was already imported with the same settings" in analyst.get(again_url).text


def test_undo_needs_confirmation_and_a_second_undo_is_refused_clearly(
    analyst: TestClient, private: Seeded
) -> None:
    job_url = _upload(analyst, "undo-me.csv", synthetic_csv(3, seed=31)).headers["location"]
    job = _wait(analyst, job_url)
    batch_id = job["batch"]["batch_id"]
    token = csrf_of(analyst.get(job_url).text)
    back = {"csrf_token": token, "back": job_url}
    unconfirmed = analyst.post(f"/imports/batches/{batch_id}/undo", data=back)
    assert unconfirmed.status_code == 409 and "Tick the box" in unconfirmed.text
    assert analyst.get(f"/api{job_url}").json()["status"] == "complete"
    done = analyst.post(
        f"/imports/batches/{batch_id}/undo", data={**back, "confirm": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == job_url
    page = analyst.get(f"/api{job_url}").json()
    assert page["status"] == "undone" and page["undone_by"] == "analyst" and not page["can_undo"]
    again = analyst.post(f"/imports/batches/{batch_id}/undo", data={**back, "confirm": "yes"})
    assert again.status_code == 409
    assert "This import was already undone: there is nothing left to remove." in again.text
    batch_page = analyst.get(f"/api/imports/batches/{batch_id}").json()
    assert batch_page["status"] == "undone" and batch_page["job"]["job_id"] == job["job"]["job_id"]


def test_command_line_batches_are_listed_with_their_own_page(analyst: TestClient) -> None:
    listing = analyst.get("/api/imports").json()
    cli = [i for i in listing["imports"] if i["job_id"] is None]
    assert cli and all(i["created_by"] is None for i in cli)  # the seed's two ingests
    page = analyst.get(cli[0]["href"])
    assert page.status_code == 200 and "Undo this import" in page.text
    assert analyst.get("/imports/batches/99999").status_code == 404
    assert analyst.get("/api/imports/jobs/99999").status_code == 404


def test_a_server_stop_rolls_the_import_back(private: Seeded, tmp_path: Path) -> None:
    runner = ImportRunner(private.engine)
    runner.start()
    with private.engine.begin() as conn:
        job_id = import_jobs.create_job(
            conn, filename="big.csv", dataset="big", site=None, created_by="analyst"
        )
        batches_before = conn.execute(select(func.count()).select_from(batches)).scalar_one()
        ads_before = conn.execute(select(func.count()).select_from(ads)).scalar_one()
    path = runner.upload_path(job_id, ".csv")
    path.write_bytes(synthetic_csv(8_000, seed=41, bad_rows=False))
    runner.submit(JobRequest(job_id, path, "big.csv", IngestOptions(dataset="big")))
    deadline = time.monotonic() + 60
    while (progress := runner.progress(job_id)) is None or progress.rows == 0:
        assert time.monotonic() < deadline, "the import never reported progress"
        time.sleep(0.02)
    runner.shutdown()
    with private.engine.connect() as conn:
        job = import_jobs.get_job(conn, job_id)
        assert conn.execute(select(func.count()).select_from(batches)).scalar_one() == (
            batches_before
        )
        assert conn.execute(select(func.count()).select_from(ads)).scalar_one() == ads_before
    assert job is not None and job.status == "failed" and job.error == STOPPED
    assert not path.exists() and not path.parent.exists()


def test_jobs_left_running_by_a_dead_server_are_marked_failed(
    private: Seeded, private_app: Any
) -> None:
    with private.engine.begin() as conn:
        job_id = import_jobs.create_job(
            conn, filename="lost.csv", dataset="lost", site=None, created_by="analyst"
        )
        import_jobs.start_job(conn, job_id)
    runner = ImportRunner(private.engine)
    runner.start()
    runner.shutdown()
    with private.engine.connect() as conn:
        job = import_jobs.get_job(conn, job_id)
    assert job is not None and job.status == "failed" and job.error == STOPPED
    client = login(TestClient(private_app, base_url="http://127.0.0.1"), *private.analyst)
    client.cookies.set("adtrace_lang", "fr")
    french = client.get(f"/imports/jobs/{job_id}").text
    assert "Le serveur s’est arrêté pendant l’importation\u00a0; rien n’a été importé." in french
    assert client.get(f"/api/imports/jobs/{job_id}").json()["job"]["error"] == STOPPED


def test_the_runner_imports_extracts_and_indexes_on_both_stores(
    store_url: str, tmp_path: Path
) -> None:
    engine = open_store(store_url)
    runner = ImportRunner(engine)
    with engine.begin() as conn:
        job_id = import_jobs.create_job(
            conn, filename="both.csv", dataset="both", site=None, created_by="analyst"
        )
    path = runner.upload_path(job_id, ".csv")
    path.write_bytes(synthetic_csv(40, seed=61))
    runner.submit(JobRequest(job_id, path, "both.csv", IngestOptions(dataset="both"))).result(
        timeout=300
    )
    try:
        with engine.connect() as conn:
            job = import_jobs.get_job(conn, job_id)
            indexed = conn.execute(
                select(func.count()).select_from(search_terms).where(search_terms.c.term == MARKER)
            ).scalar_one()
            phones = conn.execute(
                select(func.count()).select_from(selectors).where(selectors.c.kind == "phone")
            ).scalar_one()
    finally:
        runner.shutdown()
    assert job is not None and job.status == "complete" and job.error is None, job
    assert job.counts == {
        "read": 42,
        "new": 40,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
        "already_imported": False,
    }
    assert indexed == 40 and phones > 0
    assert not path.exists()
    assert job.batch_id is not None
    with engine.begin() as conn:
        import_jobs.undo_import(conn, job.batch_id, "analyst")
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(search_terms)).scalar_one()
        assert conn.execute(select(func.count()).select_from(ads)).scalar_one() == 0
    assert left == 0


@pytest.mark.slow
def test_pages_answer_while_a_large_import_writes(private_server: str, private: Seeded) -> None:
    """20,000 synthetic ads imported through the server; meanwhile pages are fetched in a loop.
    SQLite WAL lets them read while the import holds the write transaction."""
    content = synthetic_csv(20_000, seed=51, bad_rows=False)
    with httpx.Client(base_url=private_server, timeout=30) as client:
        form = client.get("/login").text
        signed = client.post(
            "/login",
            data={
                "username": private.analyst[0],
                "password": private.analyst[1],
                "csrf_token": csrf_of(form),
            },
        )
        assert signed.status_code in (200, 303)
        response = _upload(client, "twenty-thousand.csv", content)
        assert response.status_code == 303, response.text
        job_url = response.headers["location"]
        pages = ["/", "/imports", f"{job_url}/status", f"/search?q={MARKER}", "/api/imports"]
        latencies: dict[str, list[float]] = {"reading": [], "extracting": [], "indexing": []}
        refused: list[httpx.Response] = []
        started = time.monotonic()
        while True:
            state = client.get(f"/api{job_url}").json()
            if state["finished"]:
                break
            phase = state["job"]["phase"] or "queued"
            if phase == "reading" and not refused:
                refused.append(_upload(client, "second.csv", b"id,text\n1,x\n"))
            time.sleep(0.05)  # an analyst clicking fast, not a load test
            for path in pages:
                before = time.perf_counter()
                answer = client.get(path)
                latencies.setdefault(phase, []).append(time.perf_counter() - before)
                assert answer.status_code == 200, (path, answer.status_code)
        took = time.monotonic() - started
    assert state["status"] == "complete", state
    assert state["counts"]["read"] == 20_000 and state["counts"]["new"] > 19_900, state["counts"]
    worst = max(t for times in latencies.values() for t in times)
    print(f"\nimport of 20,000 ads took {took:.1f} s; pages fetched meanwhile, by phase:")
    for phase, times in latencies.items():
        if times:
            ordered = sorted(times)
            print(
                f"  {phase:<10} {len(times):>4} requests, "
                f"p50 {ordered[len(ordered) // 2] * 1000:.0f} ms, worst {ordered[-1] * 1000:.0f} ms"
            )
    assert refused and refused[0].status_code == 409  # SQLite: one import at a time
    assert "Another import is running" in refused[0].text
    assert len(latencies["reading"]) >= 5, "too few requests while the import held the write lock"
    assert worst < 2.0, f"worst page latency during the import: {worst:.2f} s"
