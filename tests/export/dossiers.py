"""Small synthetic dossiers for the export tests (made-up values only, no store)."""

from __future__ import annotations

from datetime import UTC, datetime

from adtrace.export.dossier import (
    AdEntry,
    CaseworkEntry,
    Dossier,
    LinkEntry,
    LinkRun,
    NoteEntry,
    ScoreEntry,
    SelectorHit,
    Subject,
    build_templates,
)

WHEN = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def hits(title: str, text: str, *found: tuple[str, str, str, str]) -> tuple[SelectorHit, ...]:
    """Selector hits at the first place each written form occurs in title or text:
    (kind, value, field, written)."""
    out = []
    for kind, value, field, written in found:
        source = title if field == "title" else text
        start = source.index(written)
        out.append(SelectorHit(kind, value, (field, start, start + len(written))))
    return tuple(out)


def ad(
    ad_id: int,
    title: str,
    text: str,
    *found: tuple[str, str, str, str],
    url: str | None = None,
    cluster_id: str = "r1-1",
) -> AdEntry:
    """An ad of cluster `cluster_id` with the given selector hits."""
    return AdEntry(
        ad_id=ad_id,
        site="site-a.example",
        site_ad_id=f"s{ad_id}",
        url=url,
        posted_at=WHEN,
        first_seen=WHEN,
        city="Ottawa",
        title=title,
        text=text,
        cluster_id=cluster_id,
        score=1.5,
        selectors=hits(title, text, *found),
    )


def dossier(
    ads: tuple[AdEntry, ...],
    *,
    links: tuple[LinkEntry, ...] = (),
    notes: tuple[str, ...] = (),
    profile: dict[str, object] | None = None,
) -> Dossier:
    """A cluster dossier of these ads."""
    return Dossier(
        subject=Subject("cluster", "r1-1", "r1-1"),
        link_run=LinkRun(4, WHEN, "full"),
        exported_at=WHEN,
        exported_by="analyst",
        ads=ads,
        links=links,
        templates=build_templates(ads),
        scores=(
            ScoreEntry(
                "r1-1",
                len(ads),
                3.0,
                False,
                ({"indicator": "C01", "name_en": "Personas per phone", "evidence_en": "2"},),
                profile or {},
            ),
        ),
        casework=CaseworkEntry(
            notes=tuple(NoteEntry("note", n, "analyst", WHEN) for n in notes),
            tags=("watch",),
        ),
    )
