"""Incremental linking on the store: equal to a full run under the frozen model, stable ids,
merges and splits recorded with the ads that moved, deletions handled, runs list and diff."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.link import link_table
from adtrace.pipeline.link import LinkStoreError, frozen_model, link_store
from adtrace.store.clusters import (
    ads_table,
    cluster_history,
    current_memberships,
    current_versions,
    run_events,
)
from adtrace.store.engine import open_store
from adtrace.synth import generate_ads, write_ads

runner = CliRunner()


def partition(pairs: list[tuple[int, str]] | list[tuple[str, str]]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for ad, cluster in pairs:
        groups.setdefault(cluster, set()).add(str(ad))
    return {frozenset(g) for g in groups.values()}


def ingest(url: str, path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(path), "--db", url, "--dataset", path.stem])
    assert result.exit_code == 0, result.output


def test_ten_daily_batches_equal_a_full_run_under_the_frozen_model(
    store_url: str, tmp_path: Path
) -> None:
    ads = generate_ads(1_500, seed=21, workers=1)
    order = pa.compute.sort_indices(ads, [("posted_at", "ascending")])
    ads = ads.take(order)
    engine = open_store(store_url)
    modes = []
    for day in range(10):
        path = tmp_path / f"day{day}.csv"
        write_ads(ads.slice(day * 150, 150), path)
        ingest(store_url, path)
        modes.append(link_store(engine).mode)
    assert modes == ["full"] + ["incremental"] * 9
    with engine.connect() as conn:
        frozen = frozen_model(conn)
        assert frozen is not None
        table = ads_table(conn, list(current_versions(conn)))
        incremental = partition(list(current_memberships(conn)))
    full = link_table(
        table, signals=frozen.signals, params=frozen.params, seed=frozen.seed, model=frozen.model
    )
    assert incremental == partition(list(zip(full.ids, full.cluster_ids, strict=True)))
    assert len(incremental) < 1_500  # the ads did link


def test_nothing_changed_keeps_every_id_and_records_nothing(store_url: str, tmp_path: Path) -> None:
    write_ads(generate_ads(300, seed=5, workers=1), tmp_path / "ads.csv")
    ingest(store_url, tmp_path / "ads.csv")
    engine = open_store(store_url)
    first = link_store(engine)
    with engine.connect() as conn:
        before = dict(current_memberships(conn))
    again = link_store(engine)
    assert (first.mode, again.mode) == ("full", "incremental")
    assert again.moved == 0 and again.ads == 0 and again.events == {}
    with engine.connect() as conn:
        assert dict(current_memberships(conn)) == before
        assert run_events(conn, again.run_id) == []


def _ads_file(path: Path, rows: list[tuple[str, str]]) -> None:
    """Hand-written ads (id, text) on one site, each with distinct wording."""
    lines = ["site,id,title,text,posted_at"]
    for ad, text in rows:
        lines.append(f'site-a.example,{ad},Ad {ad},"{text}",2024-05-0{1 + int(ad) % 8}T10:00:00')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _text(seed: int, phones: list[str]) -> str:
    """Twenty pseudo-words no other ad shares, then the phones."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=7)) for _ in range(20)]
    return " ".join(words) + " " + " ".join(phones)


def test_merge_and_split_are_recorded_with_the_ads_that_moved(
    store_url: str, tmp_path: Path
) -> None:
    engine = open_store(store_url)
    p1, p2 = "416-555-0101", "514-555-0199"
    _ads_file(tmp_path / "day1.csv", [(f"{i}", _text(i, [p1])) for i in range(1, 4)])
    ingest(store_url, tmp_path / "day1.csv")
    _ads_file(tmp_path / "day2.csv", [(f"{i}", _text(i, [p2])) for i in range(11, 14)])
    ingest(store_url, tmp_path / "day2.csv")
    link_store(engine)
    with engine.connect() as conn:
        before = dict(current_memberships(conn))
    assert len(set(before.values())) == 2
    _ads_file(tmp_path / "bridge.csv", [("99", _text(99, [p1, p2]))])
    ingest(store_url, tmp_path / "bridge.csv")
    merge = link_store(engine)
    assert merge.mode == "incremental" and merge.events.get("merged") == 1
    with engine.connect() as conn:
        after = dict(current_memberships(conn))
        history = cluster_history(conn, merge.run_id)
        events = run_events(conn, merge.run_id)
    assert len(set(after.values())) == 1
    merged = next(e for e in events if e.kind == "merged")
    assert sorted(merged.sources) == sorted(set(before.values()))
    survivor = merged.cluster
    assert survivor in before.values()  # the merged cluster kept one of the two ids
    moved = [ad for ad, c in before.items() if c != survivor]
    assert sorted(history[survivor]["entered"]) == sorted([*moved, max(after)])
    # undo the bridge's import: the cluster splits again, and the split is recorded
    result = runner.invoke(app, ["import", "undo", "3", "--db", store_url])
    assert result.exit_code == 0, result.output
    split = link_store(engine)
    assert split.events.get("split") == 1
    with engine.connect() as conn:
        final = dict(current_memberships(conn))
        events = run_events(conn, split.run_id)
        history = cluster_history(conn, split.run_id)
    assert partition(list(final.items())) == partition(list(before.items()))
    assert next(e for e in events if e.kind == "split").cluster == survivor
    assert final[min(final)] in (survivor, *before.values())
    assert max(after) in history[survivor]["left"]  # the deleted bridge left its cluster


def test_incremental_run_refuses_other_signals(store_url: str, tmp_path: Path) -> None:
    write_ads(generate_ads(100, seed=3, workers=1), tmp_path / "ads.csv")
    ingest(store_url, tmp_path / "ads.csv")
    engine = open_store(store_url)
    link_store(engine, signals="all")
    with pytest.raises(LinkStoreError, match="--full"):
        link_store(engine, signals="text")
    assert link_store(engine, signals="text", full=True).mode == "full"


def test_runs_list_and_diff_on_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    ads = generate_ads(400, seed=8, workers=1)
    write_ads(ads.slice(0, 200), tmp_path / "a.csv")
    write_ads(ads.slice(200, 200), tmp_path / "b.csv")
    ingest(url, tmp_path / "a.csv")
    assert runner.invoke(app, ["link", "--db", url]).exit_code == 0
    ingest(url, tmp_path / "b.csv")
    result = runner.invoke(app, ["link", "--db", url])
    assert result.exit_code == 0 and "(incremental)" in result.output, result.output
    listed = runner.invoke(app, ["runs", "list", "--db", url, "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [r["mode"] for r in rows] == ["full", "incremental"]
    a, b = rows[0]["run"], rows[1]["run"]
    diff = runner.invoke(app, ["runs", "diff", str(a), str(b), "--db", url, "--json"])
    assert diff.exit_code == 0, diff.output
    changes = json.loads(diff.output)
    assert changes["created"] and not changes["removed"]
    table = runner.invoke(app, ["runs", "diff", str(a), str(b), "--db", url])
    assert "created" in table.output and "unchanged" in table.output
    assert runner.invoke(app, ["runs", "diff", "1", "999", "--db", url]).exit_code == 2
    full = runner.invoke(app, ["link", "--db", url, "--full"])
    assert full.exit_code == 0 and "(full)" in full.output
