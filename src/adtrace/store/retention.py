"""Retention: find what a purge removes, remove it, record the purge, give the bytes back.

Two purges. By age: every ad last seen (`ads.last_seen`, the newest sighting) before a cutoff,
and the rejected rows of batches started before it. Of a selector: every ad any of whose
versions has it (the `selectors` table), every ad whose stored fields contain it in writing (a
safety net for versions the extractor read differently), every rejected row containing it, and
the rows elsewhere that name it. Both remove, for each ad: versions, sightings, extractions,
selectors, search index rows, LSH signature, selector digests, evidence links, memberships and
history, scores, escalations with their events, and its id from case-work sets (the sets and
their labels and notes stay). Scores of the clusters it was in are deleted (`adtrace score`
recomputes them); the surviving ads of those clusters lose their stored signature, so the next
link run links those clusters again. Export records stay: they hold no value, and they are the
record of what was handed out. Analysts' own texts (notes, case texts, escalation comments) stay
with a purged selector's value replaced by "[purged]".

Pure functions on a Connection; the caller owns the transaction (`with engine.begin()`), then
calls `reclaim_space` outside it. `adtrace.pipeline.purge` puts them together.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    Table,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from adtrace.link.model import selector_digest
from adtrace.store.schema import (
    ad_links,
    ad_scores,
    ad_selector_keys,
    ad_set_members,
    ad_sets,
    ad_signatures,
    ad_versions,
    ads,
    app_settings,
    batches,
    case_items,
    cases,
    cluster_changes,
    cluster_members,
    cluster_scores,
    escalation_events,
    escalations,
    exports,
    extractions,
    purges,
    rejects,
    run_artifacts,
    search_docs,
    search_terms,
    selectors,
    set_annotations,
    sightings,
)

log = logging.getLogger(__name__)

CHUNK: Final = 500
"""Ads per IN list (bounded statements on both stores)."""

SCAN_ROWS: Final = 20_000
"""Rows per batch when scanning stored text for a value."""

NOT_REMOVED: Final = ("exports_kept", "notes_redacted")
"""Counts of a purge record that are not rows removed."""

RETENTION_KEY: Final = "retention_days"
"""The `app_settings` key of the retention age an admin set in the web app."""

MIN_PHONE_DIGITS: Final = 7
"""Shorter national numbers are not searched for in free text (too many false hits)."""

# Separators people put between the digits of a phone number; removed before matching digits.
_DIGIT_GAPS: Final = r"[\s\-\.\(\)/+_\x{00A0}]+"


@dataclass(frozen=True, slots=True)
class Target:
    """A selector to purge, normalised as extraction writes it.

    Attributes:
        kind: phone, email or handle.
        value: E.164 phone, lower-case e-mail, or lower-case handle without "@".
        platform: the handle's platform (None: any platform).
        digits: the national number's digits, matched in free text in any layout (phones).
    """

    kind: str
    value: str
    platform: str | None = None
    digits: str | None = None

    def json_forms(self) -> list[str]:
        """Forms searched for in JSON columns (lower case): the value as a whole JSON string
        (so the handle "lola" does not match "lolabelle"), and a phone's national digits."""
        forms = [json.dumps(self.value.lower())]
        if self.digits:
            forms.append(self.digits)
        return forms


@dataclass(slots=True)
class Plan:
    """What a purge removes: the ads, the rejected rows, and the clusters they touch."""

    kind: str
    criteria: dict[str, Any]
    ad_ids: list[int]
    reject_ids: list[int]
    target: Target | None = None
    clusters: set[str] = field(default_factory=set)


# --- Choosing what goes ---------------------------------------------------------------------


def ads_last_seen_before(conn: Connection, cutoff: datetime) -> list[int]:
    """Ads whose newest sighting is older than `cutoff`, ascending."""
    query = select(ads.c.ad_id).where(ads.c.last_seen < cutoff).order_by(ads.c.ad_id)
    return [int(a) for a in conn.execute(query).scalars()]


def rejects_before(conn: Connection, cutoff: datetime) -> list[int]:
    """Rejected rows of batches started before `cutoff`."""
    query = (
        select(rejects.c.reject_id)
        .join(batches, batches.c.batch_id == rejects.c.batch_id)
        .where(batches.c.started_at < cutoff)
        .order_by(rejects.c.reject_id)
    )
    return [int(r) for r in conn.execute(query).scalars()]


def ads_with_selector(conn: Connection, target: Target) -> set[int]:
    """Ads any of whose versions has the selector (as extraction stored it)."""
    query = (
        select(ad_versions.c.ad_id)
        .join(selectors, selectors.c.version_id == ad_versions.c.version_id)
        .where(selectors.c.kind.in_(_stored_kinds(target)), selectors.c.value == target.value)
        .distinct()
    )
    if target.platform is not None:
        query = query.where(selectors.c.platform == target.platform)
    return {int(a) for a in conn.execute(query).scalars()}


def _stored_kinds(target: Target) -> list[str]:
    # A WhatsApp handle's value is its number in E.164: a phone is also stored as a handle.
    return ["phone", "handle"] if target.kind == "phone" else [target.kind]


def ads_mentioning(conn: Connection, target: Target) -> set[int]:
    """Ads any of whose versions' stored fields (title, text, URL, raw phone and e-mail, extra
    columns) contain the value in writing: a phone's digits in any layout, an e-mail in any case.
    Handles are matched through the selectors only (a bare name is too common a word)."""
    if target.kind == "handle":
        return set()
    columns = (
        ad_versions.c.title,
        ad_versions.c.text,
        ad_versions.c.url,
        ad_versions.c.phone_raw,
        ad_versions.c.email_raw,
        cast(ad_versions.c.extra, String),
    )
    found: set[int] = set()
    query = select(ad_versions.c.ad_id, *columns)
    for ids, texts in _scan(conn, query):
        hits = _matches(texts, target)
        found.update(int(i) for i, hit in zip(ids, hits, strict=True) if hit)
    return found


def rejects_mentioning(
    conn: Connection, target: Target, reads: Callable[[str], set[str]] | None = None
) -> list[int]:
    """Rejected rows whose raw text contains the value in writing (a handle as a whole word), or
    in which `reads` (the extractor, for obfuscated numbers) finds it."""
    found: list[int] = []
    query = select(rejects.c.reject_id, rejects.c.raw)
    word = _written(target)
    for ids, texts in _scan(conn, query):
        if target.kind == "handle":
            hits = [bool(raw and word.search(raw)) for raw in texts[0]]
        else:
            hits = _matches(texts, target)
        for reject_id, hit, raw in zip(ids, hits, texts[0], strict=True):
            if hit or (reads is not None and raw and target.value in reads(str(raw))):
                found.append(int(reject_id))
    return found


def _scan(conn: Connection, query: Any) -> Iterator[tuple[list[Any], list[list[str | None]]]]:
    """(ids, text columns) batches of `query`, whose first column is the id."""
    # On the statement, not the connection: a connection's options stay for its next statements.
    result = conn.execute(query.execution_options(yield_per=SCAN_ROWS))
    for rows in result.partitions():
        columns = list(zip(*rows, strict=True))
        yield list(columns[0]), [[None if v is None else str(v) for v in c] for c in columns[1:]]


def _matches(columns: Sequence[Sequence[str | None]], target: Target) -> list[bool]:
    """Which rows contain the target in any column (vectorised with Arrow)."""
    hit = pa.array([False] * len(columns[0]))
    for column in columns:
        text = pc.utf8_lower(pa.array(column, pa.string()))
        found = pc.match_substring(text, target.value.lower())
        if target.digits:
            squeezed = pc.replace_substring_regex(text, _DIGIT_GAPS, "")
            found = pc.or_kleene(found, pc.match_substring(squeezed, target.digits))
        hit = pc.or_kleene(hit, pc.fill_null(found, False))
    return [bool(v) for v in hit.to_pylist()]


def clusters_of(conn: Connection, ad_ids: Sequence[int]) -> set[str]:
    """Every cluster the ads are or were in (memberships, history, links)."""
    found: set[str] = set()
    for chunk in _chunks(ad_ids):
        found.update(
            conn.execute(
                select(cluster_members.c.cluster_id).where(cluster_members.c.ad_id.in_(chunk))
            ).scalars()
        )
        history = select(cluster_changes.c.old_cluster, cluster_changes.c.new_cluster).where(
            cluster_changes.c.ad_id.in_(chunk)
        )
        for old, new in conn.execute(history):
            found.update(c for c in (old, new) if c is not None)
    return {str(c) for c in found}


# --- Counting and removing ------------------------------------------------------------------

Step = tuple[str, Table, ColumnElement[bool]]


def _ad_steps(chunk: list[int]) -> list[Step]:
    """Every row about these ads, children before parents."""
    versions = select(ad_versions.c.version_id).where(ad_versions.c.ad_id.in_(chunk))
    their_escalations = select(escalations.c.escalation_id).where(escalations.c.ad_id.in_(chunk))
    return [
        ("search_terms", search_terms, search_terms.c.ad_id.in_(chunk)),
        ("search_docs", search_docs, search_docs.c.ad_id.in_(chunk)),
        ("ad_signatures", ad_signatures, ad_signatures.c.ad_id.in_(chunk)),
        ("ad_selector_keys", ad_selector_keys, ad_selector_keys.c.ad_id.in_(chunk)),
        ("ad_links", ad_links, or_(ad_links.c.ad_a.in_(chunk), ad_links.c.ad_b.in_(chunk))),
        ("ad_scores", ad_scores, ad_scores.c.ad_id.in_(chunk)),
        ("cluster_members", cluster_members, cluster_members.c.ad_id.in_(chunk)),
        ("cluster_changes", cluster_changes, cluster_changes.c.ad_id.in_(chunk)),
        (
            "escalation_events",
            escalation_events,
            escalation_events.c.escalation_id.in_(their_escalations),
        ),
        ("escalations", escalations, escalations.c.ad_id.in_(chunk)),
        ("ad_set_members", ad_set_members, ad_set_members.c.ad_id.in_(chunk)),
        ("selectors", selectors, selectors.c.version_id.in_(versions)),
        ("extractions", extractions, extractions.c.version_id.in_(versions)),
        ("sightings", sightings, sightings.c.ad_id.in_(chunk)),
        ("ad_versions", ad_versions, ad_versions.c.ad_id.in_(chunk)),
        ("ads", ads, ads.c.ad_id.in_(chunk)),
    ]


def _other_steps(conn: Connection, plan: Plan) -> list[Step]:
    """Rows not owned by one purged ad: rejects, cluster scores, rows naming the value."""
    steps: list[Step] = []
    for chunk in _chunks(plan.reject_ids):
        steps.append(("rejects", rejects, rejects.c.reject_id.in_(chunk)))
    for chunk in _chunks(sorted(plan.clusters)):
        steps.append(("cluster_scores", cluster_scores, cluster_scores.c.cluster_id.in_(chunk)))
    if plan.target is not None:
        steps += _value_steps(plan.target)
    return steps


def _value_steps(target: Target) -> list[Step]:
    """Rows of ads that stay which still name the value (none once its ads are gone, unless a
    version was extracted differently): links, cluster scores and selector digests."""
    steps: list[Step] = []
    for form in target.json_forms():
        pattern = f"%{_escape_like(form)}%"
        steps.append(
            (
                "ad_links",
                ad_links,
                func.lower(cast(ad_links.c.evidence, String)).like(pattern, escape="\\"),
            )
        )
        for column in (cluster_scores.c.profile, cluster_scores.c.reasons):
            text = func.lower(cast(column, String))
            steps.append(("cluster_scores", cluster_scores, text.like(pattern, escape="\\")))
    if target.platform is None:  # the digest has no platform: the same name elsewhere stays
        digests = [selector_digest(kind, target.value) for kind in _stored_kinds(target)]
        keys = ad_selector_keys.c.digest.in_(digests)
        steps.append(("ad_selector_keys", ad_selector_keys, keys))
    return steps


def _escape_like(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def _chunks(ids: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _all_steps(conn: Connection, plan: Plan) -> Iterator[Step]:
    for chunk in _chunks(plan.ad_ids):
        yield from _ad_steps(chunk)
    yield from _other_steps(conn, plan)


def count_plan(conn: Connection, plan: Plan) -> dict[str, int]:
    """Rows per table the purge would remove (a dry run: nothing changes).

    Counts of one table from several conditions are added up, so a row matched twice (an
    evidence link of a purged ad that also names the value) counts twice here and once when
    removed.
    """
    counts: dict[str, int] = {}
    for name, table, condition in _all_steps(conn, plan):
        n = conn.execute(select(func.count()).select_from(table).where(condition)).scalar_one()
        counts[name] = counts.get(name, 0) + int(n)
    counts.update(_side_counts(conn, plan))
    return {k: v for k, v in sorted(counts.items()) if v}


def _side_counts(conn: Connection, plan: Plan) -> dict[str, int]:
    return {
        "relink_signatures": len(_survivors(conn, plan)),
        "model_hubs": sum(len(h) for h in _hub_edits(conn, plan).values()),
        "exports_kept": _exports_touched(conn, plan),
        "notes_redacted": len(_notes_naming(conn, plan.target)),
    }


REDACTED: Final = "[purged]"
"""What replaces the value in analysts' own texts."""


def _note_columns() -> list[tuple[Table, Any, tuple[Any, ...]]]:
    """Analysts' own texts (table, key, text columns): notes, tags and labels (removed ones
    too: their rows stay), case titles and summaries, escalation comments."""
    return [
        (set_annotations, set_annotations.c.annotation_id, (set_annotations.c.value,)),
        (cases, cases.c.case_id, (cases.c.title, cases.c.summary)),
        (escalation_events, escalation_events.c.event_id, (escalation_events.c.comment,)),
    ]


def _notes_naming(conn: Connection, target: Target | None) -> list[tuple[Table, Any, Any]]:
    """(table, key column, key) of every analyst's text that writes the value."""
    if target is None:
        return []
    pattern = _written(target)
    found: list[tuple[Table, Any, Any]] = []
    for table, key, columns in _note_columns():
        for ids, texts in _scan(conn, select(key, *columns)):
            for row, row_id in enumerate(ids):
                if any(c[row] and pattern.search(c[row] or "") for c in texts):
                    found.append((table, key, row_id))
    return found


def _redact_notes(conn: Connection, target: Target | None) -> int:
    """Replace the value in analysts' texts by REDACTED (the texts stay); returns rows changed."""
    rows = _notes_naming(conn, target)
    if target is None or not rows:
        return 0
    pattern = _written(target)
    columns = {table.name: cols for table, _key, cols in _note_columns()}
    for table, key, row_id in rows:
        names = [c.name for c in columns[table.name]]
        old = conn.execute(select(*columns[table.name]).where(key == row_id)).one()
        new = {
            n: None if v is None else pattern.sub(REDACTED, v)
            for n, v in zip(names, old, strict=True)
        }
        conn.execute(update(table).where(key == row_id).values(**new))
    return len(rows)


def _written(target: Target) -> re.Pattern[str]:
    """The value as people write it: a phone's national digits with any separators between
    them, else the value in any case as a whole word (the handle "lola" is not in "lolabelle")."""
    if target.digits:
        digits = _GAPS.join(re.escape(d) for d in target.digits)
        return re.compile(rf"(?:\+\d{{1,3}}[\s\-\.]*)?\(?{digits}")
    return re.compile(rf"(?<![\w.-]){re.escape(target.value)}(?![\w@-])", re.IGNORECASE)


_GAPS: Final = r"[\s\-\.\(\)/+_\u00a0]*"


def apply_plan(conn: Connection, plan: Plan, *, by: str, at: datetime | None = None) -> int:
    """Remove what `plan` names, inside the caller's transaction, and record the purge.

    Returns the purge id. The rows removed per table are in the record's `counts`.
    """
    survivors = _survivors(conn, plan)
    touched_sets = _sets_of(conn, plan.ad_ids)
    counts: dict[str, int] = {"exports_kept": _exports_touched(conn, plan)}
    for name, table, condition in _all_steps(conn, plan):
        removed = conn.execute(delete(table).where(condition)).rowcount
        counts[name] = counts.get(name, 0) + max(int(removed), 0)
    counts["relink_signatures"] = _forget_signatures(conn, survivors)
    counts["model_hubs"] = _drop_hubs(conn, plan)
    counts["notes_redacted"] = _redact_notes(conn, plan.target)
    _recount_sets(conn, touched_sets)
    return record_purge(conn, plan, {k: v for k, v in sorted(counts.items()) if v}, by, at)


def _survivors(conn: Connection, plan: Plan) -> list[int]:
    """Ads that stay in the clusters the purged ads were in."""
    gone = set(plan.ad_ids)
    found: set[int] = set()
    for chunk in _chunks(sorted(plan.clusters)):
        query = select(cluster_members.c.ad_id).where(cluster_members.c.cluster_id.in_(chunk))
        found.update(int(a) for a in conn.execute(query).scalars() if int(a) not in gone)
    return sorted(found)


def _forget_signatures(conn: Connection, ad_ids: Sequence[int]) -> int:
    """Drop stored signatures so the next link run signs these ads again and links their
    clusters again (a cluster may fall apart without the purged ads)."""
    removed = 0
    for chunk in _chunks(ad_ids):
        removed += conn.execute(
            delete(ad_signatures).where(ad_signatures.c.ad_id.in_(chunk))
        ).rowcount
    return removed


def _hub_edits(conn: Connection, plan: Plan) -> dict[int, list[dict[str, Any]]]:
    """Per link run, the hubs of its saved model that are the purged selector."""
    if plan.target is None:
        return {}
    digests = {selector_digest(kind, plan.target.value) for kind in _stored_kinds(plan.target)}
    edits: dict[int, list[dict[str, Any]]] = {}
    query = select(run_artifacts.c.run_id, run_artifacts.c.data).where(
        run_artifacts.c.name == "model.json"
    )
    for run_id, data in conn.execute(query):
        hubs = json.loads(bytes(data)).get("hubs", [])
        gone = [h for h in hubs if h.get("digest") in digests]
        if gone:
            edits[int(run_id)] = gone
    return edits


def _drop_hubs(conn: Connection, plan: Plan) -> int:
    """Rewrite saved models without the purged selector's hub digest (the digest's key is a
    constant in the code, so it could be matched against every phone number)."""
    edits = _hub_edits(conn, plan)
    for run_id, gone in edits.items():
        where = (run_artifacts.c.run_id == run_id) & (run_artifacts.c.name == "model.json")
        model = json.loads(
            bytes(conn.execute(select(run_artifacts.c.data).where(where)).scalar_one())
        )
        model["hubs"] = [h for h in model["hubs"] if h not in gone]
        data = (json.dumps(model, indent=2, sort_keys=True) + "\n").encode()
        conn.execute(update(run_artifacts).where(where).values(data=data))
    return sum(len(g) for g in edits.values())


def _exports_touched(conn: Connection, plan: Plan) -> int:
    """Export records of the clusters touched and of the cases holding a purged ad (kept)."""
    n = 0
    for chunk in _chunks(sorted(plan.clusters)):
        query = select(func.count()).where(
            exports.c.subject == "cluster", exports.c.subject_id.in_(chunk)
        )
        n += int(conn.execute(query).scalar_one())
    cases: set[str] = set()
    for chunk in _chunks(plan.ad_ids):
        query = (
            select(case_items.c.case_id)
            .join(ad_set_members, ad_set_members.c.set_id == case_items.c.set_id)
            .where(ad_set_members.c.ad_id.in_(chunk))
        )
        cases.update(str(c) for c in conn.execute(query).scalars())
    for chunk in _chunks(sorted(cases)):
        query = select(func.count()).where(
            exports.c.subject == "case", exports.c.subject_id.in_(chunk)
        )
        n += int(conn.execute(query).scalar_one())
    return n


def _sets_of(conn: Connection, ad_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ad_ids):
        query = select(ad_set_members.c.set_id).where(ad_set_members.c.ad_id.in_(chunk))
        found.update(int(s) for s in conn.execute(query).scalars())
    return found


def _recount_sets(conn: Connection, set_ids: Iterable[int]) -> None:
    """Case-work sets keep their labels and notes; their size is what is left of them."""
    for set_id in sorted(set_ids):
        left = select(func.count()).where(ad_set_members.c.set_id == set_id).scalar_subquery()
        conn.execute(update(ad_sets).where(ad_sets.c.set_id == set_id).values(n_ads=left))


# --- The record and the setting -------------------------------------------------------------


def record_purge(
    conn: Connection,
    plan: Plan,
    counts: dict[str, int],
    by: str,
    at: datetime | None = None,
) -> int:
    """Record a purge (its criteria hold a selector's keyed hash, never the value)."""
    row = {
        "kind": plan.kind,
        "criteria": plan.criteria,
        "counts": counts,
        "by": by,
        "at": at or datetime.now(UTC),
    }
    return int(conn.execute(insert(purges).returning(purges.c.purge_id), row).scalar_one())


@dataclass(frozen=True, slots=True)
class PurgeRecord:
    """One recorded purge."""

    purge_id: int
    kind: str
    criteria: dict[str, Any]
    counts: dict[str, int]
    by: str
    at: datetime


def list_purges(conn: Connection, *, limit: int = 50, offset: int = 0) -> list[PurgeRecord]:
    """Recorded purges, newest first."""
    query = select(purges).order_by(purges.c.purge_id.desc()).limit(limit).offset(offset)
    return [
        PurgeRecord(r.purge_id, r.kind, dict(r.criteria), dict(r.counts), r.by, _aware(r.at))
        for r in conn.execute(query)
    ]


def count_purges(conn: Connection) -> int:
    """How many purges were recorded."""
    return int(conn.execute(select(func.count()).select_from(purges)).scalar_one())


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def retention_setting(conn: Connection) -> int | None:
    """The retention age (days) an admin saved in the web app, or None."""
    value = conn.execute(
        select(app_settings.c.value).where(app_settings.c.key == RETENTION_KEY)
    ).scalar()
    return None if value is None else _days(value)


def _days(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def save_retention_setting(conn: Connection, days: int | None, *, by: str) -> None:
    """Save the retention age (None: keep forever)."""
    now = datetime.now(UTC)
    conn.execute(delete(app_settings).where(app_settings.c.key == RETENTION_KEY))
    conn.execute(
        insert(app_settings),
        {"key": RETENTION_KEY, "value": days, "updated_by": by, "updated_at": now},
    )


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    """The moment `days` days before `now`."""
    return (now or datetime.now(UTC)) - timedelta(days=days)


# --- Giving the bytes back ------------------------------------------------------------------

CHECKPOINT_WAIT_MS: Final = 5_000
"""How long a SQLite WAL checkpoint waits for readers before the purge reports the store busy."""

LOCK_WAIT_MS: Final = 30_000
"""How long PostgreSQL's VACUUM FULL waits for a table's lock before the purge reports it busy."""

TOUCHED_TABLES: Final = (
    "ads",
    "ad_versions",
    "sightings",
    "extractions",
    "selectors",
    "search_terms",
    "search_docs",
    "ad_signatures",
    "ad_selector_keys",
    "ad_links",
    "ad_scores",
    "cluster_members",
    "cluster_changes",
    "cluster_scores",
    "escalations",
    "escalation_events",
    "ad_set_members",
    "ad_sets",
    "rejects",
    "run_artifacts",
)
"""Tables a purge may change (VACUUM FULL on PostgreSQL)."""


def reclaim_space(engine: Engine) -> bool:
    """Rewrite the store so removed rows leave no bytes behind; call outside any transaction.

    SQLite: checkpoint the WAL into the file, VACUUM (which rebuilds the file without free
    pages), checkpoint again and truncate the WAL. PostgreSQL: VACUUM FULL of the tables a
    purge changes (each table is locked while it is rewritten). Neither can reach copies made
    before: backups, PostgreSQL's WAL archive, the file system's free blocks.

    Returns False when SQLite could not truncate its WAL because another connection was reading:
    the WAL may still hold pages of removed rows until a later call succeeds.
    """
    if engine.dialect.name == "sqlite":
        return _vacuum_sqlite(engine)
    _vacuum_postgresql(engine)
    return True


def _vacuum_sqlite(engine: Engine) -> bool:
    # The driver connection runs in autocommit (engine.py): VACUUM cannot run in a transaction.
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        configured = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        # A TRUNCATE checkpoint waits for every reader to finish, up to the busy timeout: a
        # reader that stays (an open transaction) must not hold the purge for minutes.
        raw.execute(f"PRAGMA busy_timeout={int(CHECKPOINT_WAIT_MS)}")
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("VACUUM")
            busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.execute(f"PRAGMA busy_timeout={int(configured)}")
    if busy is not None and busy[0]:
        log.warning("the store's WAL could not be truncated: another connection was reading")
        return False
    return True


def _vacuum_postgresql(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        quote = conn.dialect.identifier_preparer.quote
        # A table another session keeps locked (a long transaction) fails the purge's VACUUM
        # after this wait instead of holding it, and every reader queued behind it, for good.
        conn.exec_driver_sql(f"SET lock_timeout = {int(LOCK_WAIT_MS)}")
        try:
            for name in TOUCHED_TABLES:
                conn.exec_driver_sql(f"VACUUM FULL {quote(name)}")
        finally:
            conn.exec_driver_sql("RESET lock_timeout")
