"""The server survives a PostgreSQL restart: while the database is down every request gets a
clear 503 (page or JSON) within the connect timeout, /healthz says so, and once the database is
back the same server answers normally, with the same sessions, without being restarted; a
restart between two requests goes unnoticed (each pooled connection is pinged before use)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from adtrace.store.engine import PG_CONNECT_TIMEOUT_S, create_store_engine, open_store
from adtrace.web.app import create_app
from adtrace.web.unavailable import UNREACHABLE
from tests.postgres import create_database, find_bindir
from tests.web.conftest import Served, _free_port, csrf_of
from tests.web.seed import Seeded, obfuscated, seed_store

pytestmark = pytest.mark.postgresql


class PrivateServer:
    """A PostgreSQL server of this test only (its own folder, socket and port) that can be
    stopped and started again."""

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            if os.environ.get("ADTRACE_REQUIRE_PG") == "1":
                pytest.fail("PostgreSQL server binaries not installed")
            pytest.skip("PostgreSQL server binaries not installed")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="adtrace-pg-restart-"))
        self.data, self.port = self.root / "data", _free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        )
        self.start()

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=check, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        """The server's URL, without a database name (see create_database)."""
        return f"postgresql+psycopg://{self.user}@/?host={self.root}&port={self.port}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses='' -c fsync=off"
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (fast: sessions are cut, as an operator's restart does)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def remove(self) -> None:
        """Stop for good and delete the folder."""
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrivateServer, Seeded]]:
    """A private server holding a seeded store of 40 ads."""
    server = PrivateServer()
    try:
        yield (
            server,
            seed_store(create_database(server.url), tmp_path_factory.mktemp("restart"), n_ads=40),
        )
    finally:
        server.remove()


def _signed_in(base: str, seeded: Seeded) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": seeded.analyst[0],
            "password": seeded.analyst[1],
            "csrf_token": csrf_of(form.text),
        },
    )
    assert response.status_code == 303, response.text
    return client


def _timed(client: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
    """The response, checked to come back well within the connect timeout."""
    started = time.monotonic()
    response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    took = time.monotonic() - started
    assert took < PG_CONNECT_TIMEOUT_S + 2, f"{method} {url} took {took:.1f} s"
    return response


def test_requests_get_a_clear_503_while_postgresql_is_down_and_work_again_after(
    database: tuple[PrivateServer, Seeded],
) -> None:
    pg, seeded = database
    engine = open_store(seeded.url)  # a pool of its own, with the engine's production options
    served = Served(create_app(engine))
    pages = (
        "/",
        f"/search?phone={obfuscated(seeded.phone)}",
        f"/clusters/{seeded.cluster_id}",
        f"/ads/{seeded.escalated_ad}",
    )
    apis = ("/api/search?q=real", f"/api/clusters/{seeded.cluster_id}", "/api/dashboard")
    try:
        client = _signed_in(served.url, seeded)
        csrf = csrf_of(client.get("/").text)
        for url in (*pages, *apis, "/healthz"):
            assert _timed(client, "GET", url).status_code == 200, url
        before = client.get(f"/api/search?phone={obfuscated(seeded.phone)}").json()

        pg.stop()
        health = _timed(client, "GET", "/healthz")
        assert health.status_code == 503
        assert health.json() == {"status": "unavailable", "detail": UNREACHABLE}
        for url in apis:
            response = _timed(client, "GET", url)
            assert response.status_code == 503, url
            assert response.json() == {"detail": UNREACHABLE}, url
            assert response.headers["retry-after"] == "5"
        for url in pages:
            response = _timed(client, "GET", url)
            assert response.status_code == 503, url
            assert response.headers["content-type"].startswith("text/html")
            assert "database is not reachable" in response.text, url
            assert "Traceback" not in response.text and "psycopg" not in response.text
            assert "script-src 'self'" in response.headers["content-security-policy"]
        french = _timed(client, "GET", "/search?q=x", headers={"Accept-Language": "fr-CA"})
        assert french.status_code == 503 and '<html lang="fr">' in french.text
        change = _timed(
            client, "POST", "/language", data={"lang": "fr", "next": "/", "csrf_token": csrf}
        )
        assert change.status_code == 503
        assert _timed(httpx.Client(base_url=served.url), "GET", "/").status_code == 503

        pg.start()
        for url in (*pages, *apis, "/healthz"):  # the same server and the same session
            assert _timed(client, "GET", url).status_code == 200, url
        assert client.get(f"/api/search?phone={obfuscated(seeded.phone)}").json() == before

        pg.stop()  # a restart nobody saw: the pool holds connections to the old server
        pg.start()
        for url in (*apis, *pages, "/healthz"):
            assert _timed(client, "GET", url).status_code == 200, url
        client.close()
    finally:
        served.stop()
        engine.dispose()


def test_a_server_that_never_answers_gives_503_after_the_connect_timeout() -> None:
    """A PostgreSQL that accepts the TCP connection but never speaks (a frozen host): the
    request fails after the connect timeout instead of hanging, and the URL can shorten it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes the handshakes; nobody ever reads
        where = f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/adtrace"
        for url, bound in ((where, PG_CONNECT_TIMEOUT_S), (f"{where}?connect_timeout=1", 1)):
            engine = create_store_engine(url)
            client = TestClient(create_app(engine), base_url="http://127.0.0.1")
            started = time.monotonic()
            answers: list[httpx.Response] = []
            asking = threading.Thread(
                target=lambda: answers.append(client.get("/healthz")),  # noqa: B023
                daemon=True,  # a request that hangs must not hang the test run too
            )
            asking.start()
            asking.join(timeout=bound + 5)
            took = time.monotonic() - started
            assert answers, f"no answer after {took:.0f} s: the connect timeout is not applied"
            response = answers[0]
            assert response.status_code == 503
            assert response.json()["status"] == "unavailable"
            assert bound - 0.5 < took < bound + 3, (url, took)
            engine.dispose()
