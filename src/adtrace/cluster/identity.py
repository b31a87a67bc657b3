"""Stable cluster identities across link runs, and what changed (pure functions).

A new cluster inherits the id of the previous cluster it shares the most ads with; each previous
id goes to at most one new cluster. Ties go to the larger overlap, then the smaller previous id,
then the new cluster with the smaller first ad, so the same inputs always give the same ids.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

EventKind = str
"""One of: created, grew, shrank, changed, merged, split, dissolved."""


@dataclass(frozen=True, slots=True)
class Change:
    """An ad that entered or left a cluster (None: the ad is new, or was deleted)."""

    ad: int
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Event:
    """What happened to one cluster in a run.

    Attributes:
        kind: created (new ads only, or the part of a split that got a fresh id: `sources`
            names the cluster it came from), grew, shrank, changed (ads in and out), merged
            (several previous clusters became this one), split (a previous cluster's ads went
            to several new clusters; the event is on the previous id), dissolved (no ad of the
            previous cluster is left).
        cluster: the cluster the event is about.
        sources: previous clusters whose ads are now in it (merged) or the previous cluster.
        targets: the new clusters its ads went to (split) or the cluster itself.
        ads_in: ads that entered the cluster.
        ads_out: ads that left it.
    """

    kind: EventKind
    cluster: str
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    ads_in: int = 0
    ads_out: int = 0


@dataclass(frozen=True, slots=True)
class Succession:
    """The ids given to the new clusters and what changed."""

    names: dict[int, str]
    """New group key → cluster id."""
    changes: list[Change]
    events: list[Event]


def inherit_ids(
    previous: Mapping[int, str],
    groups: Mapping[int, Sequence[int]],
    removed: Sequence[int],
    fresh_id: Callable[[int], str],
) -> Succession:
    """Name the new groups of ads after the previous clusters they overlap most.

    Args:
        previous: ad → previous cluster id, for the ads that were clustered before (at least
            every ad of `groups` and `removed` that had a cluster).
        groups: new group key (e.g. the group's smallest ad) → its ads. Only the groups that were
            recomputed; clusters not mentioned keep their ads and id.
        removed: ads deleted since the previous run (they leave their clusters).
        fresh_id: an unused id for the k-th new cluster needing one (k = 0, 1, ...).

    Returns:
        The id of every group, one change per ad whose cluster changed, and the events.
    """
    overlaps: list[tuple[int, str, int]] = []
    for key, ads in groups.items():
        counts = Counter(previous[a] for a in ads if a in previous)
        overlaps += [(key, old, n) for old, n in counts.items()]
    overlaps.sort(key=lambda t: (-t[2], t[1], min(groups[t[0]])))
    names: dict[int, str] = {}
    taken: set[str] = set()
    for key, old, _ in overlaps:
        if key not in names and old not in taken:
            names[key] = old
            taken.add(old)
    unnamed = sorted((k for k in groups if k not in names), key=lambda k: min(groups[k]))
    for k, key in enumerate(unnamed):
        names[key] = fresh_id(k)
    changes = _changes(previous, groups, removed, names)
    return Succession(names, changes, _events(previous, groups, removed, names, changes))


def _changes(
    previous: Mapping[int, str],
    groups: Mapping[int, Sequence[int]],
    removed: Sequence[int],
    names: Mapping[int, str],
) -> list[Change]:
    out = [Change(a, previous[a], None) for a in removed if a in previous]
    for key, ads in groups.items():
        name = names[key]
        out += [Change(a, previous.get(a), name) for a in ads if previous.get(a) != name]
    return sorted(out, key=lambda c: c.ad)


def _events(
    previous: Mapping[int, str],
    groups: Mapping[int, Sequence[int]],
    removed: Sequence[int],
    names: Mapping[int, str],
    changes: Sequence[Change],
) -> list[Event]:
    entered: Counter[str] = Counter(c.new for c in changes if c.new is not None)
    left: Counter[str] = Counter(c.old for c in changes if c.old is not None)
    sources: dict[str, set[str]] = defaultdict(set)
    targets: dict[str, set[str]] = defaultdict(set)
    for key, ads in groups.items():
        for a in ads:
            if a in previous:
                sources[names[key]].add(previous[a])
                targets[previous[a]].add(names[key])
    alive = set(names.values())
    known = set(previous.values())
    events: list[Event] = []
    for name in sorted(alive):
        came = sorted(sources[name])
        if not came or (name not in known and len(came) == 1):
            events.append(Event("created", name, came, [name], entered[name], 0))
        elif len(came) > 1:
            events.append(Event("merged", name, came, [name], entered[name], left[name]))
        elif entered[name] or left[name]:
            kind = "grew" if not left[name] else "shrank" if not entered[name] else "changed"
            events.append(Event(kind, name, came, [name], entered[name], left[name]))
    gone = {previous[a] for a in removed if a in previous} | set(targets)
    for old in sorted(gone):
        went = sorted(targets[old])
        if len(went) > 1:
            events.append(Event("split", old, [old], went, 0, left[old]))
        elif not went and old not in alive:
            events.append(Event("dissolved", old, [old], [], 0, left[old]))
    return events


@dataclass(frozen=True, slots=True)
class PartitionDiff:
    """How the clusters after one run differ from the clusters after another.

    Each list holds cluster ids: `created` (a new id: new ads, or a part split off one earlier
    cluster), `merged` (ads from
    several earlier clusters), `split` (earlier clusters whose ads went to several clusters),
    `changed` (same id, ads in or out), `removed` (earlier clusters with no ad left in any
    cluster), `unchanged` (same id, same ads).
    """

    created: list[str]
    merged: list[str]
    split: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: list[str]


def diff_partitions(before: Mapping[int, str], after: Mapping[int, str]) -> PartitionDiff:
    """Compare two clusterings given as ad → cluster id."""
    old_sets: dict[str, set[int]] = defaultdict(set)
    new_sets: dict[str, set[int]] = defaultdict(set)
    for ad, cid in before.items():
        old_sets[cid].add(ad)
    for ad, cid in after.items():
        new_sets[cid].add(ad)
    created, merged, changed, unchanged = [], [], [], []
    for cid in sorted(new_sets):
        sources = {before[a] for a in new_sets[cid] if a in before}
        if not sources or (cid not in old_sets and len(sources) == 1):
            created.append(cid)
        elif len(sources) > 1:
            merged.append(cid)
        elif old_sets.get(cid) == new_sets[cid]:
            unchanged.append(cid)
        else:
            changed.append(cid)
    split, removed = [], []
    for cid in sorted(old_sets):
        targets = {after[a] for a in old_sets[cid] if a in after}
        if len(targets) > 1:
            split.append(cid)
        elif not targets:
            removed.append(cid)
    return PartitionDiff(created, merged, split, changed, removed, unchanged)
