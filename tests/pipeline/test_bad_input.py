"""Every malformed input gives the documented exit code, a one-sentence message and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.store.engine import open_store
from adtrace.store.schema import ads, rejects
from tests.badinput import CASES, Case

runner = CliRunner()


def run_case(case: Case, folder: Path) -> tuple[int, str, int, int]:
    """Ingest the case's file; return exit code, output, ads stored, rows rejected.

    The output ends with the first reject's line, field and reason, for the bad-input table.
    """
    path = case.make(folder)
    url = f"sqlite:///{folder / 'store.db'}"
    result = runner.invoke(app, ["ingest", str(path), "--db", url, *case.args])
    engine = open_store(url)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(ads)).scalar_one()
        rejected = conn.execute(select(func.count()).select_from(rejects)).scalar_one()
        first = conn.execute(
            select(rejects.c.line, rejects.c.field, rejects.c.reason).order_by(rejects.c.line)
        ).first()
    output = result.output
    if first is not None:
        output += f"\nreject: line {first.line}, field {first.field!r}: {first.reason}"
    return result.exit_code, output, int(stored), int(rejected)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    code, output, stored, rejected = run_case(case, tmp_path)
    assert "Traceback" not in output
    assert (code, stored, rejected) == (case.exit_code, case.stored, case.rejected), output
    if code == 2:
        message = [line for line in output.splitlines() if line.startswith("error:")]
        assert len(message) == 1 and case.make(tmp_path).name in message[0]
