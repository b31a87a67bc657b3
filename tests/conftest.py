"""Shared fixtures: stores on both backends, a PostgreSQL server per test process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.postgres import create_database, find_bindir, postgres_server

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's adtrace.toml or ADTRACE_* variables."""
    for name in list(os.environ):
        if name.startswith("ADTRACE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ADTRACE_CONFIG", str(tmp_path / "no-such-adtrace.toml"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for this test process; fails (not skips) when one cannot be started."""
    if find_bindir() is None and os.environ.get("ADTRACE_REQUIRE_PG") != "1":
        pytest.skip("PostgreSQL server binaries not installed (make test installs them as root)")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a SQLite file, or a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("postgres_url")
    return create_database(server)
