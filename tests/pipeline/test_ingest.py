"""`adtrace ingest` end to end on both stores: counts, idempotency, versions, rejects, undo."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.store.engine import open_store
from adtrace.store.schema import ad_versions, ads, batches, rejects, sightings

runner = CliRunner()
HEADER = ["id", "site", "title", "description", "PostingDate", "city", "phone"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def ad_rows(n: int, *, text: str = "Sweet girl in town, call me") -> list[list[str]]:
    return [
        [
            str(i),
            "site-a",
            f"Title {i}",
            f"{text} #{i}",
            "2024-07-18T14:29:00-04:00",
            "Montréal",
            f"514 555 01{i % 100:02d}",
        ]
        for i in range(n)
    ]


def ingest(*args: str) -> tuple[int, dict[str, int] | str]:
    result = runner.invoke(app, ["ingest", *args, "--json"])
    if result.exit_code == 0:
        return 0, json.loads(result.stdout.strip().splitlines()[-1])
    return result.exit_code, result.output


def count(url: str, table: object) -> int:
    engine = open_store(url)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_ingest_counts_and_reingest_changes_nothing(store_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ads.csv", ad_rows(50))
    code, summary = ingest(str(path), "--db", store_url)
    assert code == 0
    assert summary == {"read": 50, "new": 50, "updated": 0, "unchanged": 0, "rejected": 0}
    _, again = ingest(str(path), "--db", store_url)
    assert again == {"read": 50, "new": 0, "updated": 0, "unchanged": 50, "rejected": 0}
    assert count(store_url, batches) == 1
    assert count(store_url, sightings) == 50


def test_changed_and_repeated_ads_become_versions_and_sightings(
    store_url: str, tmp_path: Path
) -> None:
    ingest(str(write_csv(tmp_path / "day1.csv", ad_rows(10))), "--db", store_url)
    rows = ad_rows(12)
    rows[3][3] = "Completely rewritten text"
    _, summary = ingest(str(write_csv(tmp_path / "day2.csv", rows)), "--db", store_url)
    assert summary == {"read": 12, "new": 2, "updated": 1, "unchanged": 9, "rejected": 0}
    assert count(store_url, ads) == 12
    assert count(store_url, ad_versions) == 13
    assert count(store_url, sightings) == 22


def test_bad_rows_are_rejected_with_line_and_field(store_url: str, tmp_path: Path) -> None:
    rows = ad_rows(5)
    rows[1][0] = ""  # empty id, file line 3
    rows[2][3] = rows[2][2] = ""  # no text, no title, line 4
    rows[3][4] = "not a date"  # line 5
    _, summary = ingest(str(write_csv(tmp_path / "bad.csv", rows)), "--db", store_url)
    assert summary == {"read": 5, "new": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    engine = open_store(store_url)
    with engine.connect() as conn:
        got = conn.execute(
            select(rejects.c.line, rejects.c.field, rejects.c.raw).order_by(rejects.c.line)
        ).all()
    assert [(r.line, r.field) for r in got] == [(3, "id"), (4, "description"), (5, "PostingDate")]
    assert "not a date" in got[2].raw


def test_day_month_order_is_inferred_or_rejected(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    rows = ad_rows(3)
    for row, value in zip(
        rows, ["03/04/2024 10:00", "25/04/2024 10:00", "05/06/2024 10:00"], strict=True
    ):
        row[4] = value
    _, summary = ingest(str(write_csv(tmp_path / "dmy.csv", rows)), "--db", url)
    assert summary["rejected"] == 0
    engine = open_store(url)
    with engine.connect() as conn:
        first = conn.execute(
            select(ad_versions.c.posted_at, ad_versions.c.posted_at_tz).where(
                ad_versions.c.posted_at_raw == "03/04/2024 10:00"
            )
        ).one()
    assert (first.posted_at.month, first.posted_at.day) == (4, 3)  # 3 April, Montréal time
    assert first.posted_at_tz.startswith("city:")
    for row, value in zip(
        rows, ["03/04/2024 10:00", "04/05/2024 10:00", "05/05/2024 10:00"], strict=True
    ):
        row[4] = value
    _, summary = ingest(str(write_csv(tmp_path / "amb.csv", rows)), "--db", url)
    assert summary["rejected"] == 2  # 05/05 is the same either way
    _, summary = ingest(
        str(tmp_path / "amb.csv"),
        "--db",
        url,
        "--date-format",
        "%d/%m/%Y %H:%M",
        "--dataset",
        "amb-dmy",
    )
    assert summary["rejected"] == 0


def test_missing_id_column_is_exit_2_naming_file_and_field(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "noid.csv", [["hello there", "site-a"]], ["text", "site"])
    code, message = ingest(str(path), "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert code == 2
    assert "noid.csv" in str(message) and "id" in str(message) and "Traceback" not in str(message)


def test_ids_from_url_and_from_content(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    path = write_csv(
        tmp_path / "u.csv",
        [
            ["https://Site-B.example/ad/1/#top", "hi there"],
            ["https://site-b.example/ad/2", "hello"],
        ],
        ["url", "text"],
    )
    _, summary = ingest(str(path), "--db", url, "--id-from", "url")
    assert summary["new"] == 2
    engine = open_store(url)
    with engine.connect() as conn:
        keys = sorted(conn.execute(select(ads.c.site, ads.c.site_ad_id)).all())
    assert keys[0] == ("site-b.example", "https://site-b.example/ad/1")
    path = write_csv(tmp_path / "c.csv", [["hi there"], ["hi there"], ["other"]], ["text"])
    _, summary = ingest(str(path), "--db", url, "--id-from", "content-hash", "--site", "s")
    assert summary == {"read": 3, "new": 2, "updated": 0, "unchanged": 1, "rejected": 0}


def test_import_undo_and_list(store_url: str, tmp_path: Path) -> None:
    ingest(str(write_csv(tmp_path / "a.csv", ad_rows(5))), "--db", store_url)
    ingest(str(write_csv(tmp_path / "b.csv", ad_rows(8))), "--db", store_url)
    result = runner.invoke(app, ["import", "undo", "2", "--db", store_url])
    assert result.exit_code == 0, result.output
    assert count(store_url, ads) == 5
    listed = runner.invoke(app, ["import", "list", "--db", store_url, "--json"])
    statuses = [json.loads(line)["status"] for line in listed.stdout.splitlines()]
    assert statuses == ["complete", "undone"]
    assert runner.invoke(app, ["import", "undo", "2", "--db", store_url]).exit_code == 2
    _, again = ingest(str(tmp_path / "b.csv"), "--db", store_url)
    assert again["new"] == 3  # an undone batch can be imported again


def test_failure_mid_import_leaves_store_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    ingest(str(write_csv(tmp_path / "first.csv", ad_rows(5))), "--db", url)
    import adtrace.pipeline.ingest as pipeline

    calls = {"n": 0}
    real = pipeline.write_ads

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "write_ads", failing)
    monkeypatch.setenv("ADTRACE_CHUNK_ROWS", "10")
    code, message = ingest(
        str(write_csv(tmp_path / "big.csv", ad_rows(100, text="x"))), "--db", url
    )
    assert code == 1 and "disk full" in str(message)
    assert count(url, ads) == 5 and count(url, batches) == 1 and count(url, sightings) == 5


def test_killed_import_leaves_store_as_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    ingest(str(write_csv(tmp_path / "first.csv", ad_rows(5))), "--db", url)
    big = write_csv(tmp_path / "big.csv", ad_rows(60_000, text="words " * 40))
    env = {**os.environ, "ADTRACE_CHUNK_ROWS": "200"}
    child = subprocess.Popen(
        [sys.executable, "-m", "adtrace", "-q", "ingest", str(big), "--db", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal = tmp_path / "s.db-wal"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < 2_000_000):
        time.sleep(0.05)
    assert child.poll() is None, "the import finished before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert count(url, ads) == 5 and count(url, batches) == 1 and count(url, rejects) == 0
