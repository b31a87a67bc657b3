"""A store where every field an analyst can read carries hostile input: XSS payloads, template
syntax, broken HTML, bidirectional overrides, zero-width and control characters, a 5,000-letter
word. Built through the real pipeline (ingest, extract, link, score, index) so the payload ads
form one cluster with a template, a timeline and a map; persona names, handles and e-mails with
payloads are written as selectors (the extractors would never read such values, but the pages
must not trust that).
"""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, insert, select

from adtrace.pipeline import IngestOptions, extract_store, ingest_file, link_store
from adtrace.pipeline.score import score_store
from adtrace.store import clusters
from adtrace.store.engine import open_store
from adtrace.store.schema import ad_versions, ads, selectors
from adtrace.store.search_index import rebuild_index
from adtrace.synth import generate_ads, write_ads
from adtrace.web.auth import add_user

LONG_WORD: Final = "W" * 5_000
PAYLOADS: Final = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><svg/onload=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "{% raw %}${7*7}",
    "<b><i>unclosed",
    "</textarea><textarea>",
    "<!-- open comment",
    "</script><script>alert(1)</script>",
    "'><iframe src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "\u202eexe.txt\u202c right-to-left",
    "zero\u200bwidth\u200cjoin\u200d\ufeffer",
    "ctl\x01\x07\x08\x0b\x1b\x7fchars",
    LONG_WORD,
)
"""Every payload, one per hostile ad (and in names, cities, sites, notes, queries...)."""

QUERY_PAYLOADS: Final = (*PAYLOADS, "nul\x00byte")
"""Payloads used as search queries (a NUL cannot be stored as text, but can be sent)."""

PHONE: Final = "613 555 0177"
TEMPLATE: Final = (
    "Hi gentlemen, new in town for a few days only. Sweet, discreet and fun, "
    "incall or outcall, no rush. Text {phone} for {payload} rates and pics"
)
ESCALATING: Final = "not yet 18"
"""Wording that makes the indicators escalate one payload ad (A04)."""
T0: Final = datetime(2024, 5, 1, 18, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class HostileStore:
    """The hostile store and what the tests need to find in it."""

    url: str
    engine: Engine
    analyst: tuple[str, str]
    admin: tuple[str, str]
    payload_ads: tuple[int, ...]
    cluster_id: str
    escalated_ad: int


def site_of(i: int) -> str:
    """Sites: every third payload ad is "posted" on a site whose name is the payload."""
    return PAYLOADS[i][:200] if i % 3 == 0 else f"hostile-{i}.example"


def hostile_rows() -> list[list[str]]:
    """One CSV row per payload: the payload in title, text, city, site and URL."""
    rows = []
    for i, payload in enumerate(PAYLOADS):
        text = TEMPLATE.format(phone=PHONE, payload=payload)
        if i == 1:
            text += f", {ESCALATING}"
        url = (
            "javascript:alert(1)" if i % 2 else f'https://x.example/{i}"><script>alert(1)</script>'
        )
        when = (T0 + timedelta(hours=7 * i)).isoformat()
        rows.append([site_of(i), f"h{i}", f"New {payload}", text, when, payload[:120], url])
    return rows


def build_hostile_store(folder: Path, url: str | None = None) -> HostileStore:
    """A store at `url` (empty; default a SQLite file in `folder`, which holds the input
    files): 40 synthetic ads and one payload ad per payload, linked, scored, indexed; an
    analyst and an admin with random passwords."""
    url = url or f"sqlite:///{folder / 'hostile.db'}"
    engine = open_store(url)
    synthetic = folder / "synthetic.csv"
    write_ads(generate_ads(40, 3, workers=1), synthetic)
    ingest_file(engine, synthetic, IngestOptions())
    source = folder / "hostile-ads.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "id", "title", "text", "posted_at", "city", "url"])
        writer.writerows(hostile_rows())
    ingest_file(engine, source, IngestOptions())
    extract_store(engine, workers=1)
    payload_ads = _payload_ads(engine)
    _add_hostile_selectors(engine, payload_ads)
    link_store(engine)
    score_store(engine)
    rebuild_index(engine)
    analyst = ("hostile-analyst", secrets.token_urlsafe(12))
    admin = ("hostile-admin", secrets.token_urlsafe(12))
    with engine.begin() as conn:
        add_user(conn, *analyst, role="analyst")
        add_user(conn, *admin, role="admin")
        cluster_id = clusters.cluster_of(conn, payload_ads[0])
    assert cluster_id is not None, "the payload ads were not linked"
    return HostileStore(url, engine, analyst, admin, payload_ads, cluster_id, payload_ads[1])


def _payload_ads(engine: Engine) -> tuple[int, ...]:
    """The payload ads' ids, in the order of PAYLOADS."""
    with engine.connect() as conn:
        found = dict(
            conn.execute(
                select(ads.c.site_ad_id, ads.c.ad_id).where(ads.c.site_ad_id.like("h%"))
            ).all()
        )
    return tuple(int(found[f"h{i}"]) for i in range(len(PAYLOADS)))


def _add_hostile_selectors(engine: Engine, payload_ads: tuple[int, ...]) -> None:
    """A persona name, a handle and an e-mail carrying each payload, on each payload ad."""
    with engine.begin() as conn:
        versions = dict(
            conn.execute(
                select(ads.c.ad_id, ads.c.current_version_id).where(ads.c.ad_id.in_(payload_ads))
            ).all()
        )
        text_of = dict(
            conn.execute(
                select(ad_versions.c.version_id, ad_versions.c.text).where(
                    ad_versions.c.version_id.in_(versions.values())
                )
            ).all()
        )
        rows = []
        for i, ad_id in enumerate(payload_ads):
            version = versions[ad_id]
            end = min(12, len(text_of[version] or ""))
            for kind, value in (
                ("name", PAYLOADS[i]),
                ("handle", f"h{i}{PAYLOADS[i]}"),
                ("email", f"{PAYLOADS[(i + 1) % len(PAYLOADS)]}@x.example"),
            ):
                rows.append(_selector(version, kind, value, end))
        conn.execute(insert(selectors), rows)


def _selector(version_id: int, kind: str, value: str, end: int) -> dict[str, object]:
    return {
        "version_id": version_id,
        "kind": kind,
        "value": value,
        "number": None,
        "field": "text",
        "start": 0,
        "end": end,
        "confidence": 0.99,
        "platform": "instagram" if kind == "handle" else None,
        "currency": None,
        "minutes": None,
        "region": None,
        "obfuscated": False,
    }
