"""Selectors per ad (phones, e-mails, handles): read from list columns or extracted from text.

A table may carry selector list columns (`phones`, `emails`, `handles`, as `adtrace extract`
writes them); otherwise, when `adtrace.extract` is installed, they are extracted here, and their
character spans are kept so the text can be masked exactly.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing as mp
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]

log = logging.getLogger(__name__)

SELECTOR_COLUMNS: Final = {"phones": "phone", "emails": "email", "handles": "handle"}
SPAN_COLUMN: Final = "selector_spans"
"""Optional list<struct<kind, start, end, field>> column of spans to mask (from extraction)."""
KINDS: Final = ("phone", "email", "handle")
_MASK_ONLY: Final = ("url",)
_SEP: Final = "\x1f"


@dataclass(frozen=True, slots=True)
class MaskSpan:
    """A character span to mask in one field of an ad."""

    kind: str
    start: int
    end: int
    field: str = "text"


@dataclass(frozen=True, slots=True)
class MaskSpans:
    """Spans to mask, as parallel arrays sorted by ad.

    Attributes:
        ad: ad row of each span.
        start: first character.
        end: one past the last character.
        kind: selector kind of each span.
        title: whether the span is in the title (else in the body).
    """

    ad: IntArray
    start: IntArray
    end: IntArray
    kind: list[str]
    title: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls) -> MaskSpans:
        """No spans."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, [], np.zeros(0, dtype=bool))

    @classmethod
    def from_lists(cls, spans: list[list[MaskSpan]]) -> MaskSpans:
        """From per-ad lists of spans."""
        flat = [(i, sp) for i, own in enumerate(spans) for sp in own]
        if not flat:
            return cls.empty()
        return cls(
            np.asarray([i for i, _ in flat], dtype=np.int64),
            np.asarray([sp.start for _, sp in flat], dtype=np.int64),
            np.asarray([sp.end for _, sp in flat], dtype=np.int64),
            [sp.kind for _, sp in flat],
            np.asarray([sp.field == "title" for _, sp in flat], dtype=bool),
        )


@dataclass(frozen=True, slots=True)
class Selectors:
    """Which ad carries which selector.

    Attributes:
        ad: ad row of each (ad, selector) incidence, sorted, without repeats.
        code: selector code of each incidence (index into `kinds` and `values`).
        kinds: kind of each selector code.
        values: normalised value of each selector code.
        spans: spans to mask (from extraction), sorted by ad.
    """

    ad: IntArray
    code: IntArray
    kinds: list[str]
    values: list[str]
    spans: MaskSpans = field(default_factory=MaskSpans.empty)

    def __len__(self) -> int:
        return len(self.kinds)


def normalise_selector(kind: str, value: str) -> str:
    """Canonical form for matching: e-mails and handles lower-cased, handles without '@'."""
    value = value.strip()
    if kind == "handle":
        return value.lstrip("@").lower()
    if kind == "email":
        return value.lower()
    return value


def _list_values(column: pa.ChunkedArray) -> tuple[IntArray, list[str]]:
    """Flattened values of a list column (structs give their "value" field) and their rows."""
    array = column.combine_chunks()
    if pa.types.is_null(array.type):
        return np.zeros(0, dtype=np.int64), []
    if not pa.types.is_list(array.type) and not pa.types.is_large_list(array.type):
        raise ValueError(f"selector column must be a list column, got {array.type}")
    rows = pc.list_parent_indices(array).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(array)
    if pa.types.is_struct(flat.type):
        flat = pc.struct_field(flat, "value")
    values = pc.cast(flat, pa.string()).to_pylist()
    keep = [i for i, v in enumerate(values) if v]
    return rows[keep], [values[i] for i in keep]


def build_selectors(
    rows: Sequence[int], kinds: Sequence[str], values: Sequence[str], spans: MaskSpans | None = None
) -> Selectors:
    """Selectors from (row, kind, raw value) triples."""
    keys = [f"{k}{_SEP}{normalise_selector(k, v)}" for k, v in zip(kinds, values, strict=True)]
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return Selectors(empty, empty, [], [], spans or MaskSpans.empty())
    encoded = pa.array(keys, pa.string()).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    dictionary = encoded.dictionary.to_pylist()
    split = [str(d).split(_SEP, 1) for d in dictionary]
    pairs = np.unique(np.stack([np.asarray(rows, dtype=np.int64), codes], axis=1), axis=0)
    return Selectors(
        pairs[:, 0].copy(),
        pairs[:, 1].copy(),
        [s[0] for s in split],
        [s[1] for s in split],
        spans or MaskSpans.empty(),
    )


def selectors_from_columns(table: pa.Table) -> Selectors | None:
    """Selectors from list columns `phones`, `emails`, `handles` (None if there are none)."""
    present = [c for c in SELECTOR_COLUMNS if c in table.column_names]
    if not present:
        return None
    rows: list[int] = []
    kinds: list[str] = []
    values: list[str] = []
    for column in present:
        r, v = _list_values(table.column(column))
        rows += r.tolist()
        values += v
        kinds += [SELECTOR_COLUMNS[column]] * len(v)
    return build_selectors(rows, kinds, values, _span_column(table))


def _span_column(table: pa.Table) -> MaskSpans | None:
    if SPAN_COLUMN not in table.column_names:
        return None
    array = table.column(SPAN_COLUMN).combine_chunks()
    rows = pc.list_parent_indices(array).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(array)

    def field_of(name: str) -> pa.Array:
        return pc.struct_field(flat, name)

    names = {f.name for f in flat.type}
    title = (
        pc.equal(field_of("field"), "title").fill_null(False)
        if "field" in names
        else pa.array(np.zeros(len(flat), dtype=bool))
    )
    order = np.argsort(rows, kind="stable")
    return MaskSpans(
        rows[order],
        field_of("start").to_numpy(zero_copy_only=False).astype(np.int64)[order],
        field_of("end").to_numpy(zero_copy_only=False).astype(np.int64)[order],
        [str(k) for k in np.asarray(field_of("kind").to_pylist(), dtype=object)[order]],
        title.to_numpy(zero_copy_only=False).astype(bool)[order],
    )


Extractor = Callable[..., list[Any]]


def _extractors() -> dict[str, Extractor] | None:
    try:
        registry = importlib.import_module("adtrace.extract.registry")
    except ImportError:
        return None
    found: dict[str, Extractor] = dict(registry.EXTRACTORS)
    return {kind: found[kind] for kind in (*KINDS, *_MASK_ONLY) if kind in found}


ExtractedChunk = tuple[list[int], list[str], list[str], list[list[MaskSpan]]]


def _extract_chunk(
    texts: Sequence[str], titles: Sequence[str] | None, first: int, min_confidence: float
) -> ExtractedChunk:
    """Selectors of consecutive ads (rows numbered from `first`) and their spans to mask."""
    extractors = _extractors() or {}
    rows: list[int] = []
    kinds: list[str] = []
    values: list[str] = []
    spans: list[list[MaskSpan]] = []
    for i, text in enumerate(texts):
        own: list[MaskSpan] = []
        for field_name, value in (("text", text), ("title", titles[i] if titles else "")):
            for kind, extractor in extractors.items():
                for span in extractor(value or "") if value else []:
                    if span.confidence < min_confidence:
                        continue
                    own.append(MaskSpan(kind, span.start, span.end, field_name))
                    if kind in KINDS:
                        rows.append(first + i)
                        kinds.append(kind)
                        values.append(str(span.value))
        spans.append(own)
    return rows, kinds, values, spans


def _extract_star(args: tuple[Sequence[str], Sequence[str] | None, int, float]) -> ExtractedChunk:
    return _extract_chunk(*args)


EXTRACT_CHUNK: Final = 10_000
WORKERS: Final = 2


def extract_selectors(
    texts: Sequence[str],
    titles: Sequence[str] | None,
    min_confidence: float = 0.5,
    workers: int = WORKERS,
    chunk: int = EXTRACT_CHUNK,
) -> Selectors | None:
    """Extract phones, e-mails and handles (and URLs, to mask) with `adtrace.extract`.

    Chunks of `chunk` ads run in `workers` forked processes when there are several chunks
    (results are identical either way). Returns None when `adtrace.extract` is not installed.
    """
    if _extractors() is None:
        return None
    jobs = [
        (
            texts[lo : lo + chunk],
            titles[lo : lo + chunk] if titles else None,
            lo,
            min_confidence,
        )
        for lo in range(0, len(texts), chunk)
    ]
    if workers > 1 and len(jobs) > 1 and "fork" in mp.get_all_start_methods():
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_extract_star, jobs)
    else:
        parts = [_extract_star(job) for job in jobs]
    rows = [r for part in parts for r in part[0]]
    kinds = [k for part in parts for k in part[1]]
    values = [v for part in parts for v in part[2]]
    spans = [own for part in parts for own in part[3]]
    log.info("extracted %d selectors from %d ads", len(values), len(texts))
    return build_selectors(rows, kinds, values, MaskSpans.from_lists(spans))
