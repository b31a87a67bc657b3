"""Linking on real ads (the ChainBreaker CSV): robustness to edits, and text linking vs phones.

1. Robustness: every real ad plus an edited copy (10% of words replaced by words of the corpus,
   two sentences swapped, the persona name changed). Truth: each (original, copy) pair. Originals
   that are near-duplicates of another original (word 3-gram Jaccard >= 0.2, checked exactly over
   all pairs) and originals under 10 words are left out. Pair precision and recall over all pairs
   of ads put in one cluster, text signals only.
2. Text only vs phone groups: all ads linked by text alone (selectors masked out of the text);
   truth is the groups of ads sharing a phone number (extracted); only pairs of ads that both
   have a phone are scored.

Each experiment runs in its own process, so its peak RSS is its own. Nothing from the data is
printed: only counts and scores.

    .venv/bin/python benchmarks/bench_link_real.py [--data PATH] [--seed 0]
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from adtrace.cluster.components import connected_components  # noqa: E402
from adtrace.link import LinkParams, link_table  # noqa: E402
from bench_link import run_isolated  # noqa: E402

DATA = Path("/work/shared/data/chainbreaker_ads.csv")
WORD = re.compile(r"\w+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NAMES = ("Alexa", "Brianna", "Chloe", "Dominique", "Estelle", "Fiona", "Gabriela", "Harmony")
NEAR_DUPLICATE = 0.2
MIN_WORDS = 10


def load(path: Path) -> tuple[list[str], list[str]]:
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(column_types={"id": pa.string(), "text": pa.string()}),
    )
    ids = [str(x) for x in table.column("id").to_pylist()]
    texts = [x or "" for x in table.column("text").to_pylist()]
    return ids, texts


def persona_names(text: str) -> list[str]:
    """Persona names in a text, by `adtrace.extract` (empty when it is unavailable)."""
    try:
        from adtrace.extract.name import extract_names
    except ImportError:
        return []
    return sorted(
        {str(s.value) for s in extract_names(text) if s.confidence >= 0.5}, key=len, reverse=True
    )


def edit_copy(text: str, rng: np.random.Generator, vocabulary: list[str]) -> str:
    """Swap two sentences, replace 10% of the words, change the persona name."""
    sentences = SENTENCE_END.split(text)
    if len(sentences) >= 2:
        i, j = rng.choice(len(sentences), size=2, replace=False)
        sentences[i], sentences[j] = sentences[j], sentences[i]
    edited = " ".join(sentences)
    words = list(WORD.finditer(edited))
    chosen = (
        set(rng.choice(len(words), size=max(1, round(0.1 * len(words))), replace=False).tolist())
        if words
        else set()
    )
    out, last = [], 0
    for k, m in enumerate(words):
        out.append(edited[last : m.start()])
        out.append(vocabulary[int(rng.integers(len(vocabulary)))] if k in chosen else m.group())
        last = m.end()
    out.append(edited[last:])
    edited = "".join(out)
    for name in persona_names(text):
        new = NAMES[int(rng.integers(len(NAMES)))]
        edited = re.sub(rf"\b{re.escape(name)}\b", new, edited, flags=re.IGNORECASE)
    return edited


def word_trigram_matrix(texts: list[str]) -> Any:
    """Binary ads x word-3-gram matrix (lower-cased \\w+ words)."""
    from scipy.sparse import csr_matrix

    vocab: dict[tuple[str, ...], int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        words = [w.lower() for w in WORD.findall(text)]
        grams = {tuple(words[k : k + 3]) for k in range(max(1, len(words) - 2))} if words else set()
        for g in grams:
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    data = np.ones(len(rows), dtype=np.float64)
    return csr_matrix((data, (rows, cols)), shape=(len(texts), max(1, len(vocab))))


def near_duplicates(texts: list[str]) -> set[int]:
    """Ads in any pair with word 3-gram Jaccard >= 0.2 (exact, all pairs)."""
    x = word_trigram_matrix(texts)
    inter = (x @ x.T).tocoo()
    size = np.asarray(x.sum(axis=1)).ravel()
    off = inter.row < inter.col
    a, b, shared = inter.row[off], inter.col[off], inter.data[off]
    jaccard = shared / np.maximum(size[a] + size[b] - shared, 1)
    close = jaccard >= NEAR_DUPLICATE
    return set(a[close].tolist()) | set(b[close].tolist())


def robustness(path: Path, seed: int) -> dict[str, Any]:
    _ids, texts = load(path)
    rng = np.random.default_rng(seed)
    vocabulary = sorted({w for t in texts for w in WORD.findall(t) if w.isalpha()})
    dropped = near_duplicates(texts)
    keep = [
        i for i, t in enumerate(texts) if i not in dropped and len(WORD.findall(t)) >= MIN_WORDS
    ]
    originals = [texts[i] for i in keep]
    copies = [edit_copy(t, rng, vocabulary) for t in originals]
    table = pa.table(
        {"id": [f"o{i}" for i in keep] + [f"c{i}" for i in keep], "text": originals + copies}
    )
    start = time.perf_counter()
    result = link_table(table, signals="text", params=LinkParams(), seed=seed)
    seconds = time.perf_counter() - start
    labels = np.unique(np.asarray(result.cluster_ids), return_inverse=True)[1]
    n = len(keep)
    hits = int((labels[:n] == labels[n:]).sum())
    sizes = np.bincount(labels)
    predicted = int((sizes * (sizes - 1) // 2).sum())
    return {
        "experiment": "robustness (orig + edited copy)",
        "ads": 2 * n,
        "left_out": len(texts) - n,
        "seconds": seconds,
        "precision": hits / max(predicted, 1),
        "recall": hits / max(n, 1),
        "note": f"{len(dropped)} near-duplicate originals out",
    }


NANP = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})(?!\d)")


def phones_of(texts: list[str]) -> list[list[str]]:
    """Phones per ad by `adtrace.extract` (a plain NANP pattern when it is unavailable)."""
    try:
        from adtrace.extract.phone import extract_phones
    except ImportError:
        return [sorted({"+1" + "".join(m.groups()) for m in NANP.finditer(t)}) for t in texts]
    return [sorted({str(s.value) for s in extract_phones(t) if s.confidence >= 0.5}) for t in texts]


def phone_groups(phones: list[list[str]]) -> np.ndarray:
    """Component label per ad over shared phones (-1 for ads without a phone)."""
    codes: dict[str, int] = {}
    a: list[int] = []
    b: list[int] = []
    n = len(phones)
    for i, numbers in enumerate(phones):
        for p in numbers:
            a.append(i)
            b.append(n + codes.setdefault(p, len(codes)))
    labels = connected_components(
        n + len(codes), np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    )[:n]
    has = np.asarray([bool(p) for p in phones])
    return np.where(has, labels, -1)


def pair_scores(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, int]:
    """Pairwise precision and recall over ads with a truth label (>= 0)."""
    scored = truth >= 0
    p, t = predicted[scored], truth[scored]
    _, p = np.unique(p, return_inverse=True)
    _, t = np.unique(t, return_inverse=True)
    joint = np.unique(p * (t.max() + 1) + t, return_counts=True)[1]
    both = int((joint * (joint - 1) // 2).sum())
    pred = int((np.bincount(p) * (np.bincount(p) - 1) // 2).sum())
    true = int((np.bincount(t) * (np.bincount(t) - 1) // 2).sum())
    return both / max(pred, 1), both / max(true, 1), true


def text_vs_phones(path: Path, seed: int) -> dict[str, Any]:
    ids, texts = load(path)
    table = pa.table({"id": ids, "text": texts})
    start = time.perf_counter()
    result = link_table(table, signals="text", params=LinkParams(), seed=seed)
    seconds = time.perf_counter() - start
    truth = phone_groups(phones_of(texts))
    predicted = np.unique(np.asarray(result.cluster_ids), return_inverse=True)[1]
    precision, recall, true_pairs = pair_scores(predicted, truth)
    return {
        "experiment": "text only vs phone groups",
        "ads": len(ids),
        "left_out": 0,
        "seconds": seconds,
        "precision": precision,
        "recall": recall,
        "note": f"{int((truth >= 0).sum())} ads with a phone, {true_pairs} true pairs",
    }


def _child(name: str, path: str, seed: int, queue: Any) -> None:
    metrics = {"robustness": robustness, "phones": text_vs_phones}[name](Path(path), seed)
    metrics["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(metrics)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = [
        run_isolated(_child, name, str(args.data), args.seed) for name in ("robustness", "phones")
    ]
    header = (
        f"{'experiment':<34}{'ads':>7}{'out':>6}{'time s':>8}{'peak MB':>9}"
        f"{'precision':>11}{'recall':>8}  note"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['experiment']:<34}{r['ads']:>7}{r['left_out']:>6}{r['seconds']:>8.2f}"
            f"{r['peak_mb']:>9.0f}{r['precision']:>11.4f}{r['recall']:>8.4f}  {r['note']}"
        )


if __name__ == "__main__":
    main()
