"""Link runs in the store: the ads they read; the current clusters, their evidence links and
history (changes and events); the frozen model and the signatures incremental runs reuse.

The reading functions here are the stable interface of the store's clusters for the web app,
scoring and exports."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from sqlalchemy import ColumnElement, Connection, delete, func, insert, select

from adtrace.cluster.identity import Change, Event
from adtrace.link.model import LinkModel
from adtrace.store.schema import (
    ad_links,
    ad_selector_keys,
    ad_signatures,
    ad_versions,
    ads,
    cluster_changes,
    cluster_events,
    run_artifacts,
    runs,
)
from adtrace.store.schema import (
    cluster_members as members,
)
from adtrace.store.schema import selectors as selector_rows

CHUNK = 10_000

ADS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("site", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("posted_at", pa.string()),
        ("city", pa.string()),
    ]
)
"""The columns a link run reads: `id` is the store's ad id, as text."""


def current_ads(
    conn: Connection, batch_rows: int = 50_000, where: ColumnElement[bool] | None = None
) -> Iterator[pa.RecordBatch]:
    """The current version of every ad (or of those `where` selects), in ad id order, as Arrow
    batches (bounded memory)."""
    query = (
        select(
            ads.c.ad_id,
            ads.c.site,
            ad_versions.c.title,
            ad_versions.c.text,
            ad_versions.c.posted_at,
            ad_versions.c.city,
        )
        .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
        .order_by(ads.c.ad_id)
    )
    if where is not None:
        query = query.where(where)
    result = conn.execution_options(yield_per=batch_rows).execute(query)
    for rows in result.partitions():
        columns = list(zip(*rows, strict=True))
        yield pa.record_batch(
            [
                pa.array([str(v) for v in columns[0]], pa.string()),
                pa.array(columns[1], pa.string()),
                pa.array(columns[2], pa.string()),
                pa.array(columns[3], pa.string()),
                pa.array([None if v is None else str(v) for v in columns[4]], pa.string()),
                pa.array(columns[5], pa.string()),
            ],
            schema=ADS_SCHEMA,
        )


def write_links(conn: Connection, run_id: int, links: Sequence[dict[str, Any]]) -> None:
    """Store the run's evidence links (`a` and `b` are store ad ids as text)."""
    rows = [
        {
            "run_id": run_id,
            "ad_a": int(link["a"]),
            "ad_b": int(link["b"]),
            "cluster_id": link["cluster_id"],
            "score": link["score"],
            "evidence": {k: v for k, v in link.items() if k not in ("a", "b", "cluster_id")},
        }
        for link in links
    ]
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(ad_links), rows[start : start + 10_000])


def write_artifacts(conn: Connection, run_id: int, files: dict[str, bytes]) -> None:
    """Keep the run's model files (the frozen model a later run can reuse)."""
    if files:
        conn.execute(
            insert(run_artifacts),
            [{"run_id": run_id, "name": name, "data": data} for name, data in files.items()],
        )


def latest_link_run(conn: Connection) -> int | None:
    """The newest complete link run, or None."""
    query = select(func.max(runs.c.run_id)).where(
        runs.c.stage == "link", runs.c.status == "complete"
    )
    value = conn.execute(query).scalar()
    return None if value is None else int(value)


def cluster_of(conn: Connection, ad_id: int) -> str | None:
    """The current cluster of an ad (None: not linked yet)."""
    query = select(members.c.cluster_id).where(members.c.ad_id == ad_id)
    value = conn.execute(query).scalar()
    return None if value is None else str(value)


def cluster_members(conn: Connection, cluster_id: str) -> list[int]:
    """The ads of a current cluster, ascending (empty for an unknown id)."""
    query = (
        select(members.c.ad_id)
        .join(ads, ads.c.ad_id == members.c.ad_id)
        .where(members.c.cluster_id == cluster_id)
        .order_by(members.c.ad_id)
    )
    return [int(a) for a in conn.execute(query).scalars()]


def cluster_sizes(
    conn: Connection, *, limit: int | None = None, offset: int = 0
) -> list[tuple[str, int]]:
    """Current clusters with their number of ads, largest first (then by id), paged."""
    n = func.count().label("n")
    query = (
        select(members.c.cluster_id, n)
        .join(ads, ads.c.ad_id == members.c.ad_id)
        .group_by(members.c.cluster_id)
        .order_by(n.desc(), members.c.cluster_id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(str(r.cluster_id), int(r.n)) for r in conn.execute(query)]


def current_memberships(conn: Connection) -> Iterator[tuple[int, str]]:
    """(ad id, cluster id) of every current ad that has been linked, by ad id."""
    query = (
        select(members.c.ad_id, members.c.cluster_id)
        .join(ads, ads.c.ad_id == members.c.ad_id)
        .order_by(members.c.ad_id)
    )
    for row in conn.execution_options(yield_per=50_000).execute(query):
        yield int(row.ad_id), str(row.cluster_id)


def stored_memberships(conn: Connection) -> dict[int, str]:
    """Ad id → cluster id of every membership row, deleted ads included (for the next run)."""
    query = select(members.c.ad_id, members.c.cluster_id)
    return {int(a): str(c) for a, c in conn.execute(query)}


def cluster_links(conn: Connection, cluster_id: str) -> list[dict[str, Any]]:
    """The evidence links inside a current cluster: `a`, `b` (ad ids), `score`, `run_id` and the
    evidence (kinds, shared selector values, estimated and exact similarity)."""
    query = (
        select(
            ad_links.c.ad_a,
            ad_links.c.ad_b,
            ad_links.c.score,
            ad_links.c.run_id,
            ad_links.c.evidence,
        )
        .where(ad_links.c.cluster_id == cluster_id)
        .order_by(ad_links.c.score.desc(), ad_links.c.ad_a, ad_links.c.ad_b)
    )
    return [
        {
            **dict(r.evidence),
            "a": int(r.ad_a),
            "b": int(r.ad_b),
            "score": float(r.score),
            "run_id": int(r.run_id),
        }
        for r in conn.execute(query)
    ]


def exported_clusters(conn: Connection) -> list[tuple[str, str, str]]:
    """(site, site ad id, cluster id) of every current ad, by cluster then site and id."""
    query = (
        select(ads.c.site, ads.c.site_ad_id, members.c.cluster_id)
        .join(ads, ads.c.ad_id == members.c.ad_id)
        .order_by(members.c.cluster_id, ads.c.site, ads.c.site_ad_id)
    )
    return [(r.site, r.site_ad_id, r.cluster_id) for r in conn.execute(query)]


def cluster_history(conn: Connection, run_id: int) -> dict[str, dict[str, list[int]]]:
    """For a run: per cluster, the ads that entered and the ads that left it."""
    out: dict[str, dict[str, list[int]]] = {}
    query = (
        select(
            cluster_changes.c.ad_id, cluster_changes.c.old_cluster, cluster_changes.c.new_cluster
        )
        .where(cluster_changes.c.run_id == run_id)
        .order_by(cluster_changes.c.ad_id)
    )
    for ad, old, new in conn.execute(query):
        if new is not None:
            out.setdefault(new, {"entered": [], "left": []})["entered"].append(int(ad))
        if old is not None:
            out.setdefault(old, {"entered": [], "left": []})["left"].append(int(ad))
    return out


def run_events(conn: Connection, run_id: int) -> list[Event]:
    """The cluster events a run recorded."""
    query = (
        select(cluster_events)
        .where(cluster_events.c.run_id == run_id)
        .order_by(cluster_events.c.event_id)
    )
    return [
        Event(r.kind, r.cluster_id, list(r.sources), list(r.targets), r.ads_in, r.ads_out)
        for r in conn.execute(query)
    ]


def apply_changes(
    conn: Connection, run_id: int, changes: Sequence[Change], events: Sequence[Event]
) -> None:
    """Move ads between clusters (memberships, changes and events of the run)."""
    gone = [c.ad for c in changes]
    for start in range(0, len(gone), CHUNK):
        part = gone[start : start + CHUNK]
        conn.execute(delete(members).where(members.c.ad_id.in_(part)))
    _insert(
        conn,
        members,
        [{"ad_id": c.ad, "cluster_id": c.new, "run_id": run_id} for c in changes if c.new],
    )
    _insert(
        conn,
        cluster_changes,
        [
            {"run_id": run_id, "ad_id": c.ad, "old_cluster": c.old, "new_cluster": c.new}
            for c in changes
        ],
    )
    _insert(
        conn,
        cluster_events,
        [
            {
                "run_id": run_id,
                "kind": e.kind,
                "cluster_id": e.cluster,
                "sources": e.sources,
                "targets": e.targets,
                "ads_in": e.ads_in,
                "ads_out": e.ads_out,
            }
            for e in events
        ],
    )


def replace_links(
    conn: Connection, run_id: int, ad_ids: Sequence[int], links: Sequence[dict[str, Any]]
) -> None:
    """Drop the evidence links touching `ad_ids` and store the run's new ones."""
    for start in range(0, len(ad_ids), CHUNK):
        part = list(ad_ids[start : start + CHUNK])
        conn.execute(delete(ad_links).where(ad_links.c.ad_a.in_(part)))
        conn.execute(delete(ad_links).where(ad_links.c.ad_b.in_(part)))
    write_links(conn, run_id, links)


def write_signatures(
    conn: Connection,
    run_id: int,
    ad_ids: Sequence[int],
    versions: Sequence[int],
    signatures: npt.NDArray[np.uint16] | None,
    usable: npt.NDArray[np.bool_],
) -> None:
    """Store (replace) the signatures of the given ads' current versions (empty bytes for an
    ad without a usable signature: no text left after boilerplate, or a selectors-only run)."""
    for start in range(0, len(ad_ids), CHUNK):
        part = list(ad_ids[start : start + CHUNK])
        conn.execute(delete(ad_signatures).where(ad_signatures.c.ad_id.in_(part)))
    rows = [
        {
            "ad_id": ad,
            "version_id": version,
            "run_id": run_id,
            "signature": b"" if signatures is None or not usable[i] else signatures[i].tobytes(),
        }
        for i, (ad, version) in enumerate(zip(ad_ids, versions, strict=True))
    ]
    _insert(conn, ad_signatures, rows)


def stored_signatures(conn: Connection) -> tuple[dict[int, int], list[int], list[bytes]]:
    """(ad → signed version, ad ids, signatures as bytes) of every signed ad, by ad id."""
    query = select(
        ad_signatures.c.ad_id, ad_signatures.c.version_id, ad_signatures.c.signature
    ).order_by(ad_signatures.c.ad_id)
    versions: dict[int, int] = {}
    ids: list[int] = []
    blobs: list[bytes] = []
    for ad, version, blob in conn.execution_options(yield_per=50_000).execute(query):
        versions[int(ad)] = int(version)
        ids.append(int(ad))
        blobs.append(bytes(blob))
    return versions, ids, blobs


def current_versions(conn: Connection) -> dict[int, int]:
    """Ad → current version id of every ad in the store."""
    query = select(ads.c.ad_id, ads.c.current_version_id)
    return {int(a): int(v) for a, v in conn.execute(query)}


def load_link_model(conn: Connection, run_id: int) -> LinkModel:
    """The boilerplate and hub model a link run saved.

    Raises:
        LookupError: the run saved no model.
    """
    query = select(run_artifacts.c.name, run_artifacts.c.data).where(
        run_artifacts.c.run_id == run_id
    )
    files = {r.name: bytes(r.data) for r in conn.execute(query)}
    if "model.json" not in files:
        raise LookupError(f"link run {run_id} saved no model")
    with tempfile.TemporaryDirectory(prefix="adtrace-model-") as folder:
        for name in ("model.json", "boilerplate.npz"):
            (Path(folder) / name).write_bytes(files[name])
        return LinkModel.load(Path(folder))


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])


def write_selector_keys(
    conn: Connection, ad_ids: Sequence[int], keys: Sequence[tuple[int, str]]
) -> None:
    """Replace the selector digests of `ad_ids` by `keys` ((ad id, digest) pairs)."""
    for start in range(0, len(ad_ids), CHUNK):
        part = list(ad_ids[start : start + CHUNK])
        conn.execute(delete(ad_selector_keys).where(ad_selector_keys.c.ad_id.in_(part)))
    _insert(conn, ad_selector_keys, [{"ad_id": a, "digest": d} for a, d in sorted(set(keys))])


def ads_with_keys(conn: Connection, digests: Iterable[str]) -> set[int]:
    """The linked ads that have any of these selector digests."""
    wanted = sorted(set(digests))
    found: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        query = select(ad_selector_keys.c.ad_id).where(
            ad_selector_keys.c.digest.in_(wanted[start : start + CHUNK])
        )
        found.update(int(a) for a in conn.execute(query).scalars())
    return found


def ads_table(conn: Connection, ad_ids: Sequence[int], *, selectors: bool = True) -> pa.Table:
    """The current version of the given ads (as `current_ads` columns), by ad id.

    With `selectors`, adds the list columns a link run reads instead of extracting: `phones`,
    `emails`, `handles` (values) and `selector_spans` (spans to mask, URLs included), from the
    store's selector tables (confidence >= 0.5, as extraction on the fly keeps). Versions must
    have been extracted (`adtrace.pipeline.extract_store`).
    """
    wanted = sorted(set(ad_ids))
    batches: list[pa.RecordBatch] = []
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        batches += list(current_ads(conn, where=ads.c.ad_id.in_(part)))
    table = pa.Table.from_batches(batches, schema=ADS_SCHEMA)
    if not selectors:
        return table
    for name, column in _selector_columns(conn, wanted).items():
        table = table.append_column(name, column)
    return table


SPAN_TYPE = pa.struct(
    [("kind", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("field", pa.string())]
)
_LIST_KINDS = {"phone": "phones", "email": "emails", "handle": "handles"}
_MASKED_KINDS = ("phone", "email", "handle", "url")


def _selector_columns(conn: Connection, ad_ids: list[int]) -> dict[str, pa.Array]:
    """Selector list columns for `ad_ids` (sorted), from the selectors of their current version."""
    row_of = {ad: i for i, ad in enumerate(ad_ids)}
    values: dict[str, list[list[str]]] = {c: [[] for _ in ad_ids] for c in _LIST_KINDS.values()}
    spans: list[list[dict[str, Any]]] = [[] for _ in ad_ids]
    for start in range(0, len(ad_ids), CHUNK):
        query = (
            select(
                ads.c.ad_id,
                selector_rows.c.kind,
                selector_rows.c.value,
                selector_rows.c.field,
                selector_rows.c.start,
                selector_rows.c.end,
            )
            .join(selector_rows, selector_rows.c.version_id == ads.c.current_version_id)
            .where(
                ads.c.ad_id.in_(ad_ids[start : start + CHUNK]),
                selector_rows.c.kind.in_(_MASKED_KINDS),
                selector_rows.c.confidence >= 0.5,
            )
            .order_by(selector_rows.c.selector_id)
        )
        for ad, kind, value, field_name, begin, end in conn.execute(query):
            row = row_of[int(ad)]
            spans[row].append({"kind": kind, "start": begin, "end": end, "field": field_name})
            if kind in _LIST_KINDS:
                values[_LIST_KINDS[kind]][row].append(str(value))
    columns = {name: pa.array(lists, pa.list_(pa.string())) for name, lists in values.items()}
    columns["selector_spans"] = pa.array(spans, pa.list_(SPAN_TYPE))
    return columns


def members_after(conn: Connection, run_id: int) -> dict[int, str]:
    """Ad → cluster id right after `run_id` (from the recorded changes)."""
    query = (
        select(cluster_changes.c.ad_id, cluster_changes.c.new_cluster)
        .where(cluster_changes.c.run_id <= run_id)
        .order_by(cluster_changes.c.run_id)
    )
    out: dict[int, str] = {}
    for ad, new in conn.execution_options(yield_per=50_000).execute(query):
        if new is None:
            out.pop(int(ad), None)
        else:
            out[int(ad)] = str(new)
    return out
