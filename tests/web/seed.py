"""A seeded synthetic store for the web tests, the screenshots and the benchmark: synthetic ads
through the real pipeline (ingest, extract, link, index), one hostile ad, and two users."""

from __future__ import annotations

import csv
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from adtrace.pipeline import IngestOptions, extract_store, ingest_file, link_store
from adtrace.pipeline.score import score_store
from adtrace.store import clusters as cluster_store
from adtrace.store.engine import open_store
from adtrace.store.schema import ad_versions, ads, selectors
from adtrace.store.search_index import rebuild_index
from adtrace.synth import generate_ads, write_ads
from adtrace.web.auth import add_user

HOSTILE_SITE = "hostile.example"
HOSTILE_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)> Zoé'
HOSTILE_TEXT = (
    'Hi "><svg onload=alert(3)> <b onmouseover=alert(2)>me</b> <a href="javascript:alert(4)">x</a>'
    " \u202etxt.exe <style>body{display:none}</style> {{ 7*7 }} call 613 555 0199 now"
)

ESCALATED_TEXT = "Sweet and shy, not yet 18, call 613 555 0142 tonight"
"""A made-up ad the indicators must escalate (A04: explicit minor reference)."""


@dataclass(frozen=True, slots=True)
class Seeded:
    """A seeded store and what the tests need to know about it."""

    url: str
    engine: Engine
    admin: tuple[str, str]
    analyst: tuple[str, str]
    hostile_ad: int
    escalated_ad: int
    phone: str
    cluster_id: str


def seed_store(url: str, folder: Path, n_ads: int = 300, seed: int = 7) -> Seeded:
    """Build the store at `url` (empty) from `n_ads` synthetic ads plus one hostile ad."""
    engine = open_store(url)
    synthetic = folder / "synthetic.csv"
    write_ads(generate_ads(n_ads, seed, workers=1), synthetic)
    ingest_file(engine, synthetic, IngestOptions())
    hostile = folder / "hostile.csv"
    with hostile.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["site", "id", "title", "text", "posted_at", "city"])
        when, city = "2024-03-01T10:00:00Z", "Ottawa"
        writer.writerow([HOSTILE_SITE, "x1", HOSTILE_TITLE, HOSTILE_TEXT, when, city])
        writer.writerow([HOSTILE_SITE, "x2", "New in town", ESCALATED_TEXT, when, city])
    ingest_file(engine, hostile, IngestOptions())
    extract_store(engine, workers=1)
    link_store(engine)
    score_store(engine)
    rebuild_index(engine)
    admin = ("admin", secrets.token_urlsafe(12))
    analyst = ("analyst", secrets.token_urlsafe(12))
    with engine.begin() as conn:
        add_user(conn, *admin, role="admin")
        add_user(conn, *analyst, role="analyst")
        query = select(ads.c.site_ad_id, ads.c.ad_id).where(ads.c.site == HOSTILE_SITE)
        hostile = {str(key): int(ad) for key, ad in conn.execute(query)}
    phone, cluster_id = shared_phone(engine)
    return Seeded(url, engine, admin, analyst, hostile["x1"], hostile["x2"], phone, cluster_id)


def shared_phone(engine: Engine) -> tuple[str, str]:
    """The largest cluster, and the phone most of its ads give (what an analyst would search)."""
    with engine.connect() as conn:
        cluster_id = cluster_store.cluster_sizes(conn, limit=1)[0][0]
        members = cluster_store.cluster_members(conn, cluster_id)
        phones = conn.execute(
            select(selectors.c.value)
            .join(ad_versions, ad_versions.c.version_id == selectors.c.version_id)
            .where(selectors.c.kind == "phone", ad_versions.c.ad_id.in_(members))
        ).scalars()
        phone = Counter(phones).most_common(1)[0][0]
    return str(phone), cluster_id


DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def obfuscated(e164: str) -> str:
    """A North American number as ads write it to dodge filters: the area code's first digit as
    a word, look-alike letters for 0 and 1, odd separators ("two 3 6 . 6 2 4 . 5 2 4 3")."""
    digits = e164[-10:]
    first = DIGIT_WORDS[int(digits[0])]
    rest = digits[1:].replace("0", "O").replace("1", "I")
    return f"{first} {rest[:2]} . {rest[2:5]} . {rest[5:]}"
