"""Batch extraction over Arrow tables, for the engines (local, and Spark through ``mapInArrow``).

Everything here is a module-level pure function of its arguments, so it pickles and ships to
Spark workers unchanged. The per-ad work is regular-expression matching in Python; the batch
layer only converts columns once per batch, not per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from adtrace.extract.extraction import extract_all

_HANDLE: Final = pa.struct([("platform", pa.string()), ("value", pa.string())])
_PRICE: Final = pa.struct(
    [("value", pa.float64()), ("currency", pa.string()), ("minutes", pa.int32())]
)
SCHEMA: Final = pa.schema(
    [
        ("id", pa.string()),
        ("phones", pa.list_(pa.string())),
        ("emails", pa.list_(pa.string())),
        ("handles", pa.list_(_HANDLE)),
        ("urls", pa.list_(pa.string())),
        ("names", pa.list_(pa.string())),
        ("ages", pa.list_(pa.int32())),
        ("prices", pa.list_(_PRICE)),
        ("places", pa.list_(pa.string())),
        ("language", pa.string()),
    ]
)
"""Output columns: ``id`` then the keys of :meth:`Extraction.to_json`, lists as Arrow lists."""


def extract_rows(
    ids: Sequence[str],
    texts: Sequence[str | None],
    titles: Sequence[str | None] | None = None,
    region: str = "CA",
) -> list[dict[str, Any]]:
    """Extract every ad of a batch as one JSON-able dict (``id`` first), in input order."""
    rows: list[dict[str, Any]] = []
    for i, (ad_id, text) in enumerate(zip(ids, texts, strict=True)):
        title = titles[i] if titles is not None else None
        rows.append({"id": ad_id, **extract_all(text or "", title, region=region).to_json()})
    return rows


def _column(table: pa.Table | pa.RecordBatch, name: str) -> list[Any] | None:
    if name not in table.schema.names:
        return None
    values: list[Any] = pc.cast(table.column(name), pa.string()).to_pylist()
    return values


def _required(table: pa.Table | pa.RecordBatch, name: str) -> list[Any]:
    values = _column(table, name)
    if values is None:
        found = ", ".join(table.schema.names) or "none"
        raise ValueError(f"The input has no {name!r} column (columns found: {found}).")
    return values


def extract_table(table: pa.Table, region: str = "CA") -> pa.Table:
    """Extract selectors for every row of ``table``.

    Args:
        table: columns ``id`` and ``text``, optionally ``title`` (other columns are ignored;
            values are read as strings, nulls as empty).
        region: see :func:`adtrace.extract.extract_all`.

    Returns:
        One row per input row, in input order, with the columns of :data:`SCHEMA`.

    Raises:
        ValueError: ``id`` or ``text`` is missing.
    """
    ids = _required(table, "id")
    rows = extract_rows(ids, _required(table, "text"), _column(table, "title"), region)
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def extract_batches(
    batches: Iterable[pa.RecordBatch], region: str = "CA"
) -> Iterator[pa.RecordBatch]:
    """Stream version of :func:`extract_table`, in the shape Spark's ``mapInArrow`` expects."""
    for batch in batches:
        yield from extract_table(pa.Table.from_batches([batch]), region).to_batches()
