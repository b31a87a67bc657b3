"""What an export carries, gathered from the store for a cluster or a case into plain frozen
dataclasses: the subject, the link run, the ads with their selectors, the links with their
evidence, the templates, the cluster scores and the case work.

A dossier is built once per export; the CSV, JSON and PDF writers and the redaction read only
the dossier, never the store, so all three formats show the same facts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, select

from adtrace.store import casework as casework_store
from adtrace.store import clusters as cluster_store
from adtrace.store import scores as score_store
from adtrace.store.schema import ad_links, ad_versions, ads, runs, selectors
from adtrace.store.schema import cluster_members as memberships
from adtrace.text.template import extract_template

PERSONAL_KINDS: Final = ("phone", "email", "handle", "name")
"""Selector kinds a dossier lists for each ad (and redaction hides)."""
TEMPLATE_TEXTS: Final = 50
"""Texts a template is built from (as on the cluster page: alignment is quadratic)."""
CHUNK: Final = 5_000


@dataclass(frozen=True, slots=True)
class Subject:
    """What is exported: a cluster of the latest link run or a case."""

    kind: str  # cluster | case
    id: str
    title: str
    status: str | None = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class LinkRun:
    """The link run the clusters come from."""

    run_id: int
    finished_at: datetime | None
    mode: str


@dataclass(frozen=True, slots=True)
class SelectorHit:
    """A phone, e-mail, handle or name of an ad: its value and where it is written
    (`span` is (field, start, end) in the original title or text; None once redacted)."""

    kind: str
    value: str
    span: tuple[str, int, int] | None = None


@dataclass(frozen=True, slots=True)
class AdEntry:
    """An ad's current version and what was extracted from it."""

    ad_id: int
    site: str
    site_ad_id: str
    url: str | None
    posted_at: datetime | None
    first_seen: datetime
    city: str | None
    title: str
    text: str
    cluster_id: str | None
    score: float | None
    selectors: tuple[SelectorHit, ...] = ()

    def values(self, kind: str) -> list[str]:
        """The distinct values of one selector kind, in the order they are written."""
        return list(dict.fromkeys(s.value for s in self.selectors if s.kind == kind))

    @property
    def when(self) -> datetime:
        """Posting time, else first seen."""
        return self.posted_at or self.first_seen


@dataclass(frozen=True, slots=True)
class LinkEntry:
    """Why two ads are linked: kinds of evidence, score, shared values, text similarity."""

    a: int
    b: int
    score: float
    kinds: tuple[str, ...]
    shared: dict[str, tuple[str, ...]]
    similarity: dict[str, float]
    cluster_id: str | None = None


@dataclass(frozen=True, slots=True)
class SlotEntry:
    """A template slot: fillers seen most, and how many distinct ones."""

    index: int
    values: tuple[str, ...]
    distinct: int


@dataclass(frozen=True, slots=True)
class TemplateEntry:
    """A cluster's template: fixed wording with {n} where slot n goes."""

    cluster_id: str | None
    text: str
    slots: tuple[SlotEntry, ...]
    n_texts: int
    support: float


@dataclass(frozen=True, slots=True)
class ScoreEntry:
    """A cluster's review priority with its reasons (adtrace.store.scores' JSON objects) and
    profile."""

    cluster_id: str
    n_ads: int
    score: float
    escalate: bool
    reasons: tuple[dict[str, Any], ...]
    profile: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NoteEntry:
    """A label, note or tag, with who wrote it and when."""

    kind: str
    value: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CaseworkEntry:
    """What case work says about the exported ads: the label (and whether it needs review:
    ads added and removed since it was given), notes, tags and the cases holding them."""

    label: NoteEntry | None = None
    review_added: tuple[int, ...] = ()
    review_removed: tuple[int, ...] = ()
    notes: tuple[NoteEntry, ...] = ()
    tags: tuple[str, ...] = ()
    cases: tuple[tuple[int, str], ...] = ()

    @property
    def needs_review(self) -> bool:
        """The labelled ads differ from the current ones."""
        return bool(self.review_added or self.review_removed)


@dataclass(frozen=True, slots=True)
class Dossier:
    """Everything an export of a cluster or a case shows."""

    subject: Subject
    link_run: LinkRun | None
    exported_at: datetime
    exported_by: str
    ads: tuple[AdEntry, ...]
    links: tuple[LinkEntry, ...]
    templates: tuple[TemplateEntry, ...]
    scores: tuple[ScoreEntry, ...]
    casework: CaseworkEntry = field(default_factory=CaseworkEntry)
    redacted: bool = False

    def counts(self, kind: str) -> list[tuple[str, int]]:
        """Distinct values of a selector kind with the number of ads giving each, most first."""
        return Counter(v for ad in self.ads for v in ad.values(kind)).most_common()

    def sites(self) -> list[tuple[str, int]]:
        """Sites with their number of ads, most first."""
        return Counter(ad.site for ad in self.ads).most_common()

    def cities(self) -> list[tuple[str, int]]:
        """Cities with their number of ads, most first."""
        return Counter(ad.city for ad in self.ads if ad.city).most_common()

    def clusters(self) -> list[str]:
        """The current clusters of the ads, in order of first appearance."""
        return list(dict.fromkeys(ad.cluster_id for ad in self.ads if ad.cluster_id))


def gather_cluster(conn: Connection, cluster_id: str, *, by: str, now: datetime) -> Dossier:
    """The dossier of a current cluster (its members in the latest link run).

    Raises:
        LookupError: the latest link run has no such cluster.
    """
    members = cluster_store.cluster_members(conn, cluster_id)
    if not members:
        raise LookupError(f"there is no cluster {cluster_id} in the latest link run")
    entries = gather_ads(conn, members)
    links = [_link(raw, cluster_id) for raw in cluster_store.cluster_links(conn, cluster_id)]
    work = casework_store.cluster_casework(conn, cluster_id)
    return Dossier(
        subject=Subject("cluster", cluster_id, cluster_id),
        link_run=_link_run(conn),
        exported_at=now,
        exported_by=by,
        ads=entries,
        links=tuple(links),
        templates=build_templates(entries),
        scores=_scores(conn, [cluster_id]),
        casework=_casework(work),
    )


def gather_case(conn: Connection, case_id: int, *, by: str, now: datetime) -> Dossier:
    """The dossier of a case: the ads of its active items, the links between them, the
    templates and scores of the clusters they are in now.

    Raises:
        LookupError: there is no such case.
    """
    case = casework_store.get_case(conn, case_id)
    if case is None:
        raise LookupError(f"there is no case {case_id}")
    ad_ids = casework_store.case_ad_ids(conn, case_id)
    entries = gather_ads(conn, ad_ids)
    clusters = list(dict.fromkeys(a.cluster_id for a in entries if a.cluster_id))
    return Dossier(
        subject=Subject("case", str(case.case_id), case.title, case.status, case.summary),
        link_run=_link_run(conn),
        exported_at=now,
        exported_by=by,
        ads=entries,
        links=tuple(_links_between(conn, [a.ad_id for a in entries])),
        templates=build_templates(entries),
        scores=_scores(conn, clusters),
        casework=_casework(casework_store.ads_casework(conn, ad_ids)),
    )


def gather_ads(conn: Connection, ad_ids: Sequence[int]) -> tuple[AdEntry, ...]:
    """The current version of these ads (those still in the store), by ad id, with their
    cluster, score and personal selectors."""
    rows = _ad_rows(conn, ad_ids)
    hits = _selector_hits(conn, [int(r["version_id"]) for r in rows])
    scored = score_store.ad_scores(conn, [int(r["ad_id"]) for r in rows])
    return tuple(
        AdEntry(
            ad_id=int(r["ad_id"]),
            site=str(r["site"]),
            site_ad_id=str(r["site_ad_id"]),
            url=r["url"],
            posted_at=_utc(r["posted_at"]),
            first_seen=_utc(r["first_seen"]) or datetime.min.replace(tzinfo=UTC),
            city=r["city"],
            title=r["title"] or "",
            text=r["text"] or "",
            cluster_id=None if r["cluster_id"] is None else str(r["cluster_id"]),
            score=None if (s := scored.get(int(r["ad_id"]))) is None else s.score,
            selectors=tuple(hits.get(int(r["version_id"]), ())),
        )
        for r in rows
    )


def build_templates(entries: Sequence[AdEntry]) -> tuple[TemplateEntry, ...]:
    """One template per cluster holding at least two of the ads (from its first 50 texts)."""
    by_cluster: dict[str, list[str]] = {}
    for ad in entries:
        if ad.cluster_id is not None:
            by_cluster.setdefault(ad.cluster_id, []).append(ad.text)
    out: list[TemplateEntry] = []
    for cluster_id, texts in by_cluster.items():
        if len(texts) < 2:
            continue
        found = extract_template(texts, max_texts=TEMPLATE_TEXTS)
        slots = tuple(SlotEntry(s.index, tuple(s.values), s.distinct) for s in found.slots)
        out.append(TemplateEntry(cluster_id, found.text, slots, found.n_texts, found.support))
    return tuple(out)


def _ad_rows(conn: Connection, ad_ids: Sequence[int]) -> list[dict[str, Any]]:
    wanted = sorted(set(ad_ids))
    out: list[dict[str, Any]] = []
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(
                ads.c.ad_id,
                ads.c.site,
                ads.c.site_ad_id,
                ads.c.first_seen,
                ad_versions.c.version_id,
                ad_versions.c.url,
                ad_versions.c.title,
                ad_versions.c.text,
                ad_versions.c.posted_at,
                ad_versions.c.city,
                memberships.c.cluster_id,
            )
            .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
            .outerjoin(memberships, memberships.c.ad_id == ads.c.ad_id)
            .where(ads.c.ad_id.in_(wanted[start : start + CHUNK]))
            .order_by(ads.c.ad_id)
        )
        out += [dict(r) for r in conn.execute(query).mappings()]
    return out


def _selector_hits(conn: Connection, version_ids: Sequence[int]) -> dict[int, list[SelectorHit]]:
    """Personal selectors by version, in field and text order (every confidence: redaction
    would rather hide a doubtful name than miss it)."""
    out: dict[int, list[SelectorHit]] = {}
    for start in range(0, len(version_ids), CHUNK):
        # Kinds are filtered here, not in SQL, so both stores use the version index.
        query = (
            select(
                selectors.c.version_id,
                selectors.c.kind,
                selectors.c.value,
                selectors.c.field,
                selectors.c.start,
                selectors.c.end,
            )
            .where(selectors.c.version_id.in_(list(version_ids[start : start + CHUNK])))
            .order_by(selectors.c.version_id, selectors.c.field, selectors.c.start)
        )
        for r in conn.execute(query):
            if r.kind in PERSONAL_KINDS:
                span = (str(r.field), int(r.start), int(r.end))
                hit = SelectorHit(str(r.kind), str(r.value), span)
                out.setdefault(int(r.version_id), []).append(hit)
    return out


def _link(raw: dict[str, Any], cluster_id: str | None) -> LinkEntry:
    shared = raw.get("shared") or {}
    similarity = raw.get("similarity") or raw.get("text") or {}
    return LinkEntry(
        a=int(raw["a"]),
        b=int(raw["b"]),
        score=float(raw["score"]),
        kinds=tuple(str(k) for k in raw.get("kinds") or ()),
        shared={str(k): tuple(str(v) for v in vs) for k, vs in shared.items() if vs},
        similarity={str(k): float(v) for k, v in similarity.items() if isinstance(v, int | float)},
        cluster_id=cluster_id,
    )


def _links_between(conn: Connection, ad_ids: Sequence[int]) -> list[LinkEntry]:
    """The current evidence links whose two ads are both among `ad_ids`, strongest first."""
    wanted = set(ad_ids)
    ordered = sorted(wanted)
    found: list[LinkEntry] = []
    for start in range(0, len(ordered), CHUNK):
        query = select(
            ad_links.c.ad_a, ad_links.c.ad_b, ad_links.c.score, ad_links.c.cluster_id
        ).add_columns(ad_links.c.evidence)
        query = query.where(ad_links.c.ad_a.in_(ordered[start : start + CHUNK]))
        for r in conn.execute(query):
            if int(r.ad_b) in wanted:
                raw = {**dict(r.evidence), "a": r.ad_a, "b": r.ad_b, "score": r.score}
                found.append(_link(raw, None if r.cluster_id is None else str(r.cluster_id)))
    found.sort(key=lambda k: (-k.score, k.a, k.b))
    return found


def _link_run(conn: Connection) -> LinkRun | None:
    run_id = cluster_store.latest_link_run(conn)
    if run_id is None:
        return None
    row = conn.execute(select(runs.c.finished_at, runs.c.params).where(runs.c.run_id == run_id))
    finished, params = row.one()
    return LinkRun(run_id, _utc(finished), str((params or {}).get("mode") or ""))


def _scores(conn: Connection, cluster_ids: Iterable[str]) -> tuple[ScoreEntry, ...]:
    out: list[ScoreEntry] = []
    for cluster_id in cluster_ids:
        found = score_store.cluster_score(conn, cluster_id)
        if found is not None:
            out.append(
                ScoreEntry(
                    cluster_id=cluster_id,
                    n_ads=found.n_ads,
                    score=found.score,
                    escalate=found.escalate,
                    reasons=tuple(dict(r) for r in found.reasons),
                    profile=dict(found.profile),
                )
            )
    return tuple(out)


def _note(a: casework_store.Annotation) -> NoteEntry:
    return NoteEntry(a.kind, a.value, a.created_by, a.created_at)


def _casework(work: casework_store.ClusterCasework) -> CaseworkEntry:
    review = work.review
    return CaseworkEntry(
        label=None if work.label is None else _note(work.label),
        review_added=() if review is None else review.added,
        review_removed=() if review is None else review.removed,
        notes=tuple(_note(n) for n in work.notes),
        tags=tuple(t.value for t in work.tags),
        cases=work.cases,
    )


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; everything the store holds is UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
