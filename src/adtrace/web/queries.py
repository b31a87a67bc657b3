"""Read queries of the web pages: ads, versions, sightings, imports and counts (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from adtrace.store.schema import (
    ad_links,
    ad_versions,
    ads,
    batches,
    cluster_members,
    selectors,
    sightings,
)


def counts(conn: Connection) -> dict[str, int]:
    """How many ads, versions, sightings, selectors, imports, current clusters and links."""

    def count(table: Any, *where: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    clusters = select(func.count(func.distinct(cluster_members.c.cluster_id)))
    return {
        "ads": count(ads),
        "versions": count(ad_versions),
        "sightings": count(sightings),
        "selectors": count(selectors),
        "imports": count(batches, batches.c.undone_at.is_(None)),
        "clusters": int(conn.execute(clusters).scalar_one()),
        "links": count(ad_links),
    }


def latest_import(conn: Connection) -> dict[str, Any] | None:
    """The newest batch that is not undone, or None."""
    query = (
        select(
            batches.c.batch_id,
            batches.c.dataset,
            batches.c.source,
            batches.c.started_at,
            batches.c.finished_at,
            batches.c.status,
            batches.c.rows_read,
            batches.c.rows_new,
            batches.c.rows_updated,
            batches.c.rows_unchanged,
            batches.c.rows_rejected,
        )
        .where(batches.c.undone_at.is_(None))
        .order_by(batches.c.batch_id.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else dict(row)


def ad_current(conn: Connection, ad_id: int) -> dict[str, Any] | None:
    """An ad and the fields of its current version, or None."""
    query = (
        select(
            ads.c.ad_id,
            ads.c.site,
            ads.c.site_ad_id,
            ads.c.first_seen,
            ads.c.last_seen,
            ads.c.sightings,
            ad_versions.c.version_id,
            ad_versions.c.url,
            ad_versions.c.title,
            ad_versions.c.text,
            ad_versions.c.posted_at,
            ad_versions.c.city,
            ad_versions.c.region,
            ad_versions.c.country,
        )
        .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
        .where(ads.c.ad_id == ad_id)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else dict(row)


def ads_brief(conn: Connection, ad_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Site, title, city and date of each ad's current version, by ad id (lists and results)."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ad_ids), 5_000):
        query = (
            select(
                ads.c.ad_id,
                ads.c.site,
                ads.c.site_ad_id,
                ads.c.first_seen,
                ad_versions.c.title,
                ad_versions.c.city,
                ad_versions.c.posted_at,
                func.substr(ad_versions.c.text, 1, 240).label("snippet"),
            )
            .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
            .where(ads.c.ad_id.in_(list(ad_ids[start : start + 5_000])))
        )
        out.update({int(r["ad_id"]): dict(r) for r in conn.execute(query).mappings()})
    return out


def ad_texts(conn: Connection, ad_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """The current versions' fields as the linker reads them: {ad id: {"title", "text"}}."""
    query = (
        select(ads.c.ad_id, ad_versions.c.title, ad_versions.c.text)
        .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
        .where(ads.c.ad_id.in_(list(ad_ids)))
    )
    return {
        int(r.ad_id): {"title": r.title or "", "text": r.text or ""} for r in conn.execute(query)
    }


def versions_of(conn: Connection, ad_id: int) -> list[dict[str, Any]]:
    """Every version of an ad, oldest first, with the import that first brought it."""
    query = (
        select(
            ad_versions.c.version_id,
            ad_versions.c.content_sha256,
            ad_versions.c.title,
            ad_versions.c.posted_at,
            ad_versions.c.batch_id,
            batches.c.dataset,
            batches.c.started_at.label("imported_at"),
        )
        .join(batches, batches.c.batch_id == ad_versions.c.batch_id)
        .where(ad_versions.c.ad_id == ad_id)
        .order_by(ad_versions.c.version_id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def sightings_of(conn: Connection, ad_id: int, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """An ad's sightings, newest first: when, in which import and line, which version."""
    query = (
        select(
            sightings.c.seen_at,
            sightings.c.version_id,
            sightings.c.batch_id,
            sightings.c.line,
            batches.c.dataset,
        )
        .join(batches, batches.c.batch_id == sightings.c.batch_id)
        .where(sightings.c.ad_id == ad_id)
        .order_by(sightings.c.seen_at.desc(), sightings.c.sighting_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def selectors_of(conn: Connection, version_id: int) -> list[dict[str, Any]]:
    """The selectors extracted from one version, in field and text order."""
    query = (
        select(
            selectors.c.kind,
            selectors.c.value,
            selectors.c.field,
            selectors.c.start,
            selectors.c.end,
            selectors.c.confidence,
            selectors.c.platform,
            selectors.c.obfuscated,
        )
        .where(selectors.c.version_id == version_id)
        .order_by(selectors.c.field, selectors.c.start)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def selector_values(
    conn: Connection, ad_ids: Sequence[int], kinds: Sequence[str]
) -> list[tuple[int, str, str]]:
    """(ad id, kind, value) of the current versions' selectors of `kinds` (graphs, personas).

    Two steps on purpose: versions by ad key, then selectors by version id, so both stores use
    their version index.
    """
    versions: dict[int, int] = {}
    for start in range(0, len(ad_ids), 5_000):
        chunk = list(ad_ids[start : start + 5_000])
        query = select(ads.c.current_version_id, ads.c.ad_id).where(ads.c.ad_id.in_(chunk))
        versions.update({int(v): int(a) for v, a in conn.execute(query) if v is not None})
    out: set[tuple[int, str, str]] = set()
    ids, wanted = list(versions), set(kinds)
    for start in range(0, len(ids), 5_000):
        # Kinds are filtered here, not in SQL: a kind condition makes SQLite pick the
        # (kind, value) index and read every selector of that kind.
        query = select(selectors.c.version_id, selectors.c.kind, selectors.c.value).where(
            selectors.c.version_id.in_(ids[start : start + 5_000])
        )
        out.update(
            (versions[int(r.version_id)], r.kind, r.value)
            for r in conn.execute(query)
            if r.kind in wanted
        )
    return sorted(out)


def ads_with_selector(conn: Connection, kind: str, values: Sequence[str]) -> Any:
    """A subquery of the ad ids any of whose versions has a selector `kind` with one of `values`."""
    return (
        select(ad_versions.c.ad_id)
        .join(selectors, selectors.c.version_id == ad_versions.c.version_id)
        .where(selectors.c.kind == kind, selectors.c.value.in_(list(values)))
    )
