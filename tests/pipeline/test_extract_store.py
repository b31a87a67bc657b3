"""`adtrace extract` on files and on the store (both backends); `adtrace run` does both stages."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.pipeline import extract_store
from adtrace.store.engine import open_store
from adtrace.store.schema import ad_versions, extractions, runs, selectors
from tests.pipeline.test_ingest import write_csv

runner = CliRunner()
ROWS = [
    ["1", "site-a", "Hazel", "Call me at 4I6 five five five 0123, I'm Hazel, 23 yo", "Toronto"],
    ["2", "site-a", "Nina", "Appelle-moi au quatre un six 555 0123, je m'appelle Nina", "Montréal"],
    ["3", "site-b", "No contact", "Just text here without any number", "Laval"],
]
HEADER = ["id", "site", "title", "text", "city"]


def test_extract_file_mode(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "ads.csv", ROWS, HEADER)
    result = runner.invoke(app, ["extract", str(source), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    found = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["id"] for row in found] == ["1", "2", "3"]
    assert found[0]["phones"] == found[1]["phones"] == ["+14165550123"]
    assert found[2]["phones"] == []


def test_extract_needs_files_or_store_not_both(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "ads.csv", ROWS, HEADER)
    both = runner.invoke(app, ["extract", str(source), "-o", "x.jsonl", "--db", "sqlite:///x.db"])
    neither = runner.invoke(app, ["extract"])
    no_text = write_csv(tmp_path / "bad.csv", [["1", "x"]], ["id", "body"])
    missing = runner.invoke(app, ["extract", str(no_text), "-o", str(tmp_path / "o.jsonl")])
    assert (both.exit_code, neither.exit_code, missing.exit_code) == (2, 2, 2)
    assert "bad.csv" in missing.output and "text" in missing.output


def test_extract_store_is_incremental_and_replaces_on_redo(store_url: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", str(write_csv(tmp_path / "a.csv", ROWS, HEADER)), "--db", store_url]
    )
    assert result.exit_code == 0, result.output
    engine = open_store(store_url)
    with engine.connect() as conn:
        phones = conn.execute(
            select(selectors.c.value, selectors.c.start, selectors.c.end, ad_versions.c.text)
            .join(ad_versions, ad_versions.c.version_id == selectors.c.version_id)
            .where(selectors.c.kind == "phone", selectors.c.field == "text")
        ).all()
        first_total = conn.execute(select(func.count()).select_from(selectors)).scalar_one()
    assert sorted(p.value for p in phones) == ["+14165550123", "+14165550123"]
    assert all(p.text[p.start : p.end].endswith("0123") for p in phones)
    again = extract_store(engine, workers=1)
    assert again.versions == 0
    redo = extract_store(engine, workers=1, redo=True)
    assert redo.versions == 3
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(selectors)).scalar_one() == first_total
        assert conn.execute(select(func.count()).select_from(extractions)).scalar_one() == 3
        stages = [r.stage for r in conn.execute(select(runs.c.stage).order_by(runs.c.run_id))]
    assert stages == ["extract", "link", "score", "extract", "extract"]


def test_undo_removes_the_batch_selectors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    runner.invoke(app, ["run", str(write_csv(tmp_path / "a.csv", ROWS, HEADER)), "--db", url])
    assert runner.invoke(app, ["import", "undo", "1", "--db", url]).exit_code == 0
    engine = open_store(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(selectors)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(extractions)).scalar_one() == 0


def test_extract_file_mode_on_given_workers(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "ads.csv", ROWS, HEADER)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        result = runner.invoke(app, ["extract", str(source), "-o", str(out), "--workers", workers])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    bad = runner.invoke(app, ["extract", str(source), "-o", "x.jsonl", "--workers", "0"])
    assert bad.exit_code == 2
