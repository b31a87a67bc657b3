"""A day of new ads on a large store: incremental link run vs full run (time, peak memory, quality).

A SQLite store receives BASE synthetic ads (seeded; the oldest by posting time; selectors extracted
on the store, as `adtrace run` does), is linked in full
(the model is learned and frozen), then receives DAY newer ads and is linked incrementally; a full
run (`--full`) on the same store follows for comparison. Each link run is its own process, so its
peak RSS is its own. Quality: B-cubed F1 of the store's current clusters against `operator_id`,
and whether the incremental clusters equal those of one batch run over all ads under the same
frozen model (the property the tests check on small data; skipped with --no-check).

    .venv/bin/python benchmarks/bench_incremental.py [--base 1000000] [--day 20000] [--seed 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from adtrace.link import LinkParams, link_table  # noqa: E402
from adtrace.pipeline.extract import extract_store  # noqa: E402
from adtrace.pipeline.ingest import IngestOptions, ingest_file  # noqa: E402
from adtrace.pipeline.link import frozen_model, link_store  # noqa: E402
from adtrace.store.clusters import ads_table, current_memberships, current_versions  # noqa: E402
from adtrace.store.engine import open_store  # noqa: E402
from adtrace.synth import generate_ads  # noqa: E402
from bench_link import bcubed, run_isolated  # noqa: E402

WORK = Path("/tmp/adtrace-bench-incremental")
TRUTH_COLUMNS = ["operator_id", "template_id", "persona", "phone_e164"]


def _files(base: int, day: int, seed: int) -> tuple[Path, Path, Path]:
    """Old ads, the day's ads (without truth columns) and the truth, cached."""
    WORK.mkdir(parents=True, exist_ok=True)
    old, new, truth = (
        WORK / f"{name}-{base}-{day}-{seed}.parquet" for name in ("old", "day", "truth")
    )
    if not truth.exists():
        ads = generate_ads(base + day, seed=seed)
        ads = ads.take(pc.sort_indices(ads, [("posted_at", "ascending")]))
        pq.write_table(ads.select(["site", "id", *TRUTH_COLUMNS]), truth)
        ads = ads.drop_columns(TRUTH_COLUMNS)
        pq.write_table(ads.slice(0, base), old)
        pq.write_table(ads.slice(base, day), new)
    return old, new, truth


def _link_child(url: str, full: bool, partner_jaccard: float, queue: Any) -> None:
    engine = open_store(url)
    start = time.perf_counter()
    counts = link_store(engine, full=full, params=LinkParams(partner_jaccard=partner_jaccard))
    queue.put(
        {
            "seconds": time.perf_counter() - start,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "mode": counts.mode,
            "linked": counts.ads,
            "clusters": counts.clusters,
            "moved": counts.moved,
        }
    )


def link_measured(url: str, full: bool, partner_jaccard: float) -> dict[str, Any]:
    return run_isolated(_link_child, url, full, partner_jaccard)


def quality(url: str, truth_path: Path) -> tuple[float, dict[int, str]]:
    """B-cubed F1 of the current clusters, and the clusters."""
    engine = open_store(url)
    with engine.connect() as conn:
        clusters = dict(current_memberships(conn))
        keys = pa.Table.from_pylist([{"ad": a, "site": s, "id": i} for a, s, i in _site_ids(conn)])
    truth = pq.read_table(truth_path)
    by_key = {
        (s, i): op
        for s, i, op in zip(
            truth.column("site").to_pylist(),
            truth.column("id").to_pylist(),
            truth.column("operator_id").to_pylist(),
            strict=True,
        )
    }
    ads = keys.column("ad").to_pylist()
    gold = [
        by_key[(s, i)]
        for s, i in zip(keys.column("site").to_pylist(), keys.column("id").to_pylist(), strict=True)
    ]
    predicted = np.asarray([clusters[a] for a in ads])
    return bcubed(predicted, np.asarray(gold))[2], clusters


def _site_ids(conn: Any) -> list[tuple[int, str, str]]:
    from sqlalchemy import select

    from adtrace.store.schema import ads

    return [
        (int(r[0]), r[1], r[2])
        for r in conn.execute(select(ads.c.ad_id, ads.c.site, ads.c.site_ad_id))
    ]


def equals_frozen_batch(url: str, clusters: dict[int, str]) -> bool:
    """Do the clusters equal one batch run over all ads under the frozen model?"""
    engine = open_store(url)
    with engine.connect() as conn:
        frozen = frozen_model(conn)
        assert frozen is not None
        table = ads_table(conn, list(current_versions(conn)))
    result = link_table(
        table, signals=frozen.signals, params=frozen.params, seed=frozen.seed, model=frozen.model
    )
    return _partition(clusters.items()) == _partition(
        (int(a), c) for a, c in zip(result.ids, result.cluster_ids, strict=True)
    )


def _partition(pairs: Any) -> set[frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for ad, cluster in pairs:
        groups.setdefault(cluster, set()).add(ad)
    return {frozenset(g) for g in groups.values()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--day", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--no-check", action="store_true", help="skip the frozen-batch check")
    parser.add_argument(
        "--partner-jaccard",
        type=float,
        default=LinkParams().partner_jaccard,
        help="partner filter of the full run's frozen parameters (see LinkParams)",
    )
    args = parser.parse_args()
    old, new, truth = _files(args.base, args.day, args.seed)
    store_path = WORK / f"store-{args.base}-{args.day}-{args.seed}.db"
    store_path.unlink(missing_ok=True)
    url = f"sqlite:///{store_path}"
    engine = open_store(url)
    start = time.perf_counter()
    ingest_file(engine, old, IngestOptions(dataset="base"))
    ingested = time.perf_counter() - start
    start = time.perf_counter()
    extract_store(engine)
    extracted = time.perf_counter() - start
    rows = []
    first = link_measured(url, False, args.partner_jaccard)
    rows.append(("full (first run)", args.base, first, quality(url, truth)[0], ""))
    start = time.perf_counter()
    ingest_file(engine, new, IngestOptions(dataset="day"))
    extract_store(engine)
    day_ingest = time.perf_counter() - start
    incremental = link_measured(url, False, args.partner_jaccard)
    f1, clusters = quality(url, truth)
    same = "" if args.no_check else ("yes" if equals_frozen_batch(url, clusters) else "NO")
    rows.append(("incremental (+day)", args.base + args.day, incremental, f1, same))
    full = link_measured(url, True, args.partner_jaccard)
    rows.append(("full (--full)", args.base + args.day, full, quality(url, truth)[0], ""))
    print(
        f"base {args.base:,} ads: ingest {ingested:.1f} s, extract {extracted:.1f} s; "
        f"day {args.day:,} ads: ingest and extract {day_ingest:.1f} s"
    )
    header = (
        f"{'run':<20}{'store ads':>10}{'linked':>10}{'link s':>9}{'peak MB':>9}{'moved':>11}"
        f"{'clusters':>10}{'B3 F1':>8}  = frozen batch"
    )
    print(header)
    print("-" * len(header))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    for name, n, m, f1, same in rows:
        print(
            f"{name:<20}{n:>10,}{m['linked']:>10,}{m['seconds']:>9.1f}{m['peak_mb']:>9.0f}"
            f"{m['moved']:>11,}{m['clusters']:>10,}{f1:>8.4f}  {same}"
        )
    print(f"2 cores; load average at the end: {load}")


if __name__ == "__main__":
    main()
