"""Selectors found in ad versions: which versions still need extracting, and writing the results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, exists, insert, select

from adtrace.store.schema import ad_versions, extractions, selectors


@dataclass(frozen=True, slots=True)
class PendingVersion:
    """An ad version to extract: its id and the fields extraction reads."""

    version_id: int
    title: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class SelectorRow:
    """One selector to store (the extract package's Span, flattened for the table)."""

    kind: str
    value: str
    number: float | None
    field: str
    start: int
    end: int
    confidence: float
    platform: str | None = None
    currency: str | None = None
    minutes: int | None = None
    region: str | None = None
    obfuscated: bool = False


def pending_versions(
    conn: Connection, extractor_version: str, after: int, limit: int, *, redo: bool = False
) -> list[PendingVersion]:
    """Versions with id > `after` not yet extracted by `extractor_version` (all with `redo`)."""
    query = (
        select(ad_versions.c.version_id, ad_versions.c.title, ad_versions.c.text)
        .where(ad_versions.c.version_id > after)
        .order_by(ad_versions.c.version_id)
        .limit(limit)
    )
    if not redo:
        done = exists().where(
            extractions.c.version_id == ad_versions.c.version_id,
            extractions.c.extractor_version == extractor_version,
        )
        query = query.where(~done)
    return [PendingVersion(r.version_id, r.title, r.text) for r in conn.execute(query)]


def write_extractions(
    conn: Connection,
    run_id: int,
    extractor_version: str,
    results: Sequence[tuple[int, str, Sequence[SelectorRow]]],
) -> int:
    """Replace the selectors of each (version id, language, selectors); returns how many."""
    ids = [version_id for version_id, _, _ in results]
    if not ids:
        return 0
    conn.execute(delete(selectors).where(selectors.c.version_id.in_(ids)))
    conn.execute(delete(extractions).where(extractions.c.version_id.in_(ids)))
    conn.execute(
        insert(extractions),
        [
            {
                "version_id": v,
                "run_id": run_id,
                "extractor_version": extractor_version,
                "language": language,
            }
            for v, language, _ in results
        ],
    )
    rows: list[dict[str, Any]] = [
        {"version_id": version_id, **_row(s)} for version_id, _, found in results for s in found
    ]
    if rows:
        conn.execute(insert(selectors), rows)
    return len(rows)


def _row(s: SelectorRow) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "value": s.value,
        "number": s.number,
        "field": s.field,
        "start": s.start,
        "end": s.end,
        "confidence": s.confidence,
        "platform": s.platform,
        "currency": s.currency,
        "minutes": s.minutes,
        "region": s.region,
        "obfuscated": s.obfuscated,
    }


def stored_selectors(
    conn: Connection, version_ids: Sequence[int], extractor_version: str, *, chunk: int = 900
) -> dict[int, tuple[str | None, list[SelectorRow]]]:
    """Language and selectors (in the order they were written) of the versions that
    `extractor_version` extracted; versions it has not extracted are left out."""
    out: dict[int, tuple[str | None, list[SelectorRow]]] = {}
    for start in range(0, len(version_ids), chunk):
        ids = list(version_ids[start : start + chunk])
        done = select(extractions.c.version_id, extractions.c.language).where(
            extractions.c.version_id.in_(ids),
            extractions.c.extractor_version == extractor_version,
        )
        found: dict[int, tuple[str | None, list[SelectorRow]]] = {
            int(r.version_id): (r.language, []) for r in conn.execute(done)
        }
        rows = (
            select(selectors)
            .where(selectors.c.version_id.in_(list(found)))
            .order_by(selectors.c.version_id, selectors.c.selector_id)
        )
        for r in conn.execute(rows).mappings():
            found[int(r["version_id"])][1].append(
                SelectorRow(**{k: r[k] for k in SelectorRow.__slots__})
            )
        out.update(found)
    return out
