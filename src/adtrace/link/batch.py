"""The ads of one link run: Arrow columns, selectors, and selector-masked text on demand.

Texts stay in Arrow and are turned into Python strings one chunk at a time (a million ads as
Python strings would cost gigabytes); masking happens per chunk, by span when extraction gave
spans, else by literal value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from adtrace.link.selectors import (
    MaskSpans,
    Selectors,
    build_selectors,
    extract_selectors,
    selectors_from_columns,
)
from adtrace.text.normalise import MASK_CHARS, mask_values, strip_placeholders

IntArray = npt.NDArray[np.int64]

log = logging.getLogger(__name__)

CHUNK_ADS: Final = 20_000
_OTHER_MASK: Final = "\ue000"


def _column(table: pa.Table, name: str) -> pa.Array | None:
    if name not in table.column_names:
        return None
    return pc.cast(table.column(name), pa.string()).combine_chunks().fill_null("")


def _sites(table: pa.Table) -> tuple[IntArray, list[str]]:
    if "site" not in table.column_names:
        return np.full(table.num_rows, -1, dtype=np.int64), []
    encoded = pc.cast(table.column("site"), pa.string()).combine_chunks().dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [str(s) for s in encoded.dictionary.to_pylist()]


@dataclass(frozen=True, slots=True)
class AdBatch:
    """The ads of one run.

    Attributes:
        ids: ad ids by row.
        texts: body texts (nulls read as "").
        titles: titles, or None when the input has none.
        sites: site code per row (-1 unknown).
        site_names: the sites.
        selectors: selectors per ad (and spans to mask).
    """

    ids: list[str]
    texts: pa.Array
    titles: pa.Array | None
    sites: IntArray
    site_names: list[str]
    selectors: Selectors

    def __len__(self) -> int:
        return len(self.ids)

    def masked(self, lo: int, hi: int) -> tuple[list[str], list[str] | None]:
        """Bodies and titles of rows lo..hi with selectors masked (lengths kept)."""
        texts = [strip_placeholders(t) for t in self.texts.slice(lo, hi - lo).to_pylist()]
        titles = None
        if self.titles is not None:
            titles = [strip_placeholders(t) for t in self.titles.slice(lo, hi - lo).to_pylist()]
        _mask_spans(texts, titles, self.selectors.spans, lo, hi)
        _mask_values(texts, titles, self.selectors, lo, hi)
        return texts, titles

    def masked_fields(self, row: int) -> dict[str, str]:
        """One ad's masked fields, {"text": ..., "title": ...}."""
        texts, titles = self.masked(row, row + 1)
        return {"text": texts[0], **({"title": titles[0]} if titles is not None else {})}

    def chunks(self, size: int = CHUNK_ADS) -> Iterator[tuple[int, int]]:
        """Row ranges of at most `size` ads."""
        for lo in range(0, len(self), size):
            yield lo, min(lo + size, len(self))


def _mask_spans(
    texts: list[str], titles: list[str] | None, spans: MaskSpans, lo: int, hi: int
) -> None:
    """Mask spans of rows lo..hi in place, last span first so offsets stay valid."""
    first, last = np.searchsorted(spans.ad, [lo, hi])
    if first == last:
        return
    part = np.arange(first, last)
    order = part[np.lexsort((-spans.start[part], spans.ad[part]))]
    for k, ad, start, end, in_title in zip(
        order.tolist(),
        (spans.ad[order] - lo).tolist(),
        spans.start[order].tolist(),
        spans.end[order].tolist(),
        spans.title[order].tolist(),
        strict=True,
    ):
        target = titles if in_title else texts
        if target is None:
            continue
        text = target[ad]
        start, end = max(0, start), min(len(text), end)
        if end > start:
            mark = MASK_CHARS.get(spans.kind[k], _OTHER_MASK)
            target[ad] = text[:start] + mark + " " * (end - start - 1) + text[end:]


def _mask_values(
    texts: list[str], titles: list[str] | None, selectors: Selectors, lo: int, hi: int
) -> None:
    """Mask literal selector values of rows lo..hi that have no spans, in place."""
    first, last = np.searchsorted(selectors.ad, [lo, hi])
    if first == last:
        return
    span_first, span_last = np.searchsorted(selectors.spans.ad, [lo, hi])
    with_spans = set(selectors.spans.ad[span_first:span_last].tolist())
    values: dict[int, list[tuple[str, str]]] = {}
    for ad, code in zip(
        selectors.ad[first:last].tolist(), selectors.code[first:last].tolist(), strict=True
    ):
        if ad not in with_spans:
            values.setdefault(ad, []).append((selectors.kinds[code], selectors.values[code]))
    for ad, pairs in values.items():
        texts[ad - lo] = mask_values(texts[ad - lo], pairs)
        if titles is not None:
            titles[ad - lo] = mask_values(titles[ad - lo], pairs)


def prepare_batch(table: pa.Table) -> AdBatch:
    """Read ids, texts, sites and selectors (extracting them when no column gives them).

    Raises:
        ValueError: the table has no `id` or no `text` column, or repeats an id.
    """
    for required in ("id", "text"):
        if required not in table.column_names:
            found = ", ".join(table.column_names) or "none"
            raise ValueError(f"the input has no {required!r} column (columns found: {found})")
    id_array = _column(table, "id")
    texts = _column(table, "text")
    assert id_array is not None and texts is not None
    ids: list[str] = id_array.to_pylist()
    if pc.count_distinct(id_array).as_py() != len(ids):
        raise ValueError("the input repeats ad ids; ids must be unique")
    titles = _column(table, "title")
    selectors = selectors_from_columns(table)
    if selectors is None:
        selectors = extract_selectors(
            texts.to_pylist(), titles.to_pylist() if titles is not None else None
        )
    if selectors is None:
        log.warning("no selector columns and adtrace.extract is unavailable: text only")
        selectors = build_selectors([], [], [])
    sites, site_names = _sites(table)
    return AdBatch(ids, texts, titles, sites, site_names, selectors)
