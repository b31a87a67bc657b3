"""Operator basics: --version, --help with examples, settings, exit codes, quiet logs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from adtrace import __version__
from adtrace.cli.main import app
from adtrace.settings import Settings, load_settings
from tests.pipeline.test_ingest import ad_rows, write_csv

runner = CliRunner()


def all_commands() -> list[list[str]]:
    """Every command path of the CLI, e.g. ["import", "undo"]."""
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: Any, prefix: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*prefix, name])
        else:
            paths.append(prefix)

    walk(root, [])
    return paths


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_commands_in_cli_md_exist() -> None:
    names = {" ".join(p) for p in all_commands()}
    for command in (
        "ingest",
        "import list",
        "import undo",
        "synth",
        "run",
        "db upgrade",
        "db backup",
    ):
        assert command in names


def test_settings_from_toml_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "adtrace.toml"
    config.write_text('db = "sqlite:///from-toml.db"\nchunk_rows = 123\n', encoding="utf-8")
    monkeypatch.setenv("ADTRACE_CONFIG", str(config))
    assert load_settings().db == "sqlite:///from-toml.db"
    monkeypatch.setenv("ADTRACE_DB", "sqlite:///from-env.db")
    settings = load_settings()
    assert settings.db == "sqlite:///from-env.db" and settings.chunk_rows == 123
    assert load_settings(db="sqlite:///from-option.db").db == "sqlite:///from-option.db"


def test_every_setting_is_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`ADTRACE_{name.upper()}`" in docs


def test_unknown_setting_in_toml_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "adtrace.toml"
    config.write_text('colour = "blue"\n', encoding="utf-8")
    monkeypatch.setenv("ADTRACE_CONFIG", str(config))
    result = runner.invoke(app, ["import", "list", "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2 and "colour" in result.output and "Traceback" not in result.output


def test_bad_usage_is_exit_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert runner.invoke(app, ["ingest", str(tmp_path / "missing.csv"), "--db", db]).exit_code == 2
    assert (
        runner.invoke(app, ["ingest", "x.csv", "--tz", "Mars/Olympus", "--db", db]).exit_code == 2
    )
    assert runner.invoke(app, ["ingest", "x.csv", "--map", "nonsense"]).exit_code == 2
    assert runner.invoke(app, ["ingest"]).exit_code == 2
    assert runner.invoke(app, ["synth", "--ads", "3", "-o", str(tmp_path / "x.txt")]).exit_code == 2


def test_no_ad_text_or_phone_reaches_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret_text, secret_phone = "Zanzibarina lovely", "438 555 0199"
    rows = ad_rows(30, text=secret_text)
    for row in rows:
        row[6] = secret_phone
    rows[4][4] = f"{secret_phone} not a date"  # a reject whose value holds the phone
    rows[5][0] = ""
    path = write_csv(tmp_path / "ads.csv", rows)
    caplog.set_level(logging.INFO)
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(app, ["ingest", str(path), "--db", db])
    assert result.exit_code == 0
    runner.invoke(app, ["import", "list", "--db", db])
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "ingest logs at the default level"
    for secret in (secret_text, secret_phone, "Zanzibarina"):
        assert secret not in logged
        assert secret not in result.output
