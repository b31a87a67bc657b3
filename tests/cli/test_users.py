"""`adtrace user ...` and production mode of `adtrace serve`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.store.engine import open_store
from adtrace.store.schema import audit_log, users
from adtrace.web import auth

runner = CliRunner()


def user(db: str, *args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, ["user", *args, "--db", db], input=stdin)


def listed(db: str) -> dict[str, dict[str, Any]]:
    result = user(db, "list", "--json")
    assert result.exit_code == 0, result.output
    return {row["username"]: row for row in map(json.loads, result.stdout.splitlines())}


def test_add_change_disable_remove_and_list(store_url: str) -> None:
    added = user(
        store_url, "add", "alice", "--role", "admin", "--password-stdin", stdin="alice-password-1\n"
    )
    assert added.exit_code == 0 and "added admin alice" in added.stdout
    typed = user(store_url, "add", "bob", stdin="bob-password-12\nbob-password-12\n")
    assert typed.exit_code == 0, typed.output  # prompted twice, hidden
    assert "bob-password-12" not in typed.stdout
    with open_store(store_url).connect() as conn:
        assert auth.authenticate(conn, "alice", "alice-password-1") is not None
        assert auth.authenticate(conn, "bob", "bob-password-12") is not None
    assert user(store_url, "role", "bob", "viewer").exit_code == 0
    assert user(store_url, "disable", "bob").exit_code == 0
    rows = listed(store_url)
    assert rows["bob"]["role"] == "viewer" and rows["bob"]["disabled_at"] is not None
    assert rows["alice"]["role"] == "admin" and rows["alice"]["disabled_at"] is None
    with open_store(store_url).connect() as conn:
        assert auth.authenticate(conn, "bob", "bob-password-12") is None
    assert user(store_url, "enable", "bob").exit_code == 0
    assert listed(store_url)["bob"]["disabled_at"] is None
    changed = user(store_url, "password", "bob", "--password-stdin", stdin="bob-password-new\n")
    assert changed.exit_code == 0
    assert user(store_url, "remove", "bob").exit_code == 0
    assert set(listed(store_url)) == {"alice"}
    table = user(store_url, "list")
    assert table.exit_code == 0 and "alice" in table.stdout and "admin" in table.stdout


def test_what_cannot_be_done_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert (
        user(
            db, "add", "root", "--role", "admin", "--password-stdin", stdin="root-password-1\n"
        ).exit_code
        == 0
    )
    cases = {
        ("add", "x", "--password-stdin"): ("short\n", "A password has 12 to 1000 characters"),
        ("add", "root", "--password-stdin"): ("another-password\n", "is taken"),
        ("add", "y", "--role", "boss", "--password-stdin"): (
            "another-password\n",
            "The role must be one of admin, analyst, viewer.",
        ),
        ("role", "root", "viewer"): (None, "root is the last active admin"),
        ("disable", "root"): (None, "root is the last active admin"),
        ("remove", "root"): (None, "root is the last active admin"),
        ("remove", "nobody"): (None, "There is no user nobody."),
        ("role", "nobody", "viewer"): (None, "There is no user nobody."),
    }
    for args, (stdin, sentence) in cases.items():
        result = user(db, *args, stdin=stdin)
        assert result.exit_code == 2, (args, result.output)
        assert sentence in result.output and "Traceback" not in result.output, args
    assert set(listed(db)) == {"root"} and listed(db)["root"]["role"] == "admin"


def test_a_hostile_name_is_listed_as_written(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    name = "[bold red]eve[/bold red]"
    assert user(db, "add", name, "--password-stdin", stdin="eve-password-12\n").exit_code == 0
    assert name in user(db, "list").stdout
    refused = user(db, "add", "mal\u202eory", "--password-stdin", stdin="eve-password-12\n")
    assert refused.exit_code == 2 and "control or formatting characters" in refused.output


def test_changes_from_the_command_line_are_audited(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    user(db, "add", "ann", "--role", "admin", "--password-stdin", stdin="ann-password-123\n")
    user(db, "add", "ben", "--password-stdin", stdin="ben-password-123\n")
    user(db, "role", "ben", "viewer")
    user(db, "remove", "ben")
    with open_store(db).connect() as conn:
        rows = conn.execute(
            select(
                audit_log.c.username, audit_log.c.action, audit_log.c.target, audit_log.c.details
            ).order_by(audit_log.c.event_id)
        ).all()
    seen = [(r.username, r.action, r.target, dict(r.details)) for r in rows]
    assert seen == [
        (None, "user_add", "user:ann", {"via": "cli", "role": "admin"}),
        (None, "user_add", "user:ben", {"via": "cli", "role": "analyst"}),
        (None, "user_role", "user:ben", {"via": "cli", "role": "viewer"}),
        (None, "user_remove", "user:ben", {"via": "cli"}),
    ]
    assert "password-123" not in repr(seen)


# --- production mode ---------------------------------------------------------------------------


def test_production_refuses_to_serve_without_an_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("ADTRACE_MODE", "production")
    with socket.socket() as taken:  # were the check missing, serve would fail here, not hang
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        serve = ["serve", "--db", db, "--port", str(taken.getsockname()[1])]
        empty = runner.invoke(app, serve)
        assert empty.exit_code == 2
        assert "create one with `adtrace user add NAME --role admin`" in empty.output
        demo = runner.invoke(app, [*serve, "--demo-admin"])
        assert demo.exit_code == 2 and "--demo-admin is refused in production mode" in demo.output
        user(db, "add", "ops", "--role", "analyst", "--password-stdin", stdin="ops-password-12\n")
        assert runner.invoke(app, serve).exit_code == 2  # an analyst is no admin
        user(db, "add", "boss", "--role", "admin", "--password-stdin", stdin="boss-password-12\n")
        with open_store(db).begin() as conn:  # the CLI would refuse to disable the last admin
            moment = datetime.now(UTC)
            conn.execute(update(users).where(users.c.username == "boss").values(disabled_at=moment))
        assert runner.invoke(app, serve).exit_code == 2  # a disabled admin neither
        with open_store(db).connect() as conn:
            assert [a.username for a in auth.list_users(conn)] == ["boss", "ops"]  # none made
        monkeypatch.setenv("ADTRACE_MODE", "staging")
        bad = runner.invoke(app, serve)
        assert bad.exit_code == 2 and "mode" in bad.output


def test_production_serves_with_an_admin_and_prints_no_password(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    user(db, "add", "boss", "--role", "admin", "--password-stdin", stdin="boss-password-12\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "PATH": "/usr/bin:/bin",
        "ADTRACE_MODE": "production",
        "ADTRACE_CONFIG": str(tmp_path / "none.toml"),
    }
    command = [sys.executable, "-m", "adtrace", "serve", "--db", db, "--port", str(port)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, "adtrace serve did not answer"
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer.json() == {"status": "ok"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "password" not in output.lower() and "serving on" in output
    with open_store(db).connect() as conn:
        assert [a.username for a in auth.list_users(conn)] == ["boss"]
