"""Web latency: p50/p95 of search and of the cluster page on a SQLite store of N synthetic ads.

The store is built with the real pipeline (synth → ingest → extract → link → score → search
index) once per size and kept under --cache (building 1M ads takes long; build times are printed).
Requests go through the whole app in this process (FastAPI TestClient: routing, session check,
queries, rendering), signed in as an analyst; no network hop.

Queries, each repeated --repeat times, round-robin: a common word, a rare word, a prefix, two
words, a phone written obfuscated, city + word, persona name, site + date range sorted by score.
Cluster pages: the largest clusters and clusters drawn at random (seeded), HTML and JSON twin.

    .venv/bin/python benchmarks/bench_web.py [--sizes 10000 100000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from tests.web.conftest import login  # noqa: E402
from tests.web.seed import obfuscated, shared_phone  # noqa: E402

from adtrace.pipeline import IngestOptions, extract_store, ingest_file, link_store  # noqa: E402
from adtrace.pipeline.score import score_store  # noqa: E402
from adtrace.store import clusters as cluster_store  # noqa: E402
from adtrace.store.engine import open_store  # noqa: E402
from adtrace.store.schema import ads, search_terms, users  # noqa: E402
from adtrace.store.search_index import index_pending  # noqa: E402
from adtrace.synth import generate_ads, write_ads  # noqa: E402
from adtrace.web.app import create_app  # noqa: E402
from adtrace.web.auth import add_user  # noqa: E402

CACHE = Path("/tmp/adtrace-bench-web")
PASSWORD = "bench-password-not-secret"  # noqa: S105 - user of a throwaway /tmp store


def build(n_ads: int, seed: int) -> tuple[str, dict[str, float]]:
    """The store of `n_ads` (built once, then reused) and the seconds each stage took."""
    folder = CACHE / f"n{n_ads}-s{seed}"
    url = f"sqlite:///{folder / 'store.db'}"
    done = folder / "built"
    if done.exists():
        return url, {}
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("store.db*"):
        old.unlink()
    times: dict[str, float] = {}
    start = time.perf_counter()
    write_ads(generate_ads(n_ads, seed), folder / "ads.csv")
    times["synth"] = time.perf_counter() - start
    engine = open_store(url)
    stages: list[tuple[str, Any]] = [
        (
            "ingest",
            lambda: ingest_file(engine, folder / "ads.csv", IngestOptions(chunk_rows=20_000)),
        ),
        ("extract", lambda: extract_store(engine)),
        ("link", lambda: link_store(engine)),
        ("score", lambda: score_store(engine, workers=2)),
        ("index", lambda: index_pending(engine)),
    ]
    for name, stage in stages:
        start = time.perf_counter()
        stage()
        times[name] = time.perf_counter() - start
        print(f"  n={n_ads:,}: {name} {times[name]:.0f} s", flush=True)
    with engine.begin() as conn:
        add_user(conn, "bench", PASSWORD, role="analyst")
    done.write_text("ok")
    return url, times


def searches(engine: Any) -> list[str]:
    phone, _ = shared_phone(engine)
    return [
        "/api/search?q=real",
        "/api/search?q=sushi",
        "/api/search?q=mass",
        "/api/search?q=quality+time",
        f"/api/search?phone={obfuscated(phone).replace(' ', '+')}",
        "/api/search?q=downtown&city=montreal",
        "/api/search?name=fiona",
        "/api/search?site=site-a.example&from=2024-01-01&to=2024-03-31&sort=score",
    ]


def cluster_urls(engine: Any, count: int, seed: int) -> list[str]:
    with engine.connect() as conn:
        largest = [c for c, _ in cluster_store.cluster_sizes(conn, limit=count)]
        sizes = cluster_store.cluster_sizes(conn)
    rng = random.Random(seed)
    drawn = [c for c, n in rng.sample(sizes, min(count, len(sizes))) if n > 1]
    ids = largest + drawn
    return [f"/clusters/{c}" for c in ids] + [f"/api/clusters/{c}" for c in ids]


def timed(client: TestClient, urls: list[str], repeat: int) -> list[float]:
    return [ms for by_url in timed_by_url(client, urls, repeat).values() for ms in by_url]


def timed_by_url(client: TestClient, urls: list[str], repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(repeat):
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            out[url].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        url, times = build(n, args.seed)
        engine = open_store(url)
        with engine.connect() as conn:
            n_ads = conn.execute(select(func.count()).select_from(ads)).scalar_one()
            n_terms = conn.execute(select(func.count()).select_from(search_terms)).scalar_one()
            assert conn.execute(select(users.c.user_id).where(users.c.username == "bench")).first()
        size_mb = Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6
        with TestClient(create_app(engine), base_url="http://127.0.0.1") as client:
            login(client, "bench", PASSWORD)
            urls = searches(engine)
            timed(client, urls, 1)  # warm the page cache
            per_query = timed_by_url(client, urls, args.repeat)
            search_ms = [ms for by_url in per_query.values() for ms in by_url]
            for url, values in per_query.items():
                print(
                    f"  n={n_ads:,} {url.removeprefix('/api/search?')}: "
                    f"p50 {statistics.median(values):.1f} ms, max {max(values):.1f} ms"
                )
            pages = cluster_urls(engine, 10, args.seed)
            timed(client, pages[:2], 1)
            cluster_ms = timed(client, pages, max(1, args.repeat // 4))
        build_s = sum(times.values()) if times else float("nan")
        rows.append((n_ads, n_terms, size_mb, build_s, search_ms, cluster_ms))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(
        "| ads | index terms | store MB | build s | search p50 ms | search p95 ms "
        "| cluster p50 ms | cluster p95 ms | requests |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n_ads, n_terms, size_mb, build_s, s, c in rows:
        print(
            f"| {n_ads:,} | {n_terms:,} | {size_mb:,.0f} | {build_s:,.0f} "
            f"| {statistics.median(s):.1f} | {pct(s, 0.95):.1f} "
            f"| {statistics.median(c):.1f} | {pct(c, 0.95):.1f} | {len(s)}+{len(c)} |"
        )
    print(
        f"\npeak RSS of this process: {rss:,.0f} MB (build times: 'nan' when the store was cached)"
    )


if __name__ == "__main__":
    main()
