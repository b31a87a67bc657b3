"""Scoring: speed and memory, a bias report, and the score distribution on real ads.

1. Speed: ad scoring (extraction included) and cluster scoring (profiles, indicators, scores;
   linking itself is not timed) on `adtrace.synth` ads, each in its own forked process: time,
   the peak RSS the stage added over the parent's, ads/s. Quality on the same ads: whether
   operators' ads and clusters rank above independents' (synth ground truth `operator_id`).
2. Bias: on ads generated here with EQUAL underlying risk by construction (every draw of risk
   features is written in parallel English and French, each with and without a stated
   ethnicity), the flag rates of English vs French ads and of ads stating an ethnicity vs not,
   for ads with no risk feature (false positives) and ads with some (detection). Then flag
   rates by language and by A05 on `adtrace.synth` ads (whose risk is not equal by design).
3. Real ads (/work/shared/data/chainbreaker_ads.csv, read at run time, never printed): the
   distribution of ad scores and of indicator counts, indicator frequencies, escalations, the
   scores of the file's `suspicious` label (undocumented origin: not truth), and the reasons of
   the 10 top-scored ads as indicator ids only. No ad text, id, phone or name is printed.

    .venv/bin/python benchmarks/bench_score.py [--ads 20000] [--bias-ads 4000] [--seed 1]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adtrace.indicators import (  # noqa: E402
    AdBatchScores,
    ClusterResult,
    score_ads,
    score_clusters,
)
from adtrace.link import link_table  # noqa: E402
from adtrace.link.files import read_ads  # noqa: E402
from adtrace.synth import generate_ads  # noqa: E402

REAL = Path("/work/shared/data/chainbreaker_ads.csv")
FLAG = 1.0
"""An ad is 'flagged' when its score reaches the weight of one validated (tier V) indicator."""
T = TypeVar("T")

# Parallel English / French wording: each risk feature says the same thing in both languages.
NEUTRAL = [
    (
        "Hi gentlemen, I am a sweet and discreet companion.",
        "Bonjour messieurs, je suis une compagne douce et discrète.",
    ),
    (
        "Come relax with me, I love good conversation.",
        "Viens te détendre avec moi, j'adore les bonnes conversations.",
    ),
    ("Clean and classy, I take my time.", "Propre et classe, je prends mon temps."),
    ("Text me for my rates.", "Écris-moi pour mes tarifs."),
]
RISK = {
    "A01": ("Barely legal and shy.", "Toute jeune et timide."),
    "A06": ("100% real pics, no games.", "Vraies photos, pas d'arnaque."),
    "A07": (
        "Call four one six five five five zero one two three.",
        "Appelle quatre un six cinq cinq cinq zéro un deux trois.",
    ),
    "A08": ("Call her, she is waiting for you.", "Appelez-la, elle vous attend."),
    "A09": ("New girls every week.", "Nouvelles filles chaque semaine."),
    "A12": ("Hotel incall near the airport.", "Hôtel près de l'aéroport."),
    "A13": ("Available 24/7.", "Disponible 24/7."),
    "A16": ("Bareback, no limits.", "Sans protection, sans limites."),
    "A18": ("Text my manager to book.", "Contactez le gérant pour réserver."),
}
CONTEXT = {"A10": ("New in town for a few days.", "Nouvelle en ville pour quelques jours.")}
ETHNICITY = [("Sweet Latina girl.", "Douce latina."), ("Lovely Asian girl.", "Belle asiatique.")]


def measured(fn: Callable[[], T]) -> tuple[T, float]:
    """Run fn; its result and seconds."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _status_mib(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        line = next(x for x in handle if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def in_child(fn: Callable[[], int]) -> tuple[float, float, int]:
    """Run fn in a forked process: (seconds, peak RSS the stage added in MiB, result).

    Linux only: the child resets its peak RSS mark (/proc/self/clear_refs) and reports the new
    peak minus its RSS before the stage.
    """
    context = mp.get_context("fork")
    queue: Any = context.Queue()

    def run() -> None:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        before = _status_mib("VmRSS")
        result, seconds = measured(fn)
        queue.put((seconds, _status_mib("VmHWM") - before, result))

    child = context.Process(target=run)
    child.start()
    seconds, added, result = queue.get()
    child.join()
    return seconds, added, result


def speed(n_ads: int, seed: int) -> tuple[list[list[str]], list[str]]:
    """Rows of the speed table, and the quality lines (ground truth of `adtrace.synth`)."""
    table = generate_ads(n_ads, seed)
    ad_seconds, ad_peak, _ = in_child(lambda: len(score_ads(table).ids))
    scored = score_ads(table)
    linked = link_table(table, seed=seed)
    text = [(r["a"], r["b"]) for r in linked.links.to_pylist() if "text" in r["kinds"]]
    ids = dict(zip(linked.ids, linked.cluster_ids, strict=True))
    cluster_ids = [ids[a] for a in scored.ids]
    cl_seconds, cl_peak, n_clusters = in_child(
        lambda: len(score_clusters(scored, cluster_ids, text))
    )
    rows = [
        [
            "ads: extract + indicators + score",
            f"{n_ads:,}",
            f"{ad_seconds:.1f}",
            f"{ad_peak:.0f}",
            f"{n_ads / ad_seconds:,.0f}",
        ],
        [
            f"clusters: profile + score ({n_clusters:,})",
            f"{n_ads:,}",
            f"{cl_seconds:.1f}",
            f"{cl_peak:.0f}",
            f"{n_ads / cl_seconds:,.0f}",
        ],
    ]
    clusters = score_clusters(scored, cluster_ids, text)
    return rows, quality(table, scored, clusters)


def quality(table: pa.Table, scored: AdBatchScores, clusters: list[ClusterResult]) -> list[str]:
    """Do operations' ads and clusters rank above independents'? (synth ground truth)"""
    operator = {
        ad: str(op).startswith("op")
        for ad, op in zip(
            table.column("id").to_pylist(), table.column("operator_id").to_pylist(), strict=True
        )
    }
    ad_scores = np.array([s.score for s in scored.scores])
    ad_truth = np.array([operator[a] for a in scored.ids])
    lines = [
        f"ads: AUC of the ad score, operators' ads vs independents' ads: "
        f"{_auc(ad_scores, ad_truth):.3f} ({ad_truth.mean():.0%} operators' ads)"
    ]
    multi = [c for c in clusters if len(c.ad_ids) > 1]
    truth = np.array([np.mean([operator[a] for a in c.ad_ids]) > 0.5 for c in multi])
    scores = np.array([c.scored.score for c in multi])
    if truth.any() and not truth.all():
        lines.append(
            f"clusters of 2 ads or more ({len(multi):,}, {truth.mean():.0%} mostly operators'): "
            f"AUC of the cluster score {_auc(scores, truth):.3f}; of the cluster size alone "
            f"(baseline) {_auc(np.array([len(c.ad_ids) for c in multi], float), truth):.3f}"
        )
    by_size = sorted(clusters, key=lambda c: -len(c.ad_ids))
    for k in (10, 50, 100):
        share = np.mean([np.mean([operator[a] for a in c.ad_ids]) > 0.5 for c in clusters[:k]])
        sized = np.mean([np.mean([operator[a] for a in c.ad_ids]) > 0.5 for c in by_size[:k]])
        lines.append(
            f"top {k} clusters: {share:.0%} mostly operators' ads by score, {sized:.0%} by size"
        )
    return lines


def equal_risk_ads(n: int, seed: int) -> tuple[pa.Table, list[dict[str, Any]]]:
    """Ads with equal risk by construction, and each ad's truth (language, ethnicity, risk).

    Every draw of risk features and neutral sentences is written four times: English and French,
    each with and without a stated ethnicity. The four groups hold the same risk exactly, so any
    difference in their flag rates comes from the tool.
    """
    rng = random.Random(seed)
    texts, truth = [], []
    for _ in range(n // 4):
        risky = rng.random() < 0.3
        neutral = [rng.choice(NEUTRAL) for _ in range(2)]
        features = rng.sample(sorted(RISK), rng.randint(1, 3)) if risky else []
        pairs = neutral + [RISK[f] for f in features]
        if rng.random() < 0.3:
            pairs.append(CONTEXT["A10"])
        ethnicity = rng.choice(ETHNICITY)
        rng.shuffle(pairs)
        for side, lang in enumerate(("en", "fr")):
            for ethnic in (False, True):
                parts = [p[side] for p in pairs]
                if ethnic:
                    parts.insert(rng.randrange(len(parts) + 1), ethnicity[side])
                texts.append(" ".join(parts))
                truth.append({"lang": lang, "ethnic": ethnic, "risky": risky})
    table = pa.table({"id": [str(i) for i in range(len(texts))], "text": texts})
    return table, truth


def _rate(scored: AdBatchScores, rows: Sequence[int]) -> str:
    if not rows:
        return "-"
    flagged = sum(scored.scores[r].score >= FLAG for r in rows)
    return f"{flagged / len(rows):.3f} ({len(rows):,})"


def bias(n_ads: int, seed: int) -> list[list[str]]:
    """Rows of the bias table: flag rates by group on equal-risk ads and on synth ads."""
    table, truth = equal_risk_ads(n_ads, seed)
    scored = score_ads(table)
    rows = []
    groups: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        ("English", lambda t: t["lang"] == "en"),
        ("French", lambda t: t["lang"] == "fr"),
        ("ethnicity stated", lambda t: t["ethnic"]),
        ("no ethnicity", lambda t: not t["ethnic"]),
    ]
    for name, member in groups:
        clean = [i for i, t in enumerate(truth) if member(t) and not t["risky"]]
        risky = [i for i, t in enumerate(truth) if member(t) and t["risky"]]
        rows.append([f"equal-risk: {name}", _rate(scored, clean), _rate(scored, risky)])
    synth = generate_ads(n_ads, seed + 1)
    synth_scored = score_ads(synth)
    languages = synth.column("language").to_pylist()
    for lang in ("en", "fr"):
        members = [i for i, la in enumerate(languages) if la == lang]
        rows.append([f"adtrace.synth: {lang}", _rate(synth_scored, members), "-"])
    ethnic = [i for i, s in enumerate(synth_scored.scores) if "A05" in s.indicator_ids()]
    others = sorted(set(range(len(languages))) - set(ethnic))
    rows.append(["adtrace.synth: A05 found", _rate(synth_scored, ethnic), "-"])
    rows.append(["adtrace.synth: no A05", _rate(synth_scored, others), "-"])
    return rows


def real(seed: int) -> list[str]:
    """Lines of the real-data report (aggregates and indicator ids only)."""
    if not REAL.is_file():
        return [f"{REAL} not found: real-data report skipped"]
    table = read_ads(REAL)
    scored, seconds = measured(lambda: score_ads(table))
    scores = np.array([s.score for s in scored.scores])
    counts = np.array([len(s.indicator_ids()) for s in scored.scores])
    lines = [f"{len(scores):,} real ads scored in {seconds:.1f} s"]
    quantiles = np.quantile(scores, [0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    lines.append(
        "ad score quantiles p10 p25 p50 p75 p90 p99: "
        + " ".join(f"{q:.2f}" for q in quantiles)
        + f"; max {scores.max():.2f}"
    )
    edges = [0, 0.01, 0.5, 1, 2, 3, 5, np.inf]
    hist = np.histogram(scores, bins=edges)[0]
    lines.append(
        "ad scores: "
        + ", ".join(
            f"[{lo:g}, {hi:g}): {n}" for lo, hi, n in zip(edges, edges[1:], hist, strict=False)
        )
    )
    by_count = Counter(counts.tolist())
    lines.append("indicators per ad: " + ", ".join(f"{k}: {by_count[k]}" for k in sorted(by_count)))
    lines.append(
        f"ads with no indicator: {by_count[0] / len(counts):.1%} (UK study of 17,362 ads: 19%)"
    )
    freq = Counter(i for s in scored.scores for i in s.indicator_ids())
    lines.append("ads per indicator: " + ", ".join(f"{k} {v}" for k, v in sorted(freq.items())))
    lines.append(f"escalated (A04) for human review: {sum(s.escalate for s in scored.scores)}")
    lines.append(f"flagged (score >= {FLAG:g}): {(scores >= FLAG).mean():.1%}")
    label = table.column("suspicious").to_pylist() if "suspicious" in table.column_names else []
    if label:
        lab = np.array([str(v) == "1" for v in label])
        lines.append(
            f"'suspicious' label (origin undocumented): mean score {scores[lab].mean():.2f} "
            f"with, {scores[~lab].mean():.2f} without; flagged {(scores[lab] >= FLAG).mean():.1%}"
            f" vs {(scores[~lab] >= FLAG).mean():.1%}; AUC {_auc(scores, lab):.3f}"
        )
    order = np.argsort(-scores, kind="stable")[:10]
    lines.append("top 10 ads (rank: score, reasons as indicator ids by points):")
    for rank, row in enumerate(order.tolist(), start=1):
        s = scored.scores[row]
        lines.append(
            f"  {rank:2d}: {s.score:.2f} {' '.join(s.indicator_ids())}"
            f"{' ESCALATE' if s.escalate else ''}"
        )
    lines += _real_clusters(table, scored, seed)
    return lines


def _real_clusters(table: pa.Table, scored: AdBatchScores, seed: int) -> list[str]:
    linked = link_table(table, seed=seed)
    text = [(r["a"], r["b"]) for r in linked.links.to_pylist() if "text" in r["kinds"]]
    ids = dict(zip(linked.ids, linked.cluster_ids, strict=True))
    clusters = score_clusters(scored, [ids[a] for a in scored.ids], text)
    multi = [c for c in clusters if len(c.ad_ids) > 1]
    freq = Counter(i for c in multi for i in c.scored.indicator_ids() if i.startswith("C"))
    lines = [
        f"clusters: {len(clusters):,}, of which {len(multi):,} with 2 ads or more; "
        "cluster indicators in those: " + ", ".join(f"{k} {v}" for k, v in sorted(freq.items()))
    ]
    lines.append("top 5 clusters (rank: ads, score, indicator ids):")
    for rank, c in enumerate(clusters[:5], start=1):
        lines.append(
            f"  {rank}: {len(c.ad_ids)} ads, {c.scored.score:.2f} "
            f"{' '.join(c.scored.indicator_ids())}"
        )
    return lines


def _auc(scores: np.ndarray, positive: np.ndarray) -> float:
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(sorted_scores):  # ties share their mean rank
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def table_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return [line, rule, *body]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", type=int, default=20_000, help="synthetic ads for the timing")
    parser.add_argument("--bias-ads", type=int, default=4_000, help="ads per bias sample")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows, quality_lines = speed(args.ads, args.seed)
    header = ["stage", "ads", "seconds", "peak RSS added, MiB", "ads/s"]
    print("\n".join(table_lines(header, rows)))
    print("\nquality on the same synthetic ads (ground truth: operator_id)")
    print("\n".join(quality_lines))
    print(f"\nbias: share of ads flagged (score >= {FLAG:g}), with the group size")
    print(
        "\n".join(
            table_lines(
                ["group", "no risk feature (false positives)", "with risk features"],
                bias(args.bias_ads, args.seed),
            )
        )
    )
    print("\nreal ads (chainbreaker_ads.csv): aggregates only")
    print("\n".join(real(args.seed)))


if __name__ == "__main__":
    main()
