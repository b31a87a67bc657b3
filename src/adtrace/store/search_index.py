"""The search index: folded word terms per ad, the same on SQLite and PostgreSQL.

Why a term table and not SQLite FTS5 / PostgreSQL tsvector: both engines tokenise differently
(PostgreSQL's parser keeps e-mails, hosts and hyphenated words whole), so the only way to get the
SAME hits on both is to tokenise in Python and let the store do nothing but look terms up. Every
ad's current version gives one row per distinct term in `search_terms` (primary key term, ad id;
a clustered WITHOUT ROWID table on SQLite, a "C"-collated column on PostgreSQL so that prefix
ranges compare code points on both). A query term matches a stored term equal to it or starting
with it (`term >= p AND term < p'`, where p' is p with its last character incremented): words and
prefixes, no stemming, case- and accent-folded. `search_docs` holds what results are filtered and
sorted by (site, city, date).

Terms:
- words of the title and text: ``montreal``, ``fiona``, ``200``;
- ``name:<word>`` for each word of a persona name the extractor found;
- ``city:<word>`` for each word of the ad's city.

Phones, e-mails and handles are searched in the `selectors` table itself (its (kind, value) index),
over every version of an ad.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, Final

from sqlalchemy import Connection, Engine, delete, func, insert, select

from adtrace.store.schema import ad_versions, ads, search_docs, search_terms, selectors

MAX_TERM: Final = 80
"""Longer words are cut to this many characters (the column's width); prefixes still match."""

CHUNK: Final = 500
"""Ads per delete/insert round (bounded IN lists and memory)."""

_WORD = re.compile(r"[^\W_]+")
# Letters Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
)


def fold(text: str) -> str:
    """Case- and accent-folded text: NFKD, combining marks dropped, casefolded.

    >>> fold("Montréal ÉTÉ Œuvre")
    'montreal ete oeuvre'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    bare = decomposed.translate(_combining_marks())
    return unicodedata.normalize("NFC", bare.casefold())


@cache
def _combining_marks() -> dict[int, None]:
    """Every combining code point, mapped to None for str.translate (built once, ~0.3 s)."""
    return {cp: None for cp in range(sys.maxunicode + 1) if unicodedata.combining(chr(cp))}


def words(text: str | None) -> list[str]:
    """The folded words of `text`, in order, cut to MAX_TERM characters."""
    if not text:
        return []
    return [w[:MAX_TERM] for w in _WORD.findall(fold(text))]


def ad_terms(
    title: str | None, text: str | None, city: str | None, names: Iterable[str]
) -> set[str]:
    """Every distinct term one ad version is indexed under."""
    terms = set(words(title)) | set(words(text))
    terms.update(f"name:{w}"[:MAX_TERM] for name in names for w in words(name))
    terms.update(f"city:{w}"[:MAX_TERM] for w in words(city))
    return terms


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """[low, high) covering every term that starts with `prefix` (code point order)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def index_ads(conn: Connection, ad_ids: Sequence[int]) -> int:
    """(Re)index the current version of each ad in `ad_ids`; returns the terms written.

    Call it in the transaction that changed the ads' versions or their selectors (after
    extraction, so persona names are known). Ads that no longer exist are simply dropped.
    """
    return _index(conn, ad_ids, replace=True)


def _index(conn: Connection, ad_ids: Sequence[int], *, replace: bool) -> int:
    terms: list[tuple[str, int]] = []
    for start in range(0, len(ad_ids), CHUNK):
        chunk = list(ad_ids[start : start + CHUNK])
        if replace:
            conn.execute(delete(search_terms).where(search_terms.c.ad_id.in_(chunk)))
            conn.execute(delete(search_docs).where(search_docs.c.ad_id.in_(chunk)))
        docs, found = _index_rows(conn, chunk)
        if docs:
            conn.execute(insert(search_docs), docs)
        terms += found
    _insert_terms(conn, terms)
    return len(terms)


def _insert_terms(conn: Connection, terms: list[tuple[str, int]]) -> None:
    """Insert (term, ad id) rows straight through the driver: 76 rows per ad make SQLAlchemy's
    per-row parameter handling the main cost otherwise. Values are bound, never formatted."""
    if not terms:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    table = conn.dialect.identifier_preparer.format_table(search_terms)
    sql = f"INSERT INTO {table} (term, ad_id) VALUES ({mark}, {mark})"  # noqa: S608 - no values
    conn.exec_driver_sql(sql, terms)


def _index_rows(
    conn: Connection, ad_ids: list[int]
) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
    query = (
        select(
            ads.c.ad_id,
            ads.c.site,
            ads.c.first_seen,
            ad_versions.c.version_id,
            ad_versions.c.title,
            ad_versions.c.text,
            ad_versions.c.city,
            ad_versions.c.posted_at,
        )
        .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
        .where(ads.c.ad_id.in_(ad_ids))
    )
    rows = conn.execute(query).all()
    names = _names(conn, [r.version_id for r in rows])
    docs: list[dict[str, Any]] = []
    terms: list[tuple[str, int]] = []
    for r in rows:
        docs.append(
            {
                "ad_id": r.ad_id,
                "version_id": r.version_id,
                "site": r.site,
                "city": r.city,
                "posted_at": r.posted_at or r.first_seen,
            }
        )
        found = ad_terms(r.title, r.text, r.city, names.get(r.version_id, ()))
        ad_id = int(r.ad_id)
        terms += [(t, ad_id) for t in sorted(found)]
    return docs, terms


def _names(conn: Connection, version_ids: list[int]) -> dict[int, list[str]]:
    # The kind is checked here, not in SQL: with `kind = 'name'` in the WHERE clause SQLite
    # walks the (kind, value) index over every name of the store instead of looking the
    # versions up (0.2 s per 500 ads at 100k ads).
    query = select(selectors.c.version_id, selectors.c.kind, selectors.c.value).where(
        selectors.c.version_id.in_(version_ids)
    )
    out: dict[int, list[str]] = {}
    for version_id, kind, value in conn.execute(query):
        if kind == "name":
            out.setdefault(version_id, []).append(value)
    return out


def rebuild_index(engine: Engine, *, chunk: int = 5_000) -> int:
    """Empty and refill the whole index, `chunk` ads per transaction; returns the terms written."""
    with engine.begin() as conn:
        conn.execute(delete(search_terms))
        conn.execute(delete(search_docs))
    written = after = 0
    while True:
        with engine.begin() as conn:
            ids = list(
                conn.execute(
                    select(ads.c.ad_id)
                    .where(ads.c.ad_id > after)
                    .order_by(ads.c.ad_id)
                    .limit(chunk)
                ).scalars()
            )
            if not ids:
                return written
            written += _index(conn, ids, replace=False)  # the index was emptied above
        after = ids[-1]


def index_pending(engine: Engine, *, chunk: int = 5_000) -> int:
    """Index every ad missing from the index or indexed at an older version; returns how many.

    Catches up after imports made by code that did not call `index_ads` (and fills the index of
    a store created before it existed). It cannot see re-extracted names of an unchanged version:
    `rebuild_index` after `adtrace extract --db --redo`.
    """
    done = after = 0
    while True:
        with engine.begin() as conn:
            ids = list(conn.execute(_pending(after).limit(chunk)).scalars())
            if not ids:
                return done
            index_ads(conn, ids)
        done += len(ids)
        after = ids[-1]


def _pending(after: int) -> Any:
    doc = search_docs.c
    return (
        select(ads.c.ad_id)
        .outerjoin(search_docs, doc.ad_id == ads.c.ad_id)
        .where(ads.c.ad_id > after, ads.c.current_version_id.is_not(None))
        .where((doc.ad_id.is_(None)) | (doc.version_id != ads.c.current_version_id))
        .order_by(ads.c.ad_id)
    )


def indexed_ads(conn: Connection) -> int:
    """How many ads the index holds."""
    return int(conn.execute(select(func.count()).select_from(search_docs)).scalar_one())
