"""The link stage on the store: full runs that learn a model, incremental runs under it.

Selectors come from the store's selector tables (versions not extracted yet are extracted first,
as `adtrace extract --db` does), so linking and search see the same selectors.

A full run links the current version of every ad, learns the boilerplate and hub model, and
freezes it (with the LSH rows and giant-split limit it chose). An incremental run (the default
once a full run exists) signs only the new and changed ads, finds the stored ads they could link
to (shared LSH band or non-hub selector) and links the clusters they touch again, as one batch,
under the frozen model; every other cluster is left as it is. Deleted ads leave their clusters.
New clusters inherit the id of the previous cluster they overlap most (`adtrace.cluster.identity`);
every move is recorded. Each run is one transaction: a failure leaves no half-written run behind.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, select

from adtrace import __version__
from adtrace.cluster.identity import Succession, inherit_ids
from adtrace.link import BoilerplateModel, LinkModel, LinkParams, LinkResult, Signals, link_table
from adtrace.link.batch import AdBatch, prepare_batch
from adtrace.link.evidence import PairEvidence, explain_pair, link_record
from adtrace.link.incremental import freeze_params, lsh_partners, selector_keys, sign_batch
from adtrace.pipeline.extract import EXTRACTOR_VERSION, extract_store
from adtrace.store.clusters import (
    ads_table,
    ads_with_keys,
    apply_changes,
    cluster_sizes,
    current_versions,
    load_link_model,
    replace_links,
    stored_memberships,
    stored_signatures,
    write_artifacts,
    write_selector_keys,
    write_signatures,
)
from adtrace.store.runs import finish_run, start_run
from adtrace.store.schema import runs
from adtrace.store.selectors import pending_versions
from adtrace.text.minhash import EMPTY

log = logging.getLogger(__name__)

U16Array = npt.NDArray[np.uint16]


class LinkStoreError(ValueError):
    """A link run on the store that cannot be done as asked (e.g. other signals than the
    frozen model's in an incremental run)."""


@dataclass(frozen=True, slots=True)
class LinkCounts:
    """What a link run on the store did.

    Attributes:
        run_id: the run.
        mode: "full" or "incremental".
        ads: ads linked in this run (all ads for a full run; new, changed and the ads of the
            clusters they touch for an incremental run).
        clusters: current clusters after the run.
        links: evidence links written.
        moved: ads whose cluster changed (new and deleted ads included).
        events: cluster events by kind.
    """

    run_id: int
    mode: str
    ads: int
    clusters: int
    links: int
    moved: int = 0
    events: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Frozen:
    """The model of the last full run, as incremental runs use it."""

    run_id: int
    model: LinkModel
    params: LinkParams
    signals: Signals
    seed: int


def frozen_model(conn: Connection) -> Frozen | None:
    """The frozen model of the newest complete full link run (None: no full run yet)."""
    query = (
        select(runs.c.run_id, runs.c.params)
        .where(runs.c.stage == "link", runs.c.status == "complete")
        .order_by(runs.c.run_id.desc())
    )
    for run_id, record in conn.execute(query):
        if record.get("mode") == "full" and "frozen_params" in record:
            params = LinkParams.from_dict(record["frozen_params"])
            model = load_link_model(conn, int(run_id))
            return Frozen(int(run_id), model, params, record["signals"], int(record["seed"]))
    return None


def link_store(
    engine: Engine,
    *,
    signals: Signals | None = None,
    seed: int = 0,
    full: bool = False,
    region: str = "CA",
    params: LinkParams | None = None,
) -> LinkCounts:
    """Link the store's ads: incrementally under the frozen model, or a full run.

    Args:
        engine: the store.
        signals: text, selectors or all; None keeps the frozen model's (all for a first run).
            An incremental run cannot change them (use `full`).
        seed: seed of a full run (an incremental run uses the frozen model's).
        full: learn a new model and link every ad again.
        region: default phone region when versions must be extracted first.
        params: parameters of a full run (default `LinkParams()`); an incremental run uses the
            frozen ones.

    Raises:
        LinkStoreError: other signals than the frozen model's without `full`.
    """
    with engine.connect() as conn:
        pending = pending_versions(conn, EXTRACTOR_VERSION, 0, 1, redo=False)
    if pending:
        extract_store(engine, region=region)
    with engine.connect() as conn:
        frozen = None if full else frozen_model(conn)
    if frozen is None:
        return _full_run(engine, signals or "all", seed, params or LinkParams())
    if signals is not None and signals != frozen.signals:
        raise LinkStoreError(
            f"the frozen model links on {frozen.signals!r}; to link on {signals!r} run a full "
            "link (--full)"
        )
    return _incremental_run(engine, frozen)


def _full_run(engine: Engine, signals: Signals, seed: int, params: LinkParams) -> LinkCounts:
    with engine.connect() as conn:
        versions = current_versions(conn)
        table = ads_table(conn, list(versions))
        previous = stored_memberships(conn)
    result = link_table(table, signals=signals, params=params, seed=seed)
    ad_ids = [int(a) for a in result.ids]
    frozen = freeze_params(result.params, result.lsh_rows, len(ad_ids))
    signatures, usable = _usable_signatures(result)
    keys = selector_keys(result.batch, result.model.hub_digests())
    record = {
        **json.loads(json.dumps(result.run, default=str)),
        "mode": "full",
        "frozen_params": frozen.to_dict(),
    }
    removed = [a for a in previous if a not in versions]
    signed = Signed(ad_ids, [versions[a] for a in ad_ids], signatures, usable, keys)
    with engine.begin() as conn:
        run_id, links, succession = _write_run(conn, record, result, previous, removed, signed)
        write_artifacts(conn, run_id, _model_files(result))
        return _finish(conn, run_id, "full", len(ad_ids), links, succession)


def _incremental_run(engine: Engine, frozen: Frozen) -> LinkCounts:
    with engine.connect() as conn:
        versions = current_versions(conn)
        signed_versions, old_ids, blobs = stored_signatures(conn)
        previous = stored_memberships(conn)
        delta = sorted(a for a, v in versions.items() if signed_versions.get(a) != v)
        removed = sorted(a for a in previous if a not in versions)
        delta_table = ads_table(conn, delta)
        batch = prepare_batch(delta_table)
        keys = selector_keys(batch, frozen.model.hub_digests())
        partners = ads_with_keys(conn, {d for _, d in keys})
    signatures, usable = _sign(batch, frozen)
    partners |= _text_partners(old_ids, blobs, set(delta), signatures, usable, frozen)
    touched = {previous[a] for a in partners | set(delta) | set(removed) if a in previous}
    affected = sorted(
        set(delta) | {a for a, c in previous.items() if c in touched and a in versions}
    )
    with engine.connect() as conn:
        table = ads_table(conn, affected)
    result = link_table(
        table,
        signals=frozen.signals,
        params=frozen.params,
        seed=frozen.seed,
        model=frozen.model,
    )
    ad_ids = [int(a) for a in result.ids]
    record = {
        **json.loads(json.dumps(result.run, default=str)),
        "mode": "incremental",
        "model_run": frozen.run_id,
        "delta": {"new_or_changed": len(delta), "removed": len(removed), "relinked": len(ad_ids)},
    }
    signed = Signed(delta, [versions[a] for a in delta], signatures, usable, keys)
    with engine.begin() as conn:
        run_id, links, succession = _write_run(conn, record, result, previous, removed, signed)
        return _finish(conn, run_id, "incremental", len(ad_ids), links, succession)


@dataclass(frozen=True, slots=True)
class Signed:
    """The ads a run signed: ids, versions, signatures (usable or not) and selector digests
    ((row, digest) pairs, rows into `ads`)."""

    ads: list[int]
    versions: list[int]
    signatures: U16Array | None
    usable: npt.NDArray[np.bool_]
    keys: list[tuple[int, str]]


def _write_run(
    conn: Connection,
    record: dict[str, Any],
    result: LinkResult,
    previous: dict[int, str],
    removed: list[int],
    signed: Signed,
) -> tuple[int, list[dict[str, Any]], Succession]:
    """Store a link run: cluster moves and events, evidence links, signatures and digests."""
    ad_ids = [int(a) for a in result.ids]
    run_id = start_run(conn, "link", record, __version__)
    succession = _succession(previous, ad_ids, result.cluster_ids, removed, run_id)
    links = _store_links(result, succession, ad_ids)
    apply_changes(conn, run_id, succession.changes, succession.events)
    replace_links(conn, run_id, ad_ids, links)
    write_signatures(conn, run_id, signed.ads, signed.versions, signed.signatures, signed.usable)
    write_selector_keys(conn, signed.ads, [(signed.ads[row], d) for row, d in signed.keys])
    return run_id, links, succession


def _sign(batch: AdBatch, frozen: Frozen) -> tuple[U16Array | None, npt.NDArray[np.bool_]]:
    if frozen.signals == "selectors" or len(batch) == 0:
        return None, np.zeros(len(batch), dtype=bool)
    return sign_batch(batch, frozen.model.boilerplate, frozen.params, frozen.seed)


def _text_partners(
    old_ids: Sequence[int],
    blobs: Sequence[bytes],
    delta: set[int],
    signatures: U16Array | None,
    usable: npt.NDArray[np.bool_],
    frozen: Frozen,
) -> set[int]:
    """Stored ads (not being re-signed) sharing an LSH band with a new or changed ad."""
    if signatures is None:
        return set()
    keep = [i for i, (a, b) in enumerate(zip(old_ids, blobs, strict=True)) if b and a not in delta]
    if not keep:
        return set()
    old = np.frombuffer(b"".join(blobs[i] for i in keep), dtype=np.uint16)
    old = old.reshape(len(keep), frozen.params.num_perm)
    params = frozen.params
    rows_per_band = min(params.partner_rows, params.lsh_rows or params.partner_rows)
    rows = lsh_partners(old, signatures[usable], rows_per_band, params.partner_jaccard)
    return {old_ids[keep[r]] for r in rows.tolist()}


def _usable_signatures(result: LinkResult) -> tuple[U16Array | None, npt.NDArray[np.bool_]]:
    """The run's signatures and which ads had any shingle (others are never LSH partners)."""
    if result.signatures is None:
        return None, np.zeros(len(result.ids), dtype=bool)
    return result.signatures, ~np.all(result.signatures == EMPTY, axis=1)


def _succession(
    previous: dict[int, str],
    ad_ids: list[int],
    cluster_ids: list[str],
    removed: list[int],
    run_id: int,
) -> Succession:
    groups: dict[str, list[int]] = {}
    for ad, name in zip(ad_ids, cluster_ids, strict=True):
        groups.setdefault(name, []).append(ad)
    keyed = {min(ads): ads for ads in groups.values()}
    return inherit_ids(previous, keyed, removed, lambda k: f"r{run_id}-{k}")


def _store_links(
    result: LinkResult, succession: Succession, ad_ids: list[int]
) -> list[dict[str, Any]]:
    """The run's links, named with the store's cluster ids."""
    first: dict[str, int] = {}
    for ad, local in zip(ad_ids, result.cluster_ids, strict=True):
        first[local] = min(first.get(local, ad), ad)
    links = [link_record(row) for row in result.links.to_pylist()]
    for link in links:
        link["cluster_id"] = succession.names[first[link["cluster_id"]]]
    return links


def _finish(
    conn: Connection,
    run_id: int,
    mode: str,
    n_ads: int,
    links: list[dict[str, Any]],
    succession: Succession,
) -> LinkCounts:
    clusters = len(cluster_sizes(conn))
    events = dict(Counter(e.kind for e in succession.events))
    counts = {
        "ads": n_ads,
        "clusters": clusters,
        "links": len(links),
        "moved": len(succession.changes),
        **{f"events_{k}": v for k, v in events.items()},
    }
    finish_run(conn, run_id, counts)
    log.info("link run %s (%s): %s", run_id, mode, counts)
    return LinkCounts(run_id, mode, n_ads, clusters, len(links), len(succession.changes), events)


def _model_files(result: LinkResult) -> dict[str, bytes]:
    """The model and run record (the stored signatures are the LSH index)."""
    with tempfile.TemporaryDirectory(prefix="adtrace-link-") as folder:
        paths = result.model.save(Path(folder))
        run_path = Path(folder) / "run.json"
        run_path.write_text(json.dumps(result.run, indent=2, sort_keys=True, default=str) + "\n")
        return {path.name: path.read_bytes() for path in [*paths, run_path]}


def explain_ads(conn: Connection, ad_a: int, ad_b: int) -> PairEvidence:
    """Why two stored ads look alike: shared passages as character spans in both ads' current
    text and title, shared selectors, exact similarity (under the frozen model's boilerplate).

    Raises:
        KeyError: an ad does not exist.
    """
    table = ads_table(conn, [ad_a, ad_b])
    found = table.column("id").to_pylist()
    for ad in (ad_a, ad_b):
        if str(ad) not in found:
            raise KeyError(f"no ad {ad}")
    frozen = frozen_model(conn)
    params = frozen.params if frozen is not None else LinkParams()
    batch = prepare_batch(table)
    boilerplate = (
        frozen.model.boilerplate
        if frozen is not None
        else BoilerplateModel(np.zeros(0, dtype=np.uint64))
    )
    a, b = found.index(str(ad_a)), found.index(str(ad_b))
    return explain_pair(batch, a, b, params.shingle_size, boilerplate)
