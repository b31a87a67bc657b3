"""Web fixtures: a seeded store, its app and its server on each backend (SQLite and a real
PostgreSQL server), and one Chromium per run.

The session fixtures `seeded`, `app` and `server` are parametrized by `backend` ("sqlite",
"postgresql"), so every web test that uses them runs once per backend. Each backend's store, app
and server are built on first use and kept for the whole run (`WebStores`): pytest may switch
between the two parameters several times in one process (xdist hands out tests in chunks), and
a switch must not rebuild a store or lose the rows earlier tests created in it.

Browser tests (those using the `browser` fixture) run on SQLite only, unless
ADTRACE_WEB_PG_BROWSER=1: what they check (scripts, CSP, htmx swaps, keyboard use) does not depend
on the backend, every page they open is also fetched over HTTP on PostgreSQL by the HTTP tests,
and Chromium is half the time of the web tests (measured: 58 of 123 s of the PostgreSQL runs).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi.testclient import TestClient

from adtrace.web.app import create_app
from tests.postgres import create_database
from tests.web.seed import Seeded, seed_store

CHROMIUM = "/usr/bin/chromium"
VENDOR = Path(__file__).parents[2] / "src" / "adtrace" / "web" / "static" / "vendor"
CSP_HOOK = Path(__file__).with_name("csp_hook.js")

BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql))
"""The stores every web test runs on (test ids end in [sqlite] or [postgresql])."""


class Served:
    """An app served by uvicorn on a free port of 127.0.0.1 (a thread of this process)."""

    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.running = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.running.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.running.started:
            assert time.monotonic() < deadline, "the server did not start"
            assert self.thread.is_alive(), "the server stopped while starting"
            time.sleep(0.05)

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for its thread."""
        self.running.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class WebStores:
    """The seeded store, app and server of each backend, built on first use, kept for the run."""

    folders: pytest.TempPathFactory
    seeded: dict[str, Seeded] = field(default_factory=dict)
    apps: dict[str, Any] = field(default_factory=dict)
    servers: dict[str, Served] = field(default_factory=dict)

    def store(self, backend: str, request: pytest.FixtureRequest) -> Seeded:
        """The seeded store of `backend` (300 synthetic ads, hostile and escalated ads, users)."""
        if backend not in self.seeded:
            folder = self.folders.mktemp(f"web-store-{backend}")
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'store.db'}"
            else:
                url = create_database(request.getfixturevalue("postgres_url"))
            self.seeded[backend] = seed_store(url, folder)
        return self.seeded[backend]

    def app(self, backend: str, request: pytest.FixtureRequest) -> Any:
        """The app over the seeded store of `backend`."""
        if backend not in self.apps:
            self.apps[backend] = create_app(self.store(backend, request).engine)
        return self.apps[backend]

    def server(self, backend: str, request: pytest.FixtureRequest) -> str:
        """The base URL of the app of `backend` served on loopback."""
        if backend not in self.servers:
            self.servers[backend] = Served(self.app(backend, request))
        return self.servers[backend].url

    def close(self) -> None:
        """Stop the servers and close the stores' connections."""
        for served in self.servers.values():
            served.stop()
        for seeded in self.seeded.values():
            seeded.engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL runs of browser tests (see the module's docstring)."""
    if os.environ.get("ADTRACE_WEB_PG_BROWSER") == "1":
        return
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_pg = callspec is not None and callspec.params.get("backend") == "postgresql"
        uses_browser = "browser" in getattr(item, "fixturenames", ())
        (dropped if on_pg and uses_browser else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def web_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStores]:
    """Every backend's seeded store, app and server of this test process."""
    stores = WebStores(tmp_path_factory)
    yield stores
    stores.close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend of the web fixtures: "sqlite" or "postgresql"."""
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def seeded(backend: str, web_stores: WebStores, request: pytest.FixtureRequest) -> Seeded:
    """A store of 300 synthetic ads, one hostile ad and one escalated ad, linked, scored and
    indexed, with an admin and an analyst; one per backend."""
    return web_stores.store(backend, request)


@pytest.fixture(scope="session")
def app(backend: str, web_stores: WebStores, request: pytest.FixtureRequest) -> Any:
    """The app over the seeded store."""
    return web_stores.app(backend, request)


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
def server(backend: str, web_stores: WebStores, request: pytest.FixtureRequest) -> str:
    """The app served by uvicorn on a free port of 127.0.0.1 (a thread of this process)."""
    return web_stores.server(backend, request)


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


@contextmanager
def signed_in_page(browser: Any, server: str, user: tuple[str, str]) -> Iterator[Watched]:
    """A fresh browser context signed in as `user` (name, password); on leaving, no request may
    have left localhost and no CSP violation may have happened."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(path=str(CSP_HOOK))
    page = context.new_page()
    seen = Watched(page, server)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))
    page.goto(f"{server}/login")
    page.fill("#username", user[0])
    page.fill("#password", user[1])
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{server}/")
    yield seen
    violations = seen.violations()
    foreign = seen.foreign_requests()
    context.close()
    assert not violations, violations
    assert not foreign, foreign


@pytest.fixture
def watched(browser: Any, server: str, seeded: Seeded) -> Iterator[Watched]:
    """A browser page signed in as the analyst, checked as `signed_in_page` checks it."""
    with signed_in_page(browser, server, seeded.analyst) as seen:
        yield seen
