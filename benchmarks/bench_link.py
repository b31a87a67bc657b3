"""Batch linking on synthetic ads with ground truth: time, peak memory and quality together.

For each size, ads come from `adtrace.synth.generate_ads` (seeded) and their selectors are
extracted beforehand with `adtrace.extract` (cached; extraction is not timed: one target is
linking given extracted selectors). `--signals raw` is the end-to-end target instead: the file is
read and selectors are extracted inside the timed run. Each link run is its own process, so its
peak RSS (reading the table included) is its own.

Quality: B-cubed precision, recall and F1 of the clusters against `operator_id` (every
independent advertiser is its own truth group), and the share of independents' ads put in a
cluster with another advertiser's ads. Determinism: the first size is linked twice.

    .venv/bin/python benchmarks/bench_link.py [--sizes 10000 100000 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adtrace.link import LinkParams, link_table  # noqa: E402
from adtrace.link.selectors import extract_selectors  # noqa: E402
from adtrace.synth import SynthConfig, difficulty_line, generate_ads  # noqa: E402

CACHE = Path("/tmp/adtrace-bench-link")
SPAN = pa.struct(
    [("kind", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("field", pa.string())]
)


def _extract_range(args: tuple[list[str], list[str]]) -> list[dict[str, Any]]:
    texts, titles = args
    found = extract_selectors(texts, titles)
    rows: list[dict[str, Any]] = [
        {"phones": [], "emails": [], "handles": [], "selector_spans": []} for _ in texts
    ]
    if found is None:
        return rows
    for ad, code in zip(found.ad.tolist(), found.code.tolist(), strict=True):
        rows[ad][found.kinds[code] + "s"].append(found.values[code])
    spans = found.spans
    for k, ad in enumerate(spans.ad.tolist()):
        rows[ad]["selector_spans"].append(
            {
                "kind": spans.kind[k],
                "start": int(spans.start[k]),
                "end": int(spans.end[k]),
                "field": "title" if spans.title[k] else "text",
            }
        )
    return rows


def corpus(n: int, seed: int) -> Path:
    """Synthetic ads with extracted selector columns, as a cached Parquet file."""
    path = CACHE / f"synth-{n}-{seed}.parquet"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    table = generate_ads(n, seed)
    texts, titles = table.column("text").to_pylist(), table.column("title").to_pylist()
    step = 5_000
    chunks = [(texts[i : i + step], titles[i : i + step]) for i in range(0, n, step)]
    with mp.get_context("fork").Pool(2) as pool:
        rows = [r for part in pool.map(_extract_range, chunks) for r in part]
    ids = [
        f"{s}/{i}"
        for s, i in zip(
            table.column("site").to_pylist(), table.column("id").to_pylist(), strict=True
        )
    ]
    table = table.set_column(table.column_names.index("id"), "id", pa.array(ids))
    for name in ("phones", "emails", "handles"):
        table = table.append_column(name, pa.array([r[name] for r in rows], pa.list_(pa.string())))
    table = table.append_column(
        "selector_spans", pa.array([r["selector_spans"] for r in rows], pa.list_(SPAN))
    )
    pq.write_table(table, path)
    return path


def bcubed(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1."""
    p = np.unique(predicted, return_inverse=True)[1]
    g = np.unique(truth, return_inverse=True)[1]
    joint = np.unique(
        p.astype(np.int64) * (int(g.max()) + 1) + g, return_inverse=True, return_counts=True
    )
    shared = joint[2][joint[1]]
    precision = float((shared / np.bincount(p)[p]).mean())
    recall = float((shared / np.bincount(g)[g]).mean())
    return precision, recall, 2 * precision * recall / (precision + recall)


def independents_merged(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Share of independents' ads in a cluster holding another advertiser's ads."""
    p = np.unique(predicted, return_inverse=True)[1]
    g = np.unique(truth, return_inverse=True)[1]
    pairs = np.unique(np.stack([p, g], axis=1), axis=0)
    advertisers = np.bincount(pairs[:, 0], minlength=int(p.max()) + 1)
    independent = np.char.startswith(truth.astype(str), "ind")
    return float((advertisers[p][independent] > 1).mean()) if independent.any() else 0.0


def _link_child(path: str, signals: str, seed: int, queue: Any) -> None:
    start = time.perf_counter()
    table = pq.read_table(path)
    hidden = ["operator_id", "template_id", "persona"]
    if signals == "raw":  # end to end: reading and extraction timed too
        hidden += ["phones", "emails", "handles", "selector_spans"]
    else:
        start = time.perf_counter()
    result = link_table(
        table.drop_columns([c for c in hidden if c in table.column_names]),
        signals="all" if signals == "raw" else signals,
        params=LinkParams(),
        seed=seed,
    )  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    truth = np.asarray(table.column("operator_id").to_pylist())
    predicted = np.asarray(result.cluster_ids)
    queue.put(
        {
            "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "bcubed": bcubed(predicted, truth),
            "indep": independents_merged(predicted, truth),
            "clusters": len(set(result.cluster_ids)),
            "advertisers": len(set(truth.tolist())),
            "digest": hashlib.sha256("\n".join(result.cluster_ids).encode()).hexdigest(),
            "timings": result.run["timings"],
            "counts": result.run["counts"],
        }
    )


def _baseline_child(path: str, threshold: float, _seed: int, queue: Any) -> None:
    """Character 3-5-gram TF-IDF cosine over all pairs (the quadratic baseline), text only."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    table = pq.read_table(path)
    texts = [
        f"{t or ''} {x or ''}"
        for t, x in zip(
            table.column("title").to_pylist(), table.column("text").to_pylist(), strict=True
        )
    ]
    start = time.perf_counter()
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2).fit_transform(texts)
    similar = vectors @ vectors.T
    similar.data[similar.data < threshold] = 0
    similar.eliminate_zeros()
    _, labels = connected_components(similar, directed=False)
    seconds = time.perf_counter() - start
    truth = np.asarray(table.column("operator_id").to_pylist())
    predicted = labels.astype(str)
    queue.put(
        {
            "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "bcubed": bcubed(predicted, truth),
            "indep": independents_merged(predicted, truth),
            "clusters": len(set(labels.tolist())),
            "advertisers": len(set(truth.tolist())),
        }
    )


def run_isolated(target: Callable[..., None], *args: Any) -> dict[str, Any]:
    """Run `target(*args, queue)` in a fresh process (its peak RSS is its own); its metrics."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    metrics: dict[str, Any] = queue.get()
    child.join()
    return metrics


def link_measured(path: Path, signals: str, seed: int) -> dict[str, Any]:
    if signals.startswith("tfidf"):
        threshold = float(signals.removeprefix("tfidf@"))
        return run_isolated(_baseline_child, str(path), threshold, seed)
    return run_isolated(_link_child, str(path), signals, seed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument(
        "--signals",
        nargs="*",
        default=["all", "text"],
        help="all, text, selectors, or raw (all signals from the raw file: reading and "
        "extraction timed too)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stages", action="store_true", help="also print stage timings")
    parser.add_argument(
        "--baseline",
        type=int,
        default=20_000,
        help="ads for the TF-IDF cosine baseline (needs the bench extra: scikit-learn; 0 = skip)",
    )
    args = parser.parse_args()
    print(difficulty_line(SynthConfig()))
    rows = []
    for n in args.sizes:
        path = corpus(n, args.seed)
        for signals in args.signals:
            rows.append((n, signals, link_measured(path, signals, args.seed)))
    if args.baseline:
        path = corpus(args.baseline, args.seed)
        rows.append((args.baseline, "all", link_measured(path, "all", args.seed)))
        for threshold in (0.5, 0.7):
            name = f"tfidf@{threshold}"
            rows.append((args.baseline, name, link_measured(path, name, args.seed)))
    again = link_measured(corpus(args.sizes[0], args.seed), args.signals[0], args.seed)
    same = again["digest"] == rows[0][2]["digest"]
    header = (
        f"{'ads':>9} {'signals':<10}{'link s':>8}{'peak MB':>9}{'B3 P':>8}{'B3 R':>8}"
        f"{'B3 F1':>8}{'indep merged':>14}{'clusters':>10}{'advertisers':>13}"
    )
    print(header)
    print("-" * len(header))
    for n, signals, m in rows:
        p, r, f = m["bcubed"]
        print(
            f"{n:>9} {signals:<10}{m['seconds']:>8.2f}{m['peak_mb']:>9.0f}{p:>8.4f}{r:>8.4f}"
            f"{f:>8.4f}{m['indep']:>14.4f}{m['clusters']:>10}{m['advertisers']:>13}"
        )
    print(
        f"determinism: {args.sizes[0]} ads linked twice with seed {args.seed}: "
        f"{'identical clusters' if same else 'DIFFERENT clusters'}"
    )
    if args.stages:
        for n, signals, m in rows:
            if "timings" in m:
                print(n, signals, m["timings"], m["counts"])


if __name__ == "__main__":
    main()
