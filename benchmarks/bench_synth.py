"""Benchmark the synthetic ad generator: generation and write speed, peak memory, difficulty.

    .venv/bin/python benchmarks/bench_synth.py [--ads 1000000] [--seed 1] [--workers N] [--csv]

Prints one table row per run and the difficulty line every benchmark prints.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from adtrace.synth import SynthConfig, difficulty_line, generate_ads, write_ads


def _peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child, in MB (Linux: KB units)."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return own, children


def _timed_write(table: object, path: Path) -> float:
    started = time.perf_counter()
    write_ads(table, path)  # type: ignore[arg-type]
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=100_000, help="ads to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="render processes (auto)")
    parser.add_argument("--csv", action="store_true", help="also time writing CSV")
    args = parser.parse_args(argv)
    config = SynthConfig()

    started, cpu = time.perf_counter(), time.process_time()
    table = generate_ads(args.ads, args.seed, config, workers=args.workers)
    generate_s, generate_cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as tmp:
        parquet_s = _timed_write(table, Path(tmp) / "ads.parquet")
        parquet_mb = (Path(tmp) / "ads.parquet").stat().st_size / 1e6
        csv_s = _timed_write(table, Path(tmp) / "ads.csv") if args.csv else float("nan")
    own_mb, child_mb = _peak_rss_mb()

    header = (
        "ads",
        "generate s",
        "parent cpu s",
        "ads/s",
        "parquet s",
        "parquet MB",
        "csv s",
        "peak RSS MB",
        "worker RSS MB",
    )
    row = (
        f"{args.ads:,}",
        f"{generate_s:.1f}",
        f"{generate_cpu:.1f}",
        f"{args.ads / generate_s:,.0f}",
        f"{parquet_s:.2f}",
        f"{parquet_mb:.0f}",
        f"{csv_s:.2f}",
        f"{own_mb:,.0f}",
        f"{child_mb:,.0f}",
    )
    widths = [max(len(h), len(v)) for h, v in zip(header, row, strict=True)]
    print(" | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    print(" | ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    print(difficulty_line(config, table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
