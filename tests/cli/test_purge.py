"""`adtrace purge`: dry run, selector and age purges, the configured age, bad usage."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.store.engine import open_store
from adtrace.store.retention import save_retention_setting
from adtrace.store.schema import ads, purges

runner = CliRunner()
TEXT = "Upscale companion visiting this week, text {phone} for rates and a warm welcome"


@pytest.fixture
def db(tmp_path: Path) -> str:
    now = datetime.now(UTC)
    path = tmp_path / "ads.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "id", "title", "text", "seen_at"])
        recent, old = (now - timedelta(days=2)).isoformat(), (now - timedelta(days=500)).isoformat()
        writer.writerow(["s.example", "a1", "Hi", TEXT.format(phone="613-555-0142"), recent])
        writer.writerow(["s.example", "a2", "Hi", TEXT.format(phone="(613) 555 0142"), recent])
        writer.writerow(["s.example", "a3", "Hi", TEXT.format(phone="819 555 0199"), recent])
        writer.writerow(["s.example", "a4", "Hi", "An old ad nobody needs", old])
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(app, ["ingest", str(path), "--db", url])
    assert result.exit_code == 0, result.output
    return url


def _ads(url: str) -> int:
    with open_store(url).connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ads)).scalar_one())


def test_dry_run_then_selector_purge(db: str, tmp_path: Path) -> None:
    args = ["purge", "--selector", "phone:6135550142", "--db", db, "--json"]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.stdout)
    assert summary["dry_run"] and summary["counts"]["ads"] == 2 and _ads(db) == 4
    assert "6135550142" not in dry.output and "0142" not in json.dumps(summary["criteria"])
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["counts"]["ads"] == 2 and _ads(db) == 2
    data = (tmp_path / "store.db").read_bytes()
    assert b"613-555-0142" not in data and b"(613) 555 0142" not in data
    table = runner.invoke(app, ["purge", "--selector", "email:nobody@x.example", "--db", db])
    assert table.exit_code == 0 and "removed" in table.output


def test_age_purge_and_the_configured_age(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = runner.invoke(app, ["purge", "--db", db])
    assert refused.exit_code == 2 and "retention" in refused.output
    monkeypatch.setenv("ADTRACE_RETENTION_DAYS", "365")
    dry = runner.invoke(app, ["purge", "--db", db, "--dry-run", "--json"])
    assert dry.exit_code == 0 and json.loads(dry.stdout)["counts"]["ads"] == 1
    engine = open_store(db)
    with engine.begin() as conn:  # the web app's setting wins over the file's
        save_retention_setting(conn, 1000, by="admin")
    dry = runner.invoke(app, ["purge", "--db", db, "--dry-run", "--json"])
    assert json.loads(dry.stdout)["counts"] == {}
    done = runner.invoke(app, ["purge", "--older-than", "365d", "--db", db])
    assert done.exit_code == 0, done.output
    assert _ads(db) == 3
    with engine.connect() as conn:
        criteria = conn.execute(select(purges.c.criteria)).scalar_one()
    assert criteria["older_than_days"] == 365


@pytest.mark.parametrize(
    "args",
    [
        ["--selector", "fax:123"],
        ["--selector", "phone:12"],
        ["--older-than", "a year"],
        ["--older-than", "0d"],
        ["--older-than", "365d", "--selector", "email:a@b.ca"],
    ],
)
def test_bad_usage_is_exit_2(db: str, args: list[str]) -> None:
    result = runner.invoke(app, ["purge", *args, "--db", db])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert _ads(db) == 4
