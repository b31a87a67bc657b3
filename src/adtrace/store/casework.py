"""Case work in the store: labels, notes and tags on sets of ads, and cases that gather sets.

Every judgement attaches to an `ad_sets` row (the ads as they were when the analyst acted), never
to a cluster id, so it survives re-linking. A cluster shows the judgements of every set that
overlaps its current ads; its label is the newest active label among them, and when its current
ads differ from the labelled set it is flagged for review with the ads added and removed.

Pure functions on a Connection; the caller owns the transaction (`with engine.begin()`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from adtrace.store.clusters import cluster_members, latest_link_run
from adtrace.store.schema import (
    ad_set_members,
    ad_sets,
    ads,
    case_items,
    cases,
    set_annotations,
)
from adtrace.store.schema import cluster_members as memberships

LABELS = ("suspected", "independent", "spam", "scam", "unclear")
"""Label kinds, in the order forms offer them (`suspected`: trafficking suspected)."""
NOTE_MAX = 5_000
"""Longest note, in characters."""
TITLE_MAX = 200
"""Longest case title (the column's size)."""
SUMMARY_MAX = 5_000
"""Longest case summary, in characters."""
TAG_PATTERN = re.compile(r"[a-z0-9_-]{1,40}")
"""A normalised tag: 1 to 40 lower-case letters, digits, `-` or `_`."""
CASE_STATUSES = ("open", "closed")
CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class Annotation:
    """A label, note or tag on a set of ads; `cluster_id` is the cluster the set was taken from."""

    annotation_id: int
    kind: str
    value: str
    set_id: int
    created_by: str
    created_at: datetime
    cluster_id: str | None = None
    removed_by: str | None = None
    removed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """A labelled set that differs from the cluster its ads are in now: `added` are ads now in the
    cluster but not in the labelled set, `removed` the reverse (ascending ad ids)."""

    labelled: Annotation
    added: tuple[int, ...]
    removed: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ClusterCasework:
    """What case work says about a cluster's CURRENT ads.

    `label` is the newest active label among sets overlapping them, `review` is set when that
    labelled set differs from them, `notes` and `tags` are the active ones (newest first),
    `cases` are (case id, title) of cases holding any of them. `history` holds every label of
    those sets (superseded and removed ones too), `removed` the removed notes and tags.
    """

    label: Annotation | None
    review: Review | None
    notes: tuple[Annotation, ...]
    tags: tuple[Annotation, ...]
    cases: tuple[tuple[int, str], ...]
    history: tuple[Annotation, ...] = ()
    removed: tuple[Annotation, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseItem:
    """A set of ads in a case: `kind` cluster (with the cluster id at the time) or ad."""

    item_id: int
    kind: str
    set_id: int
    cluster_id: str | None
    n_ads: int
    added_by: str
    added_at: datetime
    removed_by: str | None = None
    removed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """A case with its active items (oldest first)."""

    case_id: int
    title: str
    summary: str
    status: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    items: tuple[CaseItem, ...]


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A line of the list of cases: active items and the ads they hold."""

    case_id: int
    title: str
    status: str
    n_items: int
    n_ads: int
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FlaggedCluster:
    """A current cluster whose ads changed since it was labelled."""

    cluster_id: str
    n_ads: int
    review: Review


# --- Sets ------------------------------------------------------------------------------------


def snapshot_set(
    conn: Connection,
    ad_ids: Sequence[int],
    *,
    by: str,
    cluster_id: str | None = None,
    link_run: int | None = None,
) -> int:
    """Record these ads as a new set (duplicates dropped); returns its id."""
    wanted = sorted(set(int(a) for a in ad_ids))
    set_id = conn.execute(
        insert(ad_sets).returning(ad_sets.c.set_id),
        {
            "cluster_id": cluster_id,
            "link_run": link_run,
            "n_ads": len(wanted),
            "created_by": by,
            "created_at": _now(),
        },
    ).scalar_one()
    rows = [{"set_id": set_id, "ad_id": a} for a in wanted]
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(ad_set_members), rows[start : start + CHUNK])
    return int(set_id)


def snapshot_cluster(conn: Connection, cluster_id: str, *, by: str) -> int:
    """Record a current cluster's ads (with the latest link run) as a new set; returns its id.

    Raises:
        LookupError: no current cluster has this id.
    """
    members = cluster_members(conn, cluster_id)
    if not members:
        raise LookupError(f"no cluster {cluster_id}")
    return snapshot_set(conn, members, by=by, cluster_id=cluster_id, link_run=latest_link_run(conn))


def set_ad_ids(conn: Connection, set_id: int) -> list[int]:
    """The ads of a set, ascending."""
    query = (
        select(ad_set_members.c.ad_id)
        .where(ad_set_members.c.set_id == set_id)
        .order_by(ad_set_members.c.ad_id)
    )
    return [int(a) for a in conn.execute(query).scalars()]


def where_now(conn: Connection, set_id: int) -> list[tuple[str | None, int]]:
    """Where a set's ads are now: (current cluster id or None for unlinked or gone ads, number
    of the set's ads there), most ads first."""
    query = (
        select(memberships.c.cluster_id, func.count().label("n"))
        .select_from(ad_set_members)
        .outerjoin(ads, ads.c.ad_id == ad_set_members.c.ad_id)
        .outerjoin(memberships, memberships.c.ad_id == ads.c.ad_id)
        .where(ad_set_members.c.set_id == set_id)
        .group_by(memberships.c.cluster_id)
    )
    found = [(None if c is None else str(c), int(n)) for c, n in conn.execute(query)]
    return sorted(found, key=lambda pair: (-pair[1], pair[0] or ""))


def current_clusters(conn: Connection, ad_ids: Sequence[int]) -> dict[int, str]:
    """Ad → current cluster id of those of `ad_ids` that are linked now."""
    found: dict[int, str] = {}
    for start in range(0, len(ad_ids), CHUNK):
        query = (
            select(memberships.c.ad_id, memberships.c.cluster_id)
            .join(ads, ads.c.ad_id == memberships.c.ad_id)
            .where(memberships.c.ad_id.in_(list(ad_ids[start : start + CHUNK])))
        )
        found.update((int(a), str(c)) for a, c in conn.execute(query))
    return found


# --- Labels, notes, tags ---------------------------------------------------------------------


def normalise_tag(text: str) -> str | None:
    """The tag as stored (trimmed, lower case, spaces as `-`), or None when it is not a valid
    tag (1 to 40 letters, digits, `-` or `_`)."""
    tag = re.sub(r"\s+", "-", text.strip().lower())
    return tag if TAG_PATTERN.fullmatch(tag) else None


def annotate(conn: Connection, set_id: int, kind: str, value: str, *, by: str) -> int:
    """Attach a label, note or tag to a set; returns the annotation id.

    Raises:
        ValueError: an unknown kind, label or tag, or an empty or too long note.
    """
    _check(kind, value)
    row = conn.execute(
        insert(set_annotations).returning(set_annotations.c.annotation_id),
        {"set_id": set_id, "kind": kind, "value": value, "created_by": by, "created_at": _now()},
    )
    return int(row.scalar_one())


def annotate_cluster(conn: Connection, cluster_id: str, kind: str, value: str, *, by: str) -> int:
    """Snapshot a current cluster's ads and attach a label, note or tag to them (labelling again
    supersedes the older label, which stays as history; confirming a flagged label is labelling
    again). Returns the annotation id.

    Raises:
        LookupError: no current cluster has this id.
        ValueError: see `annotate`.
    """
    _check(kind, value)
    return annotate(conn, snapshot_cluster(conn, cluster_id, by=by), kind, value, by=by)


def remove_annotation(conn: Connection, annotation_id: int, *, by: str) -> bool:
    """Mark an annotation removed (the row stays, with who and when); False if it was not active."""
    result = conn.execute(
        update(set_annotations)
        .where(
            set_annotations.c.annotation_id == annotation_id,
            set_annotations.c.removed_at.is_(None),
        )
        .values(removed_by=by, removed_at=_now())
    )
    return result.rowcount > 0


def remove_cluster_label(conn: Connection, cluster_id: str, *, by: str) -> int:
    """Remove every active label on sets overlapping a cluster's current ads (so no older label
    comes back); returns how many were removed."""
    return _remove_on_cluster(conn, cluster_id, by, set_annotations.c.kind == "label")


def remove_cluster_tag(conn: Connection, cluster_id: str, tag: str, *, by: str) -> int:
    """Remove a tag from a cluster: every active annotation with this tag on sets overlapping
    its current ads (a tag added twice does not come back); returns how many were removed."""
    kind = set_annotations.c.kind == "tag"
    return _remove_on_cluster(conn, cluster_id, by, kind, set_annotations.c.value == tag)


def _remove_on_cluster(conn: Connection, cluster_id: str, by: str, *where: Any) -> int:
    """Mark removed the active annotations matching `where` on sets overlapping the cluster."""
    set_ids = _sets_overlapping(conn, cluster_members(conn, cluster_id))
    removed = 0
    for start in range(0, len(set_ids), CHUNK):
        result = conn.execute(
            update(set_annotations)
            .where(
                set_annotations.c.set_id.in_(set_ids[start : start + CHUNK]),
                set_annotations.c.removed_at.is_(None),
                *where,
            )
            .values(removed_by=by, removed_at=_now())
        )
        removed += result.rowcount
    return removed


def annotation_of(conn: Connection, annotation_id: int) -> Annotation | None:
    """One annotation (active or removed), or None."""
    rows = _annotation_rows(conn, set_annotations.c.annotation_id == annotation_id)
    return rows[0] if rows else None


def cluster_casework(conn: Connection, cluster_id: str) -> ClusterCasework:
    """Labels, review flag, notes, tags and cases of a cluster's CURRENT ads."""
    return ads_casework(conn, cluster_members(conn, cluster_id))


def ads_casework(conn: Connection, ad_ids: Sequence[int]) -> ClusterCasework:
    """Labels, review flag, notes, tags and cases of any group of ads (see `ClusterCasework`)."""
    current = sorted(set(ad_ids))
    set_ids = _sets_overlapping(conn, current)
    found = _annotations_of_sets(conn, set_ids)
    labels = [a for a in found if a.kind == "label"]
    active_labels = [a for a in labels if a.removed_at is None]
    label = active_labels[0] if active_labels else None
    return ClusterCasework(
        label=label,
        review=None if label is None else _review(conn, label, current),
        notes=tuple(a for a in found if a.kind == "note" and a.removed_at is None),
        tags=_distinct_tags(a for a in found if a.kind == "tag" and a.removed_at is None),
        cases=tuple(_cases_of_sets(conn, set_ids)),
        history=tuple(labels),
        removed=tuple(a for a in found if a.kind != "label" and a.removed_at is not None),
    )


def review_queue(conn: Connection) -> list[FlaggedCluster]:
    """Every current cluster holding ads of an actively labelled set whose current ads differ
    from its label's set (a labelled set split in two flags both), newest label first."""
    labelled = (
        select(set_annotations.c.set_id)
        .where(set_annotations.c.kind == "label", set_annotations.c.removed_at.is_(None))
        .distinct()
    )
    query = (
        select(memberships.c.cluster_id)
        .join(ad_set_members, ad_set_members.c.ad_id == memberships.c.ad_id)
        .join(ads, ads.c.ad_id == memberships.c.ad_id)
        .where(ad_set_members.c.set_id.in_(labelled))
        .distinct()
    )
    flagged: list[FlaggedCluster] = []
    for cluster_id in sorted(str(c) for c in conn.execute(query).scalars()):
        members = cluster_members(conn, cluster_id)
        review = ads_casework(conn, members).review
        if review is not None:
            flagged.append(FlaggedCluster(cluster_id, len(members), review))
    flagged.sort(key=lambda f: (f.review.labelled.created_at, f.review.labelled.annotation_id))
    return flagged[::-1]


def _review(conn: Connection, label: Annotation, current: list[int]) -> Review | None:
    labelled = set(set_ad_ids(conn, label.set_id))
    now = set(current)
    if labelled == now:
        return None
    return Review(label, tuple(sorted(now - labelled)), tuple(sorted(labelled - now)))


def _distinct_tags(found: Iterable[Annotation]) -> tuple[Annotation, ...]:
    """The newest active annotation of each tag value (they come newest first)."""
    seen: dict[str, Annotation] = {}
    for a in found:
        seen.setdefault(a.value, a)
    return tuple(seen.values())


def _check(kind: str, value: str) -> None:
    if kind == "label" and value not in LABELS:
        raise ValueError(f"unknown label {value!r}")
    if kind == "note" and not (value.strip() and len(value) <= NOTE_MAX):
        raise ValueError(f"a note has 1 to {NOTE_MAX} characters")
    if kind == "tag" and normalise_tag(value) != value:
        raise ValueError(f"not a normalised tag: {value!r}")
    if kind not in ("label", "note", "tag"):
        raise ValueError(f"unknown annotation kind {kind!r}")


def _sets_overlapping(conn: Connection, ad_ids: Sequence[int]) -> list[int]:
    found: set[int] = set()
    for start in range(0, len(ad_ids), CHUNK):
        query = (
            select(ad_set_members.c.set_id)
            .where(ad_set_members.c.ad_id.in_(list(ad_ids[start : start + CHUNK])))
            .distinct()
        )
        found.update(int(s) for s in conn.execute(query).scalars())
    return sorted(found)


def _annotations_of_sets(conn: Connection, set_ids: Sequence[int]) -> list[Annotation]:
    """Annotations of these sets, newest first."""
    found: list[Annotation] = []
    for start in range(0, len(set_ids), CHUNK):
        found += _annotation_rows(
            conn, set_annotations.c.set_id.in_(list(set_ids[start : start + CHUNK]))
        )
    found.sort(key=lambda a: (a.created_at, a.annotation_id), reverse=True)
    return found


def _annotation_rows(conn: Connection, where: Any) -> list[Annotation]:
    query = (
        select(set_annotations, ad_sets.c.cluster_id)
        .join(ad_sets, ad_sets.c.set_id == set_annotations.c.set_id)
        .where(where)
    )
    return [_annotation(r) for r in conn.execute(query)]


def _annotation(r: Row[Any]) -> Annotation:
    return Annotation(
        annotation_id=int(r.annotation_id),
        kind=str(r.kind),
        value=str(r.value),
        set_id=int(r.set_id),
        created_by=str(r.created_by),
        created_at=_utc(r.created_at),
        cluster_id=None if r.cluster_id is None else str(r.cluster_id),
        removed_by=r.removed_by,
        removed_at=None if r.removed_at is None else _utc(r.removed_at),
    )


def _cases_of_sets(conn: Connection, set_ids: Sequence[int]) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    for start in range(0, len(set_ids), CHUNK):
        query = (
            select(cases.c.case_id, cases.c.title)
            .join(case_items, case_items.c.case_id == cases.c.case_id)
            .where(
                case_items.c.set_id.in_(list(set_ids[start : start + CHUNK])),
                case_items.c.removed_at.is_(None),
            )
            .distinct()
        )
        found.update((int(c), str(t)) for c, t in conn.execute(query))
    return sorted(found.items())


# --- Cases -----------------------------------------------------------------------------------


def create_case(conn: Connection, title: str, summary: str, *, by: str) -> int:
    """Open a new case; returns its id.

    Raises:
        ValueError: an empty or too long title, or a too long summary.
    """
    title = title.strip()
    if not 1 <= len(title) <= TITLE_MAX or len(summary) > SUMMARY_MAX:
        raise ValueError(f"a case has a title of 1 to {TITLE_MAX} characters")
    now = _now()
    row = conn.execute(
        insert(cases).returning(cases.c.case_id),
        {
            "title": title,
            "summary": summary.strip(),
            "status": "open",
            "created_by": by,
            "created_at": now,
            "updated_at": now,
        },
    )
    return int(row.scalar_one())


def list_cases(conn: Connection, status: str | None = None) -> list[CaseSummary]:
    """Every case (or those with `status`), most recently updated first, with the number of
    active items and of distinct ads they hold."""
    active = case_items.c.removed_at.is_(None)
    n_items = (
        select(func.count())
        .where(case_items.c.case_id == cases.c.case_id, active)
        .scalar_subquery()
    )
    n_ads = (
        select(func.count(func.distinct(ad_set_members.c.ad_id)))
        .join(case_items, case_items.c.set_id == ad_set_members.c.set_id)
        .where(case_items.c.case_id == cases.c.case_id, active)
        .scalar_subquery()
    )
    query = select(cases, n_items.label("n_items"), n_ads.label("n_ads")).order_by(
        cases.c.updated_at.desc(), cases.c.case_id.desc()
    )
    if status is not None:
        query = query.where(cases.c.status == status)
    return [
        CaseSummary(
            case_id=int(r.case_id),
            title=str(r.title),
            status=str(r.status),
            n_items=int(r.n_items),
            n_ads=int(r.n_ads),
            created_by=str(r.created_by),
            created_at=_utc(r.created_at),
            updated_at=_utc(r.updated_at),
        )
        for r in conn.execute(query)
    ]


def get_case(conn: Connection, case_id: int) -> Case | None:
    """A case with its active items (removed_at is NULL), or None."""
    row = conn.execute(select(cases).where(cases.c.case_id == case_id)).one_or_none()
    if row is None:
        return None
    return Case(
        case_id=int(row.case_id),
        title=str(row.title),
        summary=str(row.summary),
        status=str(row.status),
        created_by=str(row.created_by),
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        items=tuple(i for i in case_history(conn, case_id) if i.removed_at is None),
    )


def case_history(conn: Connection, case_id: int) -> list[CaseItem]:
    """Every item a case ever held (removed ones too, with who and when), oldest first."""
    query = (
        select(case_items, ad_sets.c.cluster_id, ad_sets.c.n_ads)
        .join(ad_sets, ad_sets.c.set_id == case_items.c.set_id)
        .where(case_items.c.case_id == case_id)
        .order_by(case_items.c.item_id)
    )
    return [
        CaseItem(
            item_id=int(r.item_id),
            kind=str(r.kind),
            set_id=int(r.set_id),
            cluster_id=None if r.cluster_id is None else str(r.cluster_id),
            n_ads=int(r.n_ads),
            added_by=str(r.added_by),
            added_at=_utc(r.added_at),
            removed_by=r.removed_by,
            removed_at=None if r.removed_at is None else _utc(r.removed_at),
        )
        for r in conn.execute(query)
    ]


def case_ad_ids(conn: Connection, case_id: int) -> list[int]:
    """The sorted union of the ads of a case's active items."""
    query = (
        select(ad_set_members.c.ad_id)
        .join(case_items, case_items.c.set_id == ad_set_members.c.set_id)
        .where(case_items.c.case_id == case_id, case_items.c.removed_at.is_(None))
        .distinct()
        .order_by(ad_set_members.c.ad_id)
    )
    return [int(a) for a in conn.execute(query).scalars()]


def add_cluster_to_case(conn: Connection, case_id: int, cluster_id: str, *, by: str) -> int:
    """Snapshot a current cluster's ads into a case; returns the item id.

    Raises:
        LookupError: no such case or cluster.
    """
    _open_case(conn, case_id)
    return _add_item(conn, case_id, snapshot_cluster(conn, cluster_id, by=by), "cluster", by)


def add_ad_to_case(conn: Connection, case_id: int, ad_id: int, *, by: str) -> int:
    """Put a single ad into a case; returns the item id.

    Raises:
        LookupError: no such case or ad.
    """
    _open_case(conn, case_id)
    if conn.execute(select(ads.c.ad_id).where(ads.c.ad_id == ad_id)).first() is None:
        raise LookupError(f"no ad {ad_id}")
    set_id = snapshot_set(conn, [ad_id], by=by)
    return _add_item(conn, case_id, set_id, "ad", by)


def remove_case_item(conn: Connection, case_id: int, item_id: int, *, by: str) -> bool:
    """Mark a case's item removed (the row stays); False if it was not an active item of it."""
    now = _now()
    result = conn.execute(
        update(case_items)
        .where(
            case_items.c.case_id == case_id,
            case_items.c.item_id == item_id,
            case_items.c.removed_at.is_(None),
        )
        .values(removed_by=by, removed_at=now)
    )
    if result.rowcount == 0:
        return False
    _touch(conn, case_id, now)
    return True


def set_case_status(conn: Connection, case_id: int, status: str) -> bool:
    """Close or reopen a case; False if there is no such case.

    Raises:
        ValueError: a status other than open or closed.
    """
    if status not in CASE_STATUSES:
        raise ValueError(f"unknown case status {status!r}")
    result = conn.execute(
        update(cases).where(cases.c.case_id == case_id).values(status=status, updated_at=_now())
    )
    return result.rowcount > 0


def _open_case(conn: Connection, case_id: int) -> None:
    status = conn.execute(select(cases.c.status).where(cases.c.case_id == case_id)).scalar()
    if status is None:
        raise LookupError(f"no case {case_id}")
    if status != "open":
        raise LookupError(f"case {case_id} is closed")


def _add_item(conn: Connection, case_id: int, set_id: int, kind: str, by: str) -> int:
    now = _now()
    row = conn.execute(
        insert(case_items).returning(case_items.c.item_id),
        {"case_id": case_id, "set_id": set_id, "kind": kind, "added_by": by, "added_at": now},
    )
    _touch(conn, case_id, now)
    return int(row.scalar_one())


def _touch(conn: Connection, case_id: int, now: datetime) -> None:
    conn.execute(update(cases).where(cases.c.case_id == case_id).values(updated_at=now))


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything the store holds is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
