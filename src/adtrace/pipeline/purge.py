"""Purges on the store: by age, or everything about one selector; then VACUUM.

A purge is planned (what goes: ads, rejected rows, clusters touched), counted (a dry run stops
there), applied in one transaction with its record in `purges`, and followed by
`adtrace.store.retention.reclaim_space` so the removed bytes leave the database files. A
selector is named in the record by its keyed hash (`adtrace.store.audit.keyed_hash` of
"kind:value", the form the audit log uses for searches), never by its value; nothing here logs it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import phonenumbers
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from adtrace.extract import extract_all
from adtrace.extract.phone import extract_phones, to_e164
from adtrace.pipeline.extract import EXTRACTOR_VERSION, extract_store
from adtrace.store.audit import keyed_hash, store_key
from adtrace.store.retention import (
    MIN_PHONE_DIGITS,
    Plan,
    Target,
    ads_last_seen_before,
    ads_mentioning,
    ads_with_selector,
    apply_plan,
    clusters_of,
    count_plan,
    cutoff_for,
    reclaim_space,
    rejects_before,
    rejects_mentioning,
)
from adtrace.store.schema import purges
from adtrace.store.selectors import pending_versions

log = logging.getLogger(__name__)

KINDS: Final = ("phone", "email", "handle")
SELECTOR_FORM: Final = "write the selector as phone:NUMBER, email:ADDRESS or handle:PLATFORM:NAME"


class PurgeProblem(ValueError):
    """A purge asked in a way that cannot be done (one sentence, no selector value in it)."""


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge removed (or, for a dry run, would remove).

    Attributes:
        kind: age or selector.
        criteria: as recorded (a selector's keyed hash, never its value).
        counts: rows per table.
        purge_id: the record (None for a dry run).
        vacuumed: the store was rewritten after the purge (False: the rows are gone but their
            bytes may remain until a VACUUM succeeds; running the purge again does it).
    """

    kind: str
    criteria: dict[str, object]
    counts: dict[str, int]
    purge_id: int | None
    vacuumed: bool = False

    @property
    def dry_run(self) -> bool:
        """Nothing was changed."""
        return self.purge_id is None


def parse_selector(spec: str, region: str = "CA") -> Target:
    """A selector as the user wrote it ("phone:613-555-0142", "email:Ana@X.ca",
    "handle:snapchat:@lola"), normalised as extraction stores it.

    Raises:
        PurgeProblem: an unknown kind or a value that cannot be read.
    """
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in KINDS or not rest.strip():
        raise PurgeProblem(SELECTOR_FORM)
    if kind == "phone":
        return _phone(rest, region)
    if kind == "email":
        value = rest.strip().lower()
        if "@" not in value:
            raise PurgeProblem("the e-mail address of the selector has no @")
        return Target("email", value)
    platform, _, name = rest.strip().rpartition(":")
    value = name.strip().lstrip("@").lower()
    if not value:
        raise PurgeProblem(SELECTOR_FORM)
    return Target("handle", value, platform.strip().lower() or None)


def _phone(written: str, region: str) -> Target:
    digits = re.sub(r"[^\d+]", "", written)
    e164 = to_e164(digits, region) if digits else None
    if e164 is None:
        found = [str(p.value) for p in extract_all(written, region=region).phones]
        e164 = found[0] if len(found) == 1 else None
    if e164 is None:
        raise PurgeProblem("no single phone number could be read in the selector")
    national = str(phonenumbers.parse(e164).national_number)
    return Target("phone", e164, None, national if len(national) >= MIN_PHONE_DIGITS else None)


def selector_plan(conn: Connection, target: Target, digest: str, region: str = "CA") -> Plan:
    """Everything about one selector: the ads that have it or write it, the rejected rows that
    contain it, and the clusters those ads are or were in."""
    ad_ids = sorted(ads_with_selector(conn, target) | ads_mentioning(conn, target))
    reject_ids = rejects_mentioning(conn, target, _reader(target, region))
    criteria: dict[str, object] = {"selector_kind": target.kind, "digest": digest}
    plan = Plan("selector", criteria, ad_ids, reject_ids, target)
    plan.clusters = clusters_of(conn, ad_ids)
    return plan


def _reader(target: Target, region: str) -> Callable[[str], set[str]] | None:
    if target.kind != "phone":
        return None

    def phones(raw: str) -> set[str]:
        return {str(p.value) for p in extract_phones(raw, region=region)}

    return phones


def age_plan(conn: Connection, days: int, now: datetime | None = None) -> Plan:
    """Ads last seen more than `days` days ago, and rejected rows of batches started before."""
    cutoff = cutoff_for(days, now)
    ad_ids = ads_last_seen_before(conn, cutoff)
    criteria: dict[str, object] = {"older_than_days": days, "cutoff": cutoff.isoformat()}
    plan = Plan("age", criteria, ad_ids, rejects_before(conn, cutoff))
    plan.clusters = clusters_of(conn, ad_ids)
    return plan


def purge_store(
    engine: Engine,
    *,
    by: str,
    selector: str | None = None,
    older_than_days: int | None = None,
    dry_run: bool = False,
    region: str = "CA",
    key: bytes | None = None,
    now: datetime | None = None,
) -> PurgeResult:
    """Purge by selector or by age (exactly one), then VACUUM; a dry run only counts.

    Args:
        engine: the store.
        by: who purges (a user name, or "cli").
        selector: "phone:...", "email:..." or "handle:PLATFORM:NAME".
        older_than_days: the age in days (>= 1).
        dry_run: count what would go, change nothing.
        region: default phone region for a number written without +.
        key: the store's audit key (`adtrace.store.audit.store_key`), which the selector's
            hash is made with; None: the key of the store without a `secret_key` setting.
        now: the moment the age counts from (tests).

    Raises:
        PurgeProblem: not exactly one criterion, a bad selector or age.
    """
    if (selector is None) == (older_than_days is None):
        raise PurgeProblem("give either a selector or an age to purge, not both or neither")
    if older_than_days is not None and older_than_days < 1:
        raise PurgeProblem("the age to purge must be at least 1 day")
    target = parse_selector(selector, region) if selector is not None else None
    if target is not None:
        _extract_pending(engine, region)
    with engine.begin() as conn:
        if target is not None:
            digest = keyed_hash(f"{target.kind}:{target.value}", key=key or store_key(engine))
            plan = selector_plan(conn, target, digest, region)
        else:
            plan = age_plan(conn, older_than_days or 0, now)
        if dry_run:
            return PurgeResult(plan.kind, plan.criteria, count_plan(conn, plan), None)
        purge_id = apply_plan(conn, plan, by=by)
        counts = count_recorded(conn, purge_id)
    vacuumed = _vacuum(engine)
    log.info("purge %s (%s) by %s: %s", purge_id, plan.kind, by, counts)
    return PurgeResult(plan.kind, plan.criteria, counts, purge_id, vacuumed)


def _vacuum(engine: Engine) -> bool:
    """VACUUM after a committed purge; False (logged) when the store was busy (locked past the
    busy timeout, or SQLite's WAL in use by a reader): the purge stands, some bytes may wait for
    the next successful VACUUM (running the purge again does one)."""
    try:
        done = reclaim_space(engine)
    except (sqlite3.Error, SQLAlchemyError) as err:
        log.error("the purge is done but VACUUM failed (%s)", type(err).__name__)
        return False
    if not done:
        log.error("the purge is done but the store could not be rewritten whole: it was busy")
    return done


def count_recorded(conn: Connection, purge_id: int) -> dict[str, int]:
    """The counts a purge recorded."""
    row = conn.execute(select(purges.c.counts).where(purges.c.purge_id == purge_id)).one()
    return {str(k): int(v) for k, v in dict(row.counts).items()}


def _extract_pending(engine: Engine, region: str) -> None:
    """Extract versions not extracted yet, so the selector finds every ad that has it."""
    with engine.connect() as conn:
        pending = pending_versions(conn, EXTRACTOR_VERSION, 0, 1, redo=False)
    if pending:
        extract_store(engine, region=region, workers=1)
