"""Search: free text, phone, e-mail, handle, name, city, site, dates and score, paged and sorted.

Every criterion given narrows the hits (AND). Text, name and city words match indexed words
equal to or starting with them (see adtrace.store.search_index); a phone is read with the
extractor first, so any written form ("4I6 555 0I23", "four one six...") finds the E.164
number; e-mails and handles are compared normalised (lower case, no leading @).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal

from sqlalchemy import Connection, and_, func, select

from adtrace.extract import extract_all
from adtrace.store.schema import ad_scores as ad_scores_table
from adtrace.store.schema import search_docs, search_terms
from adtrace.store.scores import latest_score_run
from adtrace.store.search_index import prefix_bounds, words
from adtrace.web.queries import ads_with_selector

Sort = Literal["newest", "oldest", "score", "site"]
SORTS: Final = ("newest", "oldest", "score", "site")
MAX_PER_PAGE: Final = 100
MAX_WORDS: Final = 8
"""Words per field beyond this are ignored (each one is one more index range to intersect)."""


class QueryProblem(ValueError):
    """A criterion the search cannot use; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the user asked for (all optional)."""

    text: str = ""
    phone: str = ""
    email: str = ""
    handle: str = ""
    name: str = ""
    city: str = ""
    site: str = ""
    date_from: date | None = None
    date_to: date | None = None
    min_score: float | None = None
    sort: Sort = "newest"
    page: int = 1
    per_page: int = 20

    def is_empty(self) -> bool:
        """Whether no criterion at all was given."""
        fields = (self.text, self.phone, self.email, self.handle, self.name, self.city, self.site)
        given = (self.date_from, self.date_to, self.min_score)
        return not any(f.strip() for f in fields) and all(g is None for g in given)


@dataclass(frozen=True, slots=True)
class SearchHits:
    """One page of hits: ad ids in order, the total, and the phones the query was read as."""

    ad_ids: list[int]
    total: int
    phones: list[str] = field(default_factory=list)


def read_phones(written: str, region: str = "CA") -> list[str]:
    """The E.164 numbers in a phone as the user wrote it; QueryProblem when there is none."""
    found = list(dict.fromkeys(str(s.value) for s in extract_all(written, region=region).phones))
    if not found:
        raise QueryProblem(f"no phone number could be read in {written!r}")
    return found


def run_search(conn: Connection, query: SearchQuery, region: str = "CA") -> SearchHits:
    """The hits of `query`, one page, in the order asked."""
    phones = read_phones(query.phone, region) if query.phone.strip() else []
    conditions = _conditions(conn, query, phones)
    total = conn.execute(
        select(func.count()).select_from(search_docs).where(*conditions)
    ).scalar_one()
    ids = select(search_docs.c.ad_id).where(*conditions)
    ids = _ordered(conn, ids, query.sort)
    per_page = max(1, min(query.per_page, MAX_PER_PAGE))
    ids = ids.limit(per_page).offset((max(1, query.page) - 1) * per_page)
    return SearchHits([int(i) for i in conn.execute(ids).scalars()], int(total), phones)


def _conditions(conn: Connection, query: SearchQuery, phones: list[str]) -> list[Any]:
    doc = search_docs.c.ad_id
    out: list[Any] = [doc.in_(_term_match(w)) for w in words(query.text)[:MAX_WORDS]]
    out += [doc.in_(_term_match(f"name:{w}")) for w in words(query.name)[:MAX_WORDS]]
    out += [doc.in_(_term_match(f"city:{w}")) for w in words(query.city)[:MAX_WORDS]]
    if phones:
        out.append(doc.in_(ads_with_selector(conn, "phone", phones)))
    if query.email.strip():
        out.append(doc.in_(ads_with_selector(conn, "email", [query.email.strip().lower()])))
    if query.handle.strip():
        handle = query.handle.strip().lstrip("@").lower()
        out.append(doc.in_(ads_with_selector(conn, "handle", [handle])))
    if query.site.strip():
        out.append(search_docs.c.site == query.site.strip())
    if query.date_from is not None:
        out.append(search_docs.c.posted_at >= _start_of(query.date_from))
    if query.date_to is not None:
        out.append(search_docs.c.posted_at < _start_of(query.date_to + timedelta(days=1)))
    if query.min_score is not None:
        out.append(doc.in_(_scored_at_least(conn, query.min_score)))
    return out


def _term_match(term: str) -> Any:
    low, high = prefix_bounds(term)
    return select(search_terms.c.ad_id).where(
        and_(search_terms.c.term >= low, search_terms.c.term < high)
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _scored_at_least(conn: Connection, minimum: float) -> Any:
    run = latest_score_run(conn)
    return select(ad_scores_table.c.ad_id).where(
        ad_scores_table.c.run_id == (run if run is not None else -1),
        ad_scores_table.c.score >= minimum,
    )


def _ordered(conn: Connection, ids: Any, sort: Sort) -> Any:
    doc = search_docs.c
    if sort == "oldest":
        return ids.order_by(doc.posted_at.asc(), doc.ad_id.asc())
    if sort == "site":
        return ids.order_by(doc.site.asc(), doc.ad_id.asc())
    if sort == "score":
        run = latest_score_run(conn)
        score = (
            select(ad_scores_table.c.score)
            .where(ad_scores_table.c.run_id == (run if run is not None else -1))
            .where(ad_scores_table.c.ad_id == doc.ad_id)
            .scalar_subquery()
        )
        return ids.order_by(func.coalesce(score, -1.0).desc(), doc.ad_id.asc())
    return ids.order_by(doc.posted_at.desc(), doc.ad_id.desc())
