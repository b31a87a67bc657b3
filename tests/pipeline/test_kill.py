"""`adtrace ingest` killed by SIGKILL at 20 seeded points: the store stays consistent, and the
re-run imports everything once.

The command runs in a child process against a SQLite store. Its progress bar (forced on with
FORCE_COLOR and TTY_INTERACTIVE, one step per chunk of rows) tells the test how far the import
is; each kill point is a row count drawn from a seeded RNG, and the child is killed when the bar
reaches it (or, for the last points, a seeded few milliseconds after the bar's last step, which
lands in the commit or just after it). After every kill the store must open, pass
``PRAGMA integrity_check`` and ``foreign_key_check``, and hold either nothing from the run or the
whole run (ingest is one transaction). A final run must then give the counts of a clean import.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from adtrace.pipeline import IngestOptions, ingest_file
from adtrace.store.engine import open_store
from adtrace.store.schema import ad_versions, ads, batches, rejects, sightings
from adtrace.synth import generate_ads, write_ads

ROWS = 3_000
CHUNK = 100
KILLS = 20
AT_THE_END = 3
"""Of the 20 kill points, the last 3 are a few milliseconds after the last progress step."""
SEED = 20_261_123
TABLES = {"ads": ads, "ad_versions": ad_versions, "sightings": sightings, "rejects": rejects}
PROGRESS = re.compile(rb"([\d,]+) rows")

pytestmark = pytest.mark.slow


def counts(url: str) -> dict[str, int]:
    """Rows of the tables an import writes, and the batches by status."""
    engine = open_store(url, create=False)
    try:
        with engine.connect() as conn:
            found = {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in TABLES.items()
            }
            for status, n in conn.execute(
                select(batches.c.status, func.count()).group_by(batches.c.status)
            ):
                found[f"batches {status}"] = int(n)
    finally:
        engine.dispose()
    return found


def check_consistent(url: str) -> None:
    """The store opens and SQLite finds nothing wrong in its pages, indexes or foreign keys."""
    engine = open_store(url, create=False)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        engine.dispose()


class Child:
    """`adtrace ingest` in a child process, with the last row count its progress bar showed."""

    def __init__(self, csv_path: Path, url: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADTRACE_")}
        env.update(
            ADTRACE_CHUNK_ROWS=str(CHUNK),
            ADTRACE_CONFIG=str(csv_path.with_name("no-such-adtrace.toml")),
            FORCE_COLOR="1",
            TTY_INTERACTIVE="1",
            COLUMNS="120",
        )
        command = [sys.executable, "-m", "adtrace", "ingest", str(csv_path), "--db", url]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.rows = -1
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        tail = b""
        while chunk := self.process.stderr.read1(4096):
            tail = (tail + chunk)[-200:]
            found = PROGRESS.findall(tail)
            if found:
                self.rows = max(self.rows, int(found[-1].replace(b",", b"")))

    def kill_at(self, rows: int, extra_seconds: float, timeout: float = 30.0) -> bool:
        """SIGKILL once the bar reached `rows` (plus `extra_seconds`); False if it ended first."""
        deadline = time.monotonic() + timeout
        while self.rows < rows and self.process.poll() is None:
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.002)
        if extra_seconds:
            time.sleep(extra_seconds)
        ended = self.process.poll() is not None
        if not ended:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        return not ended


def kill_points(rng: random.Random) -> list[tuple[int, float]]:
    """(rows shown, then seconds to wait) for each kill: mid-import points in a seeded order,
    then a few just after the last step (in or after the commit)."""
    # The bar refreshes 10 times a second: a point 5 chunks before the end is still mid-import.
    middle = rng.sample(range(0, ROWS - 5 * CHUNK, CHUNK), KILLS - AT_THE_END)
    end = [(ROWS - CHUNK, rng.uniform(0.0, 0.15)) for _ in range(AT_THE_END)]
    return [(rows, 0.0) for rows in middle] + end


def test_ingest_killed_at_20_points_leaves_a_consistent_store(tmp_path: Path) -> None:
    source = tmp_path / "ads.csv"
    write_ads(generate_ads(ROWS, 11, workers=1), source)
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    ingest_file(open_store(clean_url), source, IngestOptions(chunk_rows=CHUNK))
    clean = counts(clean_url)
    assert clean["ads"] == ROWS and clean["batches complete"] == 1

    empty = tmp_path / "empty.db"
    open_store(f"sqlite:///{empty}").dispose()  # the schema, made once
    store = tmp_path / "store.db"
    url = f"sqlite:///{store}"
    shutil.copy(empty, store)
    outcomes: list[str] = []
    for rows, extra in kill_points(random.Random(SEED)):
        killed = Child(source, url).kill_at(rows, extra)
        check_consistent(url)
        after = counts(url)
        if after["ads"] == 0:
            assert after == {name: 0 for name in TABLES}, after  # no batch, no row: rolled back
            outcomes.append("rolled back")
        else:
            assert after == clean, after  # the whole run, once
            outcomes.append("committed" if killed else "finished")
            for leftover in store.parent.glob("store.db*"):
                leftover.unlink()
            shutil.copy(empty, store)  # the next kill interrupts a fresh import again
    assert len(outcomes) == KILLS
    assert outcomes[: KILLS - AT_THE_END] == ["rolled back"] * (KILLS - AT_THE_END), outcomes

    final = subprocess.run(
        [sys.executable, "-m", "adtrace", "ingest", str(source), "--db", url, "--json"],
        env={k: v for k, v in os.environ.items() if not k.startswith("ADTRACE_")}
        | {"ADTRACE_CONFIG": str(tmp_path / "no-such-adtrace.toml")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert final.returncode == 0, final.stderr
    check_consistent(url)
    assert counts(url) == clean
