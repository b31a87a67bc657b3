"""Cluster summaries: ads, personas, selectors, sites, cities, first and last seen, weakest link.

Computed for every cluster at once with Arrow group-by (no per-cluster Python loop).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

PERSONA_COLUMNS = ("persona", "name")
_RENAMED = {
    "cluster_id_count": "n_ads",
    "site_distinct": "sites",
    "city_distinct": "cities",
    "persona_distinct": "personas",
    "seen_min": "first_seen",
    "seen_max": "last_seen",
    "value_distinct": "values",
}


def parse_times(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """ISO 8601 strings as UTC timestamps (naive times count as UTC; unparsable give null)."""
    strings = pc.cast(column, pa.string())
    try:
        return pc.cast(strings, pa.timestamp("s", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([_parse_one(s) for s in strings.to_pylist()], pa.timestamp("s", tz="UTC"))


def _parse_one(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _optional(table: pa.Table, names: Sequence[str], n: int) -> pa.Array:
    for name in names:
        if name in table.column_names:
            return pc.cast(table.column(name), pa.string()).combine_chunks()
    return pa.nulls(n, pa.string())


def cluster_profiles(
    table: pa.Table,
    cluster_ids: Sequence[str],
    selector_rows: Sequence[int],
    selector_kinds: Sequence[str],
    selector_values: Sequence[str],
    extra: dict[str, list[Any]] | None = None,
) -> pa.Table:
    """One summary row per cluster.

    Args:
        table: the input ads (optional columns site, city, posted_at, persona or name).
        cluster_ids: cluster id per row of `table`.
        selector_rows: row of each (ad, selector) incidence.
        selector_kinds: kind of each incidence.
        selector_values: value of each incidence.
        extra: further columns keyed by cluster id order of the result (added as given,
            aligned on the sorted cluster ids).

    Returns:
        Columns cluster_id, n_ads, sites, cities, personas, phones, emails, handles,
        first_seen, last_seen (and `extra`), sorted by cluster id.
    """
    n = table.num_rows
    times = (
        parse_times(table.column("posted_at"))
        if "posted_at" in table.column_names
        else pa.nulls(n, pa.timestamp("s", tz="UTC"))
    )
    base = pa.table(
        {
            "cluster_id": pa.array(cluster_ids, pa.string()),
            "site": _optional(table, ("site",), n),
            "city": _optional(table, ("city",), n),
            "persona": _optional(table, PERSONA_COLUMNS, n),
            "seen": times,
        }
    )
    summary = base.group_by("cluster_id").aggregate(
        [
            ("cluster_id", "count"),
            ("site", "distinct"),
            ("city", "distinct"),
            ("persona", "distinct"),
            ("seen", "min"),
            ("seen", "max"),
        ]
    )
    summary = summary.rename_columns([_RENAMED.get(c, c) for c in summary.column_names])
    summary = _with_selectors(summary, cluster_ids, selector_rows, selector_kinds, selector_values)
    summary = summary.sort_by("cluster_id")
    for name, values in (extra or {}).items():
        summary = summary.append_column(name, pa.array(values))
    return summary.select(
        [
            "cluster_id",
            "n_ads",
            "sites",
            "cities",
            "personas",
            "phones",
            "emails",
            "handles",
            "first_seen",
            "last_seen",
            *(extra or {}).keys(),
        ]
    )


def _with_selectors(
    summary: pa.Table,
    cluster_ids: Sequence[str],
    rows: Sequence[int],
    kinds: Sequence[str],
    values: Sequence[str],
) -> pa.Table:
    cluster_of = pa.array(cluster_ids, pa.string()).take(pa.array(rows, pa.int64()))
    incidence = pa.table(
        {
            "cluster_id": cluster_of,
            "kind": pa.array(kinds, pa.string()),
            "value": pa.array(values, pa.string()),
        }
    )
    for kind, column in (("phone", "phones"), ("email", "emails"), ("handle", "handles")):
        part = incidence.filter(pc.equal(incidence.column("kind"), kind))
        grouped = part.group_by("cluster_id").aggregate([("value", "distinct")])
        at = pc.index_in(summary.column("cluster_id"), value_set=grouped.column("cluster_id"))
        values = grouped.column("value_distinct").combine_chunks().take(at)
        summary = summary.append_column(column, values)
    return summary
