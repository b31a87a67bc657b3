"""Evidence records: what links two ads, in a form an analyst (and a court) can check.

Every written link carries its kinds (text, phone, email, handle), the selector values the two
ads share (and which of them are hubs), and the text similarity both as the MinHash estimate
and exactly (Jaccard, containment, per field). The shared passages themselves, as character
spans in both ads, are computed on demand (`pair_passages`): cheap for one pair, wasteful for
millions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from adtrace.link.batch import AdBatch
from adtrace.link.graph import LinkGraph, kind_names
from adtrace.link.model import BoilerplateModel
from adtrace.link.selectors import Selectors
from adtrace.link.similarity import PairSimilarity, exact_similarity
from adtrace.text.align import Passage, shared_passages
from adtrace.text.shingle import ShingleSets, shared_values, shingle_sets

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

LINK_SCHEMA: Final = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("cluster_id", pa.string()),
        ("kinds", pa.list_(pa.string())),
        ("score", pa.float64()),
        ("shared_phones", pa.list_(pa.string())),
        ("shared_emails", pa.list_(pa.string())),
        ("shared_handles", pa.list_(pa.string())),
        ("hub_selectors", pa.list_(pa.string())),
        ("text_estimate", pa.float64()),
        ("text_jaccard", pa.float64()),
        ("text_containment", pa.float64()),
        ("body_jaccard", pa.float64()),
        ("title_jaccard", pa.float64()),
    ]
)
"""Columns of the links table (one row per written link)."""
_SHARED_COLUMNS: Final = {
    "phone": "shared_phones",
    "email": "shared_emails",
    "handle": "shared_handles",
}


def incidence_sets(selectors: Selectors, n_ads: int) -> ShingleSets:
    """Selector codes per ad as sorted sets (to intersect pairs like shingle sets)."""
    order = np.lexsort((selectors.code, selectors.ad))
    counts = np.bincount(selectors.ad, minlength=n_ads)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ShingleSets(offsets, selectors.code[order].astype(np.uint64))


def _lists(n: int, owner: IntArray, values: pa.Array) -> pa.Array:
    """A list<string> array of `n` rows: row i holds the `values` whose `owner` is i.

    `owner` must be sorted.
    """
    offsets = np.searchsorted(owner, np.arange(n + 1)).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values)


def link_table(
    ids: Sequence[str],
    cluster_ids: Sequence[str],
    graph: LinkGraph,
    edges: IntArray,
    similarity: PairSimilarity,
    selectors: Selectors,
    hubs: BoolArray,
) -> pa.Table:
    """Evidence records for the chosen edges of the graph (built column-wise with Arrow).

    Args:
        ids: ad ids by row.
        cluster_ids: cluster id by row.
        graph: the link graph.
        edges: indexes of the edges to write.
        similarity: exact text similarity of those edges (same order).
        selectors: the ads' selectors.
        hubs: hub flag per selector code.
    """
    n = len(edges)
    a, b = graph.a[edges], graph.b[edges]
    pair, code = shared_values(incidence_sets(selectors, len(ids)), a, b)
    code = code.astype(np.int64)
    kinds = np.asarray(selectors.kinds, dtype=object)
    values = pa.array(selectors.values, pa.string())
    kind_lists = pa.array([kind_names(f) for f in range(32)], pa.list_(pa.string()))
    id_array = pa.array(ids, pa.string())
    columns: dict[str, pa.Array] = {
        "a": id_array.take(pa.array(a)),
        "b": id_array.take(pa.array(b)),
        "cluster_id": pa.array(cluster_ids, pa.string()).take(pa.array(a)),
        "kinds": kind_lists.take(pa.array(graph.kinds[edges].astype(np.int64))),
        "score": pa.array(np.round(graph.score[edges], 4)),
    }
    for kind, column in _SHARED_COLUMNS.items():
        own = kinds[code] == kind if len(code) else np.zeros(0, dtype=bool)
        columns[column] = _lists(n, pair[own], values.take(pa.array(code[own])))
    hub = hubs[code] if len(code) else np.zeros(0, dtype=bool)
    labels = pa.array(
        [
            f"{k}:{v}"
            for k, v in zip(
                kinds[code[hub]].tolist(), values.take(pa.array(code[hub])).to_pylist(), strict=True
            )
        ],
        pa.string(),
    )
    columns["hub_selectors"] = _lists(n, pair[hub], labels)
    for name in ("estimate", "jaccard", "containment"):
        columns[f"text_{name}"] = _rounded(getattr(similarity, name))
    columns["body_jaccard"] = _rounded(similarity.body_jaccard)
    columns["title_jaccard"] = _rounded(similarity.title_jaccard)
    return pa.table(columns, schema=LINK_SCHEMA)


def _rounded(values: npt.NDArray[np.float64]) -> pa.Array:
    return pa.array(np.round(values, 4), pa.float64(), mask=np.isnan(values))


def link_record(row: dict[str, Any]) -> dict[str, Any]:
    """One links-table row as the nested JSON object written to links.jsonl."""
    return {
        "a": row["a"],
        "b": row["b"],
        "cluster_id": row["cluster_id"],
        "kinds": row["kinds"],
        "score": row["score"],
        "shared": {kind: row[column] for kind, column in _SHARED_COLUMNS.items()},
        "hub_selectors": row["hub_selectors"],
        "text": {
            "estimate": row["text_estimate"],
            "jaccard": row["text_jaccard"],
            "containment": row["text_containment"],
            "body_jaccard": row["body_jaccard"],
            "title_jaccard": row["title_jaccard"],
        },
    }


def write_links_jsonl(table: pa.Table, path: Path) -> None:
    """Write the links table as JSON Lines (one nested record per link)."""
    with path.open("w", encoding="utf-8") as out:
        for batch in table.to_batches(max_chunksize=50_000):
            for row in batch.to_pylist():
                out.write(json.dumps(link_record(row), ensure_ascii=False) + "\n")


@dataclass(frozen=True, slots=True)
class FieldPassages:
    """Shared passages of one field (body or title) of two ads."""

    field: str
    passages: list[Passage]


def pair_passages(
    texts_a: dict[str, str], texts_b: dict[str, str], *, min_tokens: int = 3
) -> list[FieldPassages]:
    """Shared passages of two ads, field by field, as character spans in the original texts.

    Args:
        texts_a: the first ad's fields ({"text": ..., "title": ...}).
        texts_b: the second ad's fields.
        min_tokens: shortest passage reported (the shingle size is a natural choice).
    """
    out: list[FieldPassages] = []
    for field_name in ("title", "text"):
        a, b = texts_a.get(field_name) or "", texts_b.get(field_name) or ""
        if a and b:
            out.append(FieldPassages(field_name, shared_passages(a, b, min_tokens=min_tokens)))
    return out


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """Everything that links (or fails to link) two ads.

    Attributes:
        a: first ad's id.
        b: second ad's id.
        passages: shared passages per field; spans index the ORIGINAL field texts.
        shared: shared selector values by kind.
        jaccard: exact Jaccard of the boilerplate-free shingle sets.
        containment: shared shingles over the smaller set.
        raw_jaccard: Jaccard before boilerplate removal.
    """

    a: str
    b: str
    passages: list[FieldPassages]
    shared: dict[str, list[str]]
    jaccard: float
    containment: float
    raw_jaccard: float


def explain_pair(
    batch: AdBatch, a: int, b: int, min_tokens: int, boilerplate: BoilerplateModel
) -> PairEvidence:
    """On-demand evidence for rows a and b of a batch (selectors are masked before aligning,
    so a shared phone shows as a selector, not as shared text)."""

    fields_a, fields_b = batch.masked_fields(a), batch.masked_fields(b)
    passages = pair_passages(fields_a, fields_b, min_tokens=min_tokens)
    sel = batch.selectors
    codes_a = set(sel.code[sel.ad == a].tolist())
    shared: dict[str, list[str]] = {}
    for code in sorted(codes_a & set(sel.code[sel.ad == b].tolist())):
        shared.setdefault(sel.kinds[code], []).append(sel.values[code])
    names = ["text"] + (["title"] if "title" in fields_a else [])
    sets = shingle_sets([[fields_a[f], fields_b[f]] for f in names], k=min_tokens)
    pair = np.asarray([0]), np.asarray([1])
    raw = exact_similarity(sets, *pair, np.zeros(1))
    clean = exact_similarity(sets.drop(boilerplate.contains(sets.values)), *pair, np.zeros(1))
    return PairEvidence(
        batch.ids[a],
        batch.ids[b],
        passages,
        shared,
        float(clean.jaccard[0]),
        float(clean.containment[0]),
        float(raw.jaccard[0]),
    )
