"""Benchmark the synthetic ad generator: generation and write speed, peak memory, difficulty.

    .venv/bin/python benchmarks/bench_synth.py [--ads 1000000] [--workers N] [--all-formats]

Prints a table (ads, seconds to generate, ads per second, seconds to write Parquet, and CSV and
JSON Lines with --all-formats, peak RSS) and the difficulty line every benchmark prints.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from adtrace.synth import SynthConfig, difficulty_line, generate_ads, write_ads


def _peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (forked renderers), MB."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return own, children


def _timed_write(table: pa.Table, path: Path) -> str:
    started = time.perf_counter()
    write_ads(table, path)
    seconds = time.perf_counter() - started
    return f"{seconds:.2f} ({path.stat().st_size / 1e6:,.0f} MB)"


def _print_table(header: list[str], row: list[str]) -> None:
    widths = [max(len(h), len(v)) for h, v in zip(header, row, strict=True)]
    print(" | ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    print(" | ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description="Benchmark adtrace.synth.generate_ads.")
    parser.add_argument("--ads", type=int, default=100_000, help="ads to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="render processes (auto)")
    parser.add_argument("--all-formats", action="store_true", help="also time CSV and JSONL")
    args = parser.parse_args(argv)
    config = SynthConfig()

    started = time.perf_counter()
    table = generate_ads(args.ads, args.seed, config, workers=args.workers)
    seconds = time.perf_counter() - started
    own_mb, child_mb = _peak_rss_mb()
    formats = ("parquet", "csv", "jsonl") if args.all_formats else ("parquet",)
    with tempfile.TemporaryDirectory() as tmp:
        writes = [_timed_write(table, Path(tmp) / f"ads.{ext}") for ext in formats]

    final_mb, _ = _peak_rss_mb()
    header = ["ads", "generate s", "ads/s", "peak RSS MB", "worker RSS MB"]
    header += [f"write {ext} s" for ext in formats] + ["peak RSS MB after writes"]
    row = [f"{args.ads:,}", f"{seconds:.1f}", f"{args.ads / seconds:,.0f}", f"{own_mb:,.0f}"]
    row += [f"{child_mb:,.0f}", *writes, f"{final_mb:,.0f}"]
    _print_table(header, row)
    print(difficulty_line(config, table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
