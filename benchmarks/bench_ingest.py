"""Ingest throughput and peak memory: synthetic ads into SQLite (100k, 1M) and PostgreSQL (100k).

Each import runs as its own `adtrace ingest` process so its peak RSS is measured alone. A second
import of the same file checks idempotency (nothing new) and shows the cost of the shortcut.

    .venv/bin/python benchmarks/bench_ingest.py [--sizes 100000 1000000] [--pg-sizes 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADTRACE = str(Path(sys.executable).parent / "adtrace")


def run_measured(args: list[str]) -> tuple[float, float, str]:
    """Run a command; return wall seconds, its own peak RSS in MB (os.wait4), and its stdout."""
    with tempfile.TemporaryFile() as stdout:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=stdout, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{args[:3]} failed with exit code {child.returncode}")
        stdout.seek(0)
        return seconds, usage.ru_maxrss / 1024, stdout.read().decode()


def make_file(folder: Path, ads: int) -> Path:
    path = folder / f"synth-{ads}.csv"
    if not path.exists():
        subprocess.run(
            [ADTRACE, "-q", "synth", "--ads", str(ads), "--seed", "11", "-o", str(path)],
            check=True,
            capture_output=True,
        )
    return path


def ingest(path: Path, url: str) -> tuple[float, float, dict[str, int]]:
    seconds, peak, stdout = run_measured(
        [ADTRACE, "-q", "ingest", str(path), "--db", url, "--json"]
    )
    return seconds, peak, json.loads(stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--pg-sizes", type=int, nargs="*", default=[100_000])
    args = parser.parse_args()
    from adtrace.synth import SynthConfig, difficulty_line

    print("data:", difficulty_line(SynthConfig()))
    rows = []
    with tempfile.TemporaryDirectory(prefix="adtrace-bench-") as tmp:
        folder = Path(tmp)
        for ads in args.sizes:
            path = make_file(folder, ads)
            url = f"sqlite:///{folder / f'store-{ads}.db'}"
            rows.append(("sqlite", ads, path.stat().st_size, *ingest(path, url), "first"))
            rows.append(("sqlite", ads, path.stat().st_size, *ingest(path, url), "again"))
        if args.pg_sizes:
            from tests.postgres import create_database, postgres_server

            with postgres_server() as server:
                for ads in args.pg_sizes:
                    path = make_file(folder, ads)
                    url = create_database(server)
                    rows.append(
                        ("postgresql", ads, path.stat().st_size, *ingest(path, url), "first")
                    )
                    rows.append(
                        ("postgresql", ads, path.stat().st_size, *ingest(path, url), "again")
                    )
    print(
        f"{'store':<11}{'ads':>10}{'file MB':>9}{'import':>8}{'seconds':>9}{'ads/s':>9}"
        f"{'peak MB':>9}{'new':>10}{'unchanged':>11}{'rejected':>10}"
    )
    for store, ads, size, seconds, peak, counts, kind in rows:
        print(
            f"{store:<11}{ads:>10,}{size / 1e6:>9.0f}{kind:>8}{seconds:>9.1f}"
            f"{ads / seconds:>9,.0f}{peak:>9.0f}{counts['new']:>10,}{counts['unchanged']:>11,}"
            f"{counts['rejected']:>10,}"
        )
    print(f"(peak MB: the ingest process's own peak RSS; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
