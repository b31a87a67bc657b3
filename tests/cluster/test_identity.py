"""Stable cluster ids: inheritance by overlap, changes, events, partition diffs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adtrace.cluster.identity import Change, diff_partitions, inherit_ids


def fresh(k: int) -> str:
    return f"new-{k}"


def test_unchanged_partition_keeps_every_id_and_records_nothing() -> None:
    previous = {1: "a", 2: "a", 3: "b"}
    result = inherit_ids(previous, {1: [1, 2], 3: [3]}, [], fresh)
    assert result.names == {1: "a", 3: "b"}
    assert result.changes == [] and result.events == []


def test_merge_keeps_the_larger_overlap_and_records_the_moved_ads() -> None:
    previous = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}
    result = inherit_ids(previous, {1: [1, 2, 3, 4, 5, 6]}, [], fresh)
    assert result.names == {1: "a"}
    assert result.changes == [Change(4, "b", "a"), Change(5, "b", "a"), Change(6, None, "a")]
    [event] = result.events
    assert (event.kind, event.sources, event.ads_in, event.ads_out) == ("merged", ["a", "b"], 3, 0)


def test_split_gives_the_old_id_to_the_larger_part_and_a_fresh_id_to_the_rest() -> None:
    previous = {1: "a", 2: "a", 3: "a", 4: "a", 5: "a"}
    result = inherit_ids(previous, {1: [1, 2], 3: [3, 4, 5]}, [], fresh)
    assert result.names == {3: "a", 1: "new-0"}
    kinds = {(e.kind, e.cluster) for e in result.events}
    assert kinds == {("split", "a"), ("shrank", "a"), ("created", "new-0")}
    assert next(e for e in result.events if e.kind == "created").sources == ["a"]
    split = next(e for e in result.events if e.kind == "split")
    assert split.targets == ["a", "new-0"] and split.ads_out == 2


def test_ties_go_to_the_smaller_previous_id() -> None:
    previous = {1: "b", 2: "a"}
    result = inherit_ids(previous, {1: [1, 2]}, [], fresh)
    assert result.names == {1: "a"}


def test_deleted_ads_leave_and_an_emptied_cluster_dissolves() -> None:
    previous = {1: "a", 2: "a", 3: "b"}
    result = inherit_ids(previous, {1: [1]}, [2, 3], fresh)
    assert Change(2, "a", None) in result.changes and Change(3, "b", None) in result.changes
    kinds = {(e.kind, e.cluster) for e in result.events}
    assert kinds == {("shrank", "a"), ("dissolved", "b")}


groups_strategy = st.lists(st.integers(0, 5), min_size=1, max_size=40)


@given(groups_strategy, groups_strategy)
def test_ids_are_unique_and_every_moved_ad_is_recorded(before: list[int], after: list[int]) -> None:
    n = min(len(before), len(after))
    previous = {ad: f"c{label}" for ad, label in enumerate(before[:n])}
    groups: dict[int, list[int]] = {}
    for ad, label in enumerate(after[:n]):
        groups.setdefault(label, []).append(ad)
    keyed = {min(ads): ads for ads in groups.values()}
    result = inherit_ids(previous, keyed, [], fresh)
    names = list(result.names.values())
    assert len(names) == len(set(names))
    now = {ad: result.names[key] for key, ads in keyed.items() for ad in ads}
    moved = {c.ad for c in result.changes}
    assert moved == {ad for ad in now if previous.get(ad) != now[ad]}
    assert inherit_ids(previous, keyed, [], fresh) == result  # deterministic


def test_diff_partitions_names_each_kind_of_change() -> None:
    before = {1: "a", 2: "a", 3: "b", 4: "c", 5: "c", 6: "d", 7: "e"}
    after = {1: "a", 2: "a", 3: "a", 4: "c", 5: "f", 6: "d", 6_000: "g"}
    diff = diff_partitions(before, after)
    assert diff.merged == ["a"]
    assert diff.split == ["c"]
    assert diff.created == ["f", "g"]
    assert diff.removed == ["e"]
    assert diff.unchanged == ["d"]
    assert diff.changed == ["c"]
