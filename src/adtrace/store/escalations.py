"""Escalations (A04): one per escalated ad, with an owner, a status and a history.

An ad the latest score run escalates (an explicit minor reference, A04) gets one escalation,
opened by `sync_escalations` with status ``new`` and no owner. Analysts then take it, assign it,
move it through the workflow and comment; every change appends an event (who, when, what, the
old and new values, a comment), so the history is complete. An escalation is never re-opened
automatically: a re-scored ad keeps its escalation and its history, closed or not.

Statuses and the transitions allowed (`TRANSITIONS`)::

    new        -> in_review, closed
    in_review  -> referred, closed
    referred   -> in_review (back for more review), closed
    closed     -> in_review (reopen)

A comment is required to refer, to close and to reopen (`needs_comment`).

Functions raise `EscalationError` subclasses for what a user can get wrong (a refused
transition, a missing comment, an owner who cannot own escalations, a stale form); the web maps
them to 409 or 400. Who acted is stored as the username.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, Select, func, insert, select, true, update

from adtrace.store.schema import ad_scores, ads, escalation_events, escalations, users
from adtrace.store.schema import cluster_members as members
from adtrace.store.scores import latest_score_run

STATUSES: Final = ("new", "in_review", "referred", "closed")
OPEN_STATUSES: Final = ("new", "in_review", "referred")
TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    "new": ("in_review", "closed"),
    "in_review": ("referred", "closed"),
    "referred": ("in_review", "closed"),
    "closed": ("in_review",),
}
"""Status -> the statuses it may move to."""

OWNER_ROLES: Final = ("analyst", "admin")
MAX_COMMENT: Final = 10_000
SYSTEM: Final = "system"
ESCALATING_INDICATOR: Final = "A04"
_CHUNK: Final = 5_000


class EscalationError(Exception):
    """Something a user asked that the workflow refuses; the message is one sentence."""


class EscalationNotFound(EscalationError):
    """No escalation has this id."""

    def __init__(self, escalation_id: int) -> None:
        super().__init__(f"there is no escalation {escalation_id}")
        self.escalation_id = escalation_id


class TransitionRefused(EscalationError):
    """The workflow does not allow this status change (the web answers 409)."""

    def __init__(self, old: str, new: str) -> None:
        allowed = ", ".join(TRANSITIONS.get(old, ())) or "nothing"
        super().__init__(f"an escalation cannot go from {old} to {new} (allowed: {allowed})")
        self.old, self.new = old, new


class StaleChange(EscalationError):
    """Someone changed the escalation since the form was shown (the web answers 409)."""

    def __init__(self, what: str, expected: str, found: str) -> None:
        super().__init__(f"the {what} is now {found or 'nobody'}, not {expected or 'nobody'}")
        self.what, self.expected, self.found = what, expected, found


class CommentRequired(EscalationError):
    """Referring, closing and reopening need a comment (`status` is where it was going), and a
    comment on its own may not be empty (`status` None); the web answers 400."""

    def __init__(self, status: str | None) -> None:
        super().__init__(
            "a comment cannot be empty" if status is None else f"moving to {status} needs a comment"
        )
        self.status = status


class CommentTooLong(EscalationError):
    """A comment longer than MAX_COMMENT characters (the web answers 400)."""

    def __init__(self, length: int) -> None:
        super().__init__(f"a comment may have at most {MAX_COMMENT:,} characters, not {length:,}")
        self.length = length


class OwnerRefused(EscalationError):
    """The owner is not an active analyst or admin."""

    def __init__(self, username: str) -> None:
        super().__init__(f"{username!r} is not an active analyst or admin")
        self.username = username


@dataclass(frozen=True, slots=True)
class Escalation:
    """One escalated ad and where its review stands.

    Attributes:
        escalation_id: the escalation's id.
        ad_id: the escalated ad.
        cluster_id: the ad's cluster when the escalation was opened (None: not linked).
        score_run: the score run that escalated it (None: opened by hand).
        reason: the A04 evidence in English, as it was when opened.
        owner: the username of whoever owns it, or None.
        status: new, in_review, referred or closed.
        created_at, updated_at: when it was opened and last changed.
    """

    escalation_id: int
    ad_id: int
    cluster_id: str | None
    score_run: int | None
    reason: str
    owner: str | None
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EscalationEvent:
    """One change of an escalation: `action` is opened, owner, status or comment; `old` and
    `new` are owners (None: nobody) or statuses."""

    event_id: int
    escalation_id: int
    at: datetime
    by: str
    action: str
    old: str | None
    new: str | None
    comment: str | None


def allowed_statuses(status: str) -> tuple[str, ...]:
    """The statuses an escalation in `status` may move to."""
    return TRANSITIONS.get(status, ())


def needs_comment(old: str, new: str) -> bool:
    """Whether moving from `old` to `new` needs a comment (refer, close, reopen)."""
    return new in ("referred", "closed") or old == "closed"


# --- Opening -------------------------------------------------------------------------------


def reason_of(reasons: Sequence[dict[str, Any]]) -> str:
    """The A04 evidence of a score's reasons, in English, one sentence per match."""
    parts = []
    for r in reasons:
        if r.get("indicator") != ESCALATING_INDICATOR:
            continue
        where = ""
        if r.get("field") and r.get("span"):
            start, end = r["span"]
            where = f" ({r['field']}, characters {start}-{end})"
        parts.append(f"{r.get('name_en', ESCALATING_INDICATOR)}: {r.get('evidence_en', '')}{where}")
    return "; ".join(parts) or f"{ESCALATING_INDICATOR}: escalated by the score run"


def pending_ads(conn: Connection) -> list[int]:
    """Ads the newest complete score run escalates that have no escalation yet, by ad id (one
    indexed query: the web calls it on every escalation page)."""
    run_id = latest_score_run(conn)
    if run_id is None:
        return []
    return sorted(int(a) for a in conn.execute(_pending(run_id, ad_scores.c.ad_id)).scalars())


def sync_escalations(conn: Connection, *, by: str = SYSTEM) -> int:
    """Open an escalation (status new, no owner) for every ad the newest complete score run
    escalates that has none yet; returns how many were opened. Idempotent; never re-opens a
    closed escalation (an ad has at most one, whatever later runs say)."""
    run_id = latest_score_run(conn)
    if run_id is None:
        return 0
    query = _pending(run_id, ad_scores.c.ad_id, ad_scores.c.reasons, members.c.cluster_id)
    query = query.outerjoin(members, members.c.ad_id == ad_scores.c.ad_id)
    opened = 0
    for row in sorted(conn.execute(query).all(), key=lambda r: int(r.ad_id)):
        reason = reason_of(row.reasons or ())
        open_escalation(conn, int(row.ad_id), reason, row.cluster_id, run_id, by=by)
        opened += 1
    return opened


def _pending(run_id: int, *columns: Any) -> Select[Any]:
    have = select(escalations.c.ad_id).where(escalations.c.ad_id == ad_scores.c.ad_id)
    return (
        select(*columns)
        .join(ads, ads.c.ad_id == ad_scores.c.ad_id)
        .where(
            ad_scores.c.run_id == run_id,
            ad_scores.c.escalate == true(),  # "IS 1" would not use the (run_id, escalate) index
            ~have.exists(),
        )
    )


def open_escalation(
    conn: Connection,
    ad_id: int,
    reason: str,
    cluster_id: str | None = None,
    score_run: int | None = None,
    *,
    by: str = SYSTEM,
) -> Escalation:
    """Open the escalation of one ad (status new, no owner) and record the `opened` event.
    The store's unique ad id refuses a second one (IntegrityError)."""
    now = _now()
    row = {
        "ad_id": ad_id,
        "cluster_id": cluster_id,
        "score_run": score_run,
        "reason": reason,
        "owner": None,
        "status": "new",
        "created_at": now,
        "updated_at": now,
    }
    new_id = conn.execute(
        insert(escalations).returning(escalations.c.escalation_id), row
    ).scalar_one()
    _event(conn, int(new_id), by, "opened", None, "new", None, now)
    return get_escalation(conn, int(new_id))


# --- Reading -------------------------------------------------------------------------------


def find_escalation(conn: Connection, escalation_id: int) -> Escalation | None:
    """The escalation `escalation_id`, or None."""
    row = conn.execute(
        select(escalations).where(escalations.c.escalation_id == escalation_id)
    ).first()
    return None if row is None else _escalation(row)


def get_escalation(conn: Connection, escalation_id: int, *, lock: bool = False) -> Escalation:
    """The escalation `escalation_id` (locked for the transaction on PostgreSQL when `lock`);
    raises EscalationNotFound."""
    query = select(escalations).where(escalations.c.escalation_id == escalation_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise EscalationNotFound(escalation_id)
    return _escalation(row)


def escalation_of_ad(conn: Connection, ad_id: int) -> Escalation | None:
    """The escalation of an ad, or None."""
    row = conn.execute(select(escalations).where(escalations.c.ad_id == ad_id)).first()
    return None if row is None else _escalation(row)


def escalations_of_ads(conn: Connection, ad_ids: Sequence[int]) -> dict[int, Escalation]:
    """The escalations of these ads, by ad id (ads without one are absent): for lists of ads
    such as the dashboard's."""
    unique = sorted({int(a) for a in ad_ids})
    found: dict[int, Escalation] = {}
    for start in range(0, len(unique), _CHUNK):
        query = select(escalations).where(escalations.c.ad_id.in_(unique[start : start + _CHUNK]))
        found.update({e.ad_id: e for e in map(_escalation, conn.execute(query))})
    return found


@dataclass(frozen=True, slots=True)
class Filter:
    """Which escalations a list shows: one status (None: all), one owner (None: anyone), or
    only those nobody owns."""

    status: str | None = None
    owner: str | None = None
    unowned: bool = False


def list_escalations(
    conn: Connection, where: Filter = Filter(), *, limit: int, offset: int = 0
) -> list[Escalation]:
    """Escalations matching `where`, newest first (then by id, a stable order for paging)."""
    query = (
        _filtered(select(escalations), where)
        .order_by(escalations.c.created_at.desc(), escalations.c.escalation_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_escalation(row) for row in conn.execute(query)]


def count_escalations(conn: Connection, where: Filter = Filter()) -> int:
    """How many escalations match `where`."""
    query = _filtered(select(func.count()).select_from(escalations), where)
    return int(conn.execute(query).scalar_one())


def status_counts(conn: Connection, where: Filter = Filter()) -> dict[str, int]:
    """Escalations per status (every status, 0 included) among those matching `where`'s owner
    filter (its status is ignored)."""
    owners_only = Filter(owner=where.owner, unowned=where.unowned)
    query = _filtered(
        select(escalations.c.status, func.count()).group_by(escalations.c.status), owners_only
    )
    found = {str(status): int(n) for status, n in conn.execute(query)}
    return {status: found.get(status, 0) for status in STATUSES}


def _filtered(query: Select[Any], where: Filter) -> Select[Any]:
    if where.status is not None:
        query = query.where(escalations.c.status == where.status)
    if where.unowned:
        query = query.where(escalations.c.owner.is_(None))
    elif where.owner is not None:
        query = query.where(escalations.c.owner == where.owner)
    return query


def history(conn: Connection, escalation_id: int) -> list[EscalationEvent]:
    """Every event of an escalation, oldest first (in the order they were recorded)."""
    query = (
        select(escalation_events)
        .where(escalation_events.c.escalation_id == escalation_id)
        .order_by(escalation_events.c.event_id)
    )
    return [
        EscalationEvent(
            event_id=int(r.event_id),
            escalation_id=int(r.escalation_id),
            at=_utc(r.at),
            by=str(r.by),
            action=str(r.action),
            old=r.old,
            new=r.new,
            comment=r.comment,
        )
        for r in conn.execute(query)
    ]


def possible_owners(conn: Connection) -> list[str]:
    """Usernames an escalation may be assigned to: active analysts and admins, by name."""
    query = (
        select(users.c.username)
        .where(users.c.disabled_at.is_(None), users.c.role.in_(OWNER_ROLES))
        .order_by(users.c.username)
    )
    return [str(name) for name in conn.execute(query).scalars()]


# --- Changing ------------------------------------------------------------------------------


def set_status(
    conn: Connection,
    escalation_id: int,
    status: str,
    *,
    by: str,
    comment: str | None = None,
    expected: str | None = None,
) -> Escalation:
    """Move an escalation to `status`, recording who, when and the comment.

    Args:
        expected: the status the user saw; when given and no longer current, StaleChange.

    Raises:
        EscalationNotFound, StaleChange, TransitionRefused (not allowed from the current
        status, or an unknown status), CommentRequired (refer, close, reopen without one),
        CommentTooLong.
    """
    current = get_escalation(conn, escalation_id, lock=True)
    if expected is not None and expected != current.status:
        raise StaleChange("status", expected, current.status)
    if status not in allowed_statuses(current.status):
        raise TransitionRefused(current.status, status)
    text = _comment(comment)
    if text is None and needs_comment(current.status, status):
        raise CommentRequired(status)
    return _change(conn, current, "status", current.status, status, by, text)


def set_owner(
    conn: Connection,
    escalation_id: int,
    owner: str | None,
    *,
    by: str,
    comment: str | None = None,
    expected: str | None = None,
) -> Escalation:
    """Give an escalation to `owner` (None: release it), recording who and when. Taking it
    yourself is `set_owner(conn, id, me, by=me)`. No change (the same owner) records nothing.

    Args:
        expected: the owner the user saw ("" for nobody); when given and no longer current,
            StaleChange.

    Raises:
        EscalationNotFound, StaleChange, OwnerRefused (not an active analyst or admin).
    """
    current = get_escalation(conn, escalation_id, lock=True)
    if expected is not None and expected != (current.owner or ""):
        raise StaleChange("owner", expected, current.owner or "")
    if owner is not None and owner not in possible_owners(conn):
        raise OwnerRefused(owner)
    if owner == current.owner:
        return current
    return _change(conn, current, "owner", current.owner, owner, by, _comment(comment))


def add_comment(conn: Connection, escalation_id: int, comment: str, *, by: str) -> Escalation:
    """Append a comment to an escalation's history. Raises CommentRequired when it is empty
    (or only spaces), CommentTooLong past MAX_COMMENT characters."""
    current = get_escalation(conn, escalation_id, lock=True)
    text = _comment(comment)
    if text is None:
        raise CommentRequired(None)
    return _change(conn, current, "comment", None, None, by, text)


def _change(
    conn: Connection,
    current: Escalation,
    action: str,
    old: str | None,
    new: str | None,
    by: str,
    comment: str | None,
) -> Escalation:
    now = _now()
    values: dict[str, Any] = {"updated_at": now}
    if action in ("status", "owner"):
        values[action] = new
    conn.execute(
        update(escalations)
        .where(escalations.c.escalation_id == current.escalation_id)
        .values(**values)
    )
    _event(conn, current.escalation_id, by, action, old, new, comment, now)
    return get_escalation(conn, current.escalation_id)


def _event(
    conn: Connection,
    escalation_id: int,
    by: str,
    action: str,
    old: str | None,
    new: str | None,
    comment: str | None,
    at: datetime,
) -> None:
    conn.execute(
        insert(escalation_events),
        {
            "escalation_id": escalation_id,
            "at": at,
            "by": by,
            "action": action,
            "old": old,
            "new": new,
            "comment": comment,
        },
    )


def _comment(comment: str | None) -> str | None:
    """The comment without surrounding spaces, None when empty; CommentTooLong when too long."""
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise CommentTooLong(len(text))
    return text or None


def _escalation(row: Any) -> Escalation:
    return Escalation(
        escalation_id=int(row.escalation_id),
        ad_id=int(row.ad_id),
        cluster_id=None if row.cluster_id is None else str(row.cluster_id),
        score_run=None if row.score_run is None else int(row.score_run),
        reason=str(row.reason),
        owner=row.owner,
        status=str(row.status),
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC): make them aware."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
