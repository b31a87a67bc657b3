"""`adtrace serve` end to end: a real process on a free port; the demo admin; ensure_demo_admin."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from adtrace.store.engine import open_store
from adtrace.web.auth import authenticate, ensure_demo_admin


def test_demo_admin_is_created_once_with_a_working_password(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    password = ensure_demo_admin(engine)
    assert password is not None and len(password) >= 12
    assert ensure_demo_admin(engine) is None
    with engine.connect() as conn:
        assert authenticate(conn, "admin", password) is not None
        assert authenticate(conn, "admin", password + "x") is None
        assert authenticate(conn, "nobody", password) is None


def test_serve_starts_prints_the_admin_password_and_answers(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "adtrace",
        "serve",
        "--db",
        f"sqlite:///{tmp_path / 'store.db'}",
        "--port",
        str(port),
        "--demo-admin",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert time.monotonic() < deadline, "adtrace serve did not answer"
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/dashboard").status_code == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert re.search(r"created user admin with password \S{12,} \(shown once\)", output)


def test_serve_refuses_a_bad_store_url() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adtrace", "serve", "--db", "mysql://x/y"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "only sqlite and postgresql" in result.stderr
