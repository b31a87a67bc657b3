"""Write validated ads: new ads, new versions of known ads, and a sighting for every row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from adtrace.model import AdRecord, BatchId, ImportCounts
from adtrace.store.schema import ad_versions, ads, sightings

AdKey = tuple[str, str]


@dataclass(slots=True)
class _AdState:
    """An ad as this chunk sees it; mutated while the chunk's rows are walked in file order."""

    ad_id: int
    current_version_id: int | None
    first_seen: datetime | None
    last_seen: datetime | None
    sightings: int
    is_new: bool


def write_ads(
    conn: Connection, batch_id: BatchId, records: Sequence[AdRecord], imported_at: datetime
) -> ImportCounts:
    """Store one chunk of records inside the caller's transaction and count how each was taken.

    A record is `new` when its ad was unknown, `updated` when it brings content the ad never had
    (a new version), `unchanged` otherwise. Every record adds a sighting; an ad's current version is
    the one seen last (by scrape time when the file gives it, else import time).
    """
    states = _load_ads(conn, {(r.site, r.site_ad_id) for r in records})
    _insert_new_ads(conn, records, states, imported_at)
    versions = _load_versions(conn, records, states)
    known = set(versions)
    _insert_new_versions(conn, batch_id, records, states, versions)
    counts, sighting_rows = _walk(batch_id, records, states, versions, known, imported_at)
    if sighting_rows:
        conn.execute(insert(sightings), sighting_rows)
    _update_ads(conn, states.values())
    return counts


def _load_ads(conn: Connection, keys: set[AdKey]) -> dict[AdKey, _AdState]:
    by_site: dict[str, list[str]] = {}
    for site, site_ad_id in keys:
        by_site.setdefault(site, []).append(site_ad_id)
    states: dict[AdKey, _AdState] = {}
    for site, ids in by_site.items():
        query = select(
            ads.c.ad_id,
            ads.c.site_ad_id,
            ads.c.current_version_id,
            ads.c.first_seen,
            ads.c.last_seen,
            ads.c.sightings,
        ).where(ads.c.site == site, ads.c.site_ad_id.in_(ids))
        for row in conn.execute(query):
            states[(site, row.site_ad_id)] = _AdState(
                row.ad_id,
                row.current_version_id,
                row.first_seen,
                row.last_seen,
                row.sightings,
                is_new=False,
            )
    return states


def _insert_new_ads(
    conn: Connection,
    records: Sequence[AdRecord],
    states: dict[AdKey, _AdState],
    imported_at: datetime,
) -> None:
    fresh: dict[AdKey, dict[str, object]] = {}
    for record in records:
        key = (record.site, record.site_ad_id)
        if key not in states and key not in fresh:
            fresh[key] = {
                "site": key[0],
                "site_ad_id": key[1],
                "first_seen": imported_at,
                "last_seen": imported_at,
                "sightings": 0,
            }
    if not fresh:
        return
    # Plain executemany, then read the ids back: INSERT ... RETURNING for many rows makes
    # psycopg parse one huge statement per chunk, several times slower than this.
    conn.execute(insert(ads), list(fresh.values()))
    for key, state in _load_ads(conn, set(fresh)).items():
        states[key] = _AdState(state.ad_id, None, None, None, 0, is_new=True)


def _load_versions(
    conn: Connection, records: Sequence[AdRecord], states: dict[AdKey, _AdState]
) -> dict[tuple[int, str], int]:
    known = [s.ad_id for s in states.values() if not s.is_new]
    return _version_ids(conn, known, {r.content_sha256 for r in records})


def _version_ids(
    conn: Connection, ad_ids: Sequence[int], hashes: set[str]
) -> dict[tuple[int, str], int]:
    if not ad_ids:
        return {}
    # Filter hashes here, not in SQL: two IN lists on one index make SQLite probe their product.
    query = select(
        ad_versions.c.version_id, ad_versions.c.ad_id, ad_versions.c.content_sha256
    ).where(ad_versions.c.ad_id.in_(ad_ids))
    return {
        (row.ad_id, row.content_sha256): row.version_id
        for row in conn.execute(query)
        if row.content_sha256 in hashes
    }


def _insert_new_versions(
    conn: Connection,
    batch_id: BatchId,
    records: Sequence[AdRecord],
    states: dict[AdKey, _AdState],
    versions: dict[tuple[int, str], int],
) -> None:
    fresh: dict[tuple[int, str], dict[str, object]] = {}
    for record in records:
        ad_id = states[(record.site, record.site_ad_id)].ad_id
        key = (ad_id, record.content_sha256)
        if key not in versions and key not in fresh:
            fresh[key] = _version_row(ad_id, batch_id, record)
    if not fresh:
        return
    conn.execute(insert(ad_versions), list(fresh.values()))
    ad_ids = list({ad_id for ad_id, _ in fresh})
    inserted = _version_ids(conn, ad_ids, {sha for _, sha in fresh})
    versions.update({key: inserted[key] for key in fresh})


def _version_row(ad_id: int, batch_id: BatchId, record: AdRecord) -> dict[str, object]:
    return {
        "ad_id": ad_id,
        "content_sha256": record.content_sha256,
        "batch_id": batch_id,
        "line": record.line,
        "url": record.url,
        "title": record.title,
        "text": record.text,
        "posted_at": record.posted_at,
        "posted_at_raw": record.posted_at_raw,
        "posted_at_tz": record.posted_at_tz,
        "city": record.city,
        "region": record.region,
        "country": record.country,
        "age": record.age,
        "age_raw": record.age_raw,
        "price_raw": record.price_raw,
        "phone_raw": record.phone_raw,
        "email_raw": record.email_raw,
        "extra": record.extra,
    }


def _walk(
    batch_id: BatchId,
    records: Sequence[AdRecord],
    states: dict[AdKey, _AdState],
    versions: dict[tuple[int, str], int],
    known_versions: set[tuple[int, str]],
    imported_at: datetime,
) -> tuple[ImportCounts, list[dict[str, object]]]:
    new = updated = unchanged = 0
    seen_versions: set[tuple[int, str]] = set()
    rows: list[dict[str, object]] = []
    for record in records:
        state = states[(record.site, record.site_ad_id)]
        version_key = (state.ad_id, record.content_sha256)
        version_id = versions[version_key]
        if state.is_new and state.sightings == 0:
            new += 1
        elif version_key in known_versions or version_key in seen_versions:
            unchanged += 1
        else:
            updated += 1
        seen_versions.add(version_key)
        seen = record.seen_at or imported_at
        _see(state, version_id, seen)
        rows.append(
            {
                "ad_id": state.ad_id,
                "version_id": version_id,
                "batch_id": batch_id,
                "line": record.line,
                "seen_at": seen,
            }
        )
    return ImportCounts(new=new, updated=updated, unchanged=unchanged), rows


def _see(state: _AdState, version_id: int, seen: datetime) -> None:
    if state.last_seen is None or seen >= _aware(state.last_seen):
        state.current_version_id = version_id
        state.last_seen = seen
    if state.first_seen is None or seen < _aware(state.first_seen):
        state.first_seen = seen
    state.sightings += 1


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything the store holds is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _update_ads(conn: Connection, states: Iterable[_AdState]) -> None:
    statement = (
        update(ads)
        .where(ads.c.ad_id == bindparam("b_ad_id"))
        .values(
            current_version_id=bindparam("b_version"),
            first_seen=bindparam("b_first"),
            last_seen=bindparam("b_last"),
            sightings=bindparam("b_sightings"),
        )
    )
    rows = [
        {
            "b_ad_id": s.ad_id,
            "b_version": s.current_version_id,
            "b_first": s.first_seen,
            "b_last": s.last_seen,
            "b_sightings": s.sightings,
        }
        for s in states
    ]
    if rows:
        conn.execute(statement, rows)
