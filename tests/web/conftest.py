"""Web fixtures: one seeded store, one server on a free loopback port and one Chromium per run."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi.testclient import TestClient

from adtrace.web.app import create_app
from tests.web.seed import Seeded, seed_store

CHROMIUM = "/usr/bin/chromium"
VENDOR = Path(__file__).parents[2] / "src" / "adtrace" / "web" / "static" / "vendor"
CSP_HOOK = Path(__file__).with_name("csp_hook.js")


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """A SQLite store of 300 synthetic ads and one hostile ad, linked and indexed, two users."""
    folder = tmp_path_factory.mktemp("web-store")
    return seed_store(f"sqlite:///{folder / 'store.db'}", folder)


@pytest.fixture(scope="session")
def app(seeded: Seeded) -> Any:
    """The app over the seeded store."""
    return create_app(seeded.engine)


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (meta tag or hidden field)."""
    found = re.search(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def login(client: TestClient, username: str, password: str) -> TestClient:
    """Sign `client` in through the login form."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def anonymous(app: Any) -> Iterator[TestClient]:
    """A client that is not signed in."""
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def client(app: Any, seeded: Seeded) -> Iterator[TestClient]:
    """A client signed in as the analyst."""
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield login(client, *seeded.analyst)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server(app: Any) -> Iterator[str]:
    """The app served by uvicorn on a free port of 127.0.0.1 (a thread of this process)."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (one per run)."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    if not (VENDOR / "htmx.min.js").exists():
        pytest.fail("web assets missing: run scripts/assets.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    """A browser page with everything it requested and every CSP complaint seen."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        """CSP violations: the hook's records and Chromium's console reports."""
        hooked: list[str] = self.page.evaluate("window.__cspViolations || []")
        reported = [m for m in self.console if "Content Security Policy" in m]
        return hooked + reported

    def foreign_requests(self) -> list[str]:
        """Requests that left 127.0.0.1 (data: and blob: URLs stay in the page)."""
        base_host = urlsplit(self.base).hostname
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != base_host
        ]


@pytest.fixture
def watched(browser: Any, server: str, seeded: Seeded) -> Iterator[Watched]:
    """A fresh browser context signed in as the analyst; after the test, no request may have
    left localhost and no CSP violation may have happened."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(path=str(CSP_HOOK))
    page = context.new_page()
    seen = Watched(page, server)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))
    page.goto(f"{server}/login")
    page.fill("#username", seeded.analyst[0])
    page.fill("#password", seeded.analyst[1])
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{server}/")
    yield seen
    violations = seen.violations()
    foreign = seen.foreign_requests()
    context.close()
    assert not violations, violations
    assert not foreign, foreign
