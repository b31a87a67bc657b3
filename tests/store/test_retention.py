"""Retention on both stores: a selector purge leaves no written form of the value in the
database's bytes (SQLite file and WAL) or in any table (PostgreSQL, every column as text); an age
purge keeps young ads whole; a dry run changes nothing; linking works after a purge."""

from __future__ import annotations

import csv
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, String, cast, func, select, update
from sqlalchemy.engine import make_url

from adtrace.export import make_export, record
from adtrace.link.model import selector_digest
from adtrace.pipeline import IngestOptions, extract_store, ingest_file, link_store
from adtrace.pipeline.purge import PurgeProblem, parse_selector, purge_store
from adtrace.pipeline.score import score_store
from adtrace.store import casework
from adtrace.store.audit import keyed_hash, store_key
from adtrace.store.clusters import cluster_of, cluster_sizes, load_link_model
from adtrace.store.engine import open_store
from adtrace.store.retention import (
    list_purges,
    retention_setting,
    save_retention_setting,
)
from adtrace.store.schema import (
    ad_selector_keys,
    ad_sets,
    ad_versions,
    ads,
    cases,
    escalations,
    exports,
    metadata,
    purges,
    rejects,
    run_artifacts,
    set_annotations,
)
from adtrace.store.search_index import rebuild_index
from adtrace.synth import generate_ads, write_ads
from tests.web.seed import obfuscated

PHONE = "+16135550142"
FORMS = (
    "+16135550142",
    "16135550142",
    "6135550142",
    "613-555-0142",
    "613 555 0142",
    "(613) 555-0142",
    "613.555.0142",
    "+1 613 555 0142",
)
TEMPLATE = (
    "Sweet new girl visiting downtown this week only, discreet upscale companion, "
    "incall and outcall available, text me at {phone} for rates and a warm welcome"
)
SUMMARY = "Phone (613) 555-0142 seen in Ottawa and Hull"
COLUMNS = ["site", "id", "title", "text", "phone", "seen_at", "city"]


@dataclass(frozen=True, slots=True)
class Built:
    """A store with ads carrying the phone, their neighbours and everything about them."""

    engine: Engine
    url: str
    phone_ads: list[int]
    neighbour: int
    old: list[int]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def _rows(now: datetime) -> list[list[str]]:
    recent = (now - timedelta(days=3)).isoformat()
    old = (now - timedelta(days=400)).isoformat()
    rows = [
        ["ret.example", f"p{i}", "Visiting", TEMPLATE.format(phone=form), "", recent, "Ottawa"]
        for i, form in enumerate(["613-555-0142", "(613) 555-0142", "+1 613 555 0142"])
    ]
    spelled = TEMPLATE.format(phone=obfuscated(PHONE))
    rows.append(["ret.example", "p3", "Visiting", spelled, "", recent, "Ottawa"])
    rows.append(["ret.example", "p4", "Hi", "Call me tonight", "613.555.0142", recent, "Ottawa"])
    # An ad that gave the phone in an old version only, and one escalated (A04).
    rows.append(["ret.example", "p5", "Old", TEMPLATE.format(phone="6135550142"), "", old, ""])
    minor = "Sweet and shy, not yet 18, call 613 555 0142 tonight"
    rows.append(["ret.example", "p6", "New", minor, "", recent, "Ottawa"])
    # Same template, another phone: linked to the ads above by text, and kept.
    rows.append(
        ["ret.example", "n1", "Visiting", TEMPLATE.format(phone="819 555 0199"), "", recent, ""]
    )
    rows += [
        ["ret.example", f"o{i}", "Old ad", f"Quiet evening number {i} gone", "", old, "Hull"]
        for i in range(3)
    ]
    # Rejected rows (no text and no title) holding the phone in writing and spelled out.
    rows.append(["ret.example", "r1", "", "", "613 555 0142", recent, ""])
    rows.append(["ret.example", "r2", "", "", obfuscated(PHONE), recent, ""])
    return rows


def _build(url: str, folder: Path) -> Built:
    engine = open_store(url)
    now = datetime.now(UTC)
    write_ads(generate_ads(40, 3, workers=1), folder / "synthetic.csv")
    ingest_file(engine, folder / "synthetic.csv", IngestOptions())
    ingest_file(engine, _write(folder / "phone.csv", _rows(now)), IngestOptions())
    later = [["ret.example", "p5", "Old", "Changed my number, ask me", "", now.isoformat(), ""]]
    ingest_file(engine, _write(folder / "later.csv", later), IngestOptions())
    extract_store(engine, workers=1)
    link_store(engine)
    score_store(engine)
    rebuild_index(engine)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(ads.c.site_ad_id, ads.c.ad_id)).all())
    phone_ads = [ids[f"p{i}"] for i in range(7)]
    with engine.begin() as conn:
        cluster = cluster_of(conn, ids["p0"])
        assert cluster is not None and cluster == cluster_of(conn, ids["n1"])
        casework.annotate_cluster(conn, cluster, "label", "suspected", by="tester")
        note = "Same person as 613 555 0142, see the case"
        casework.annotate_cluster(conn, cluster, "note", note, by="tester")
        case = casework.create_case(conn, "Case one", SUMMARY, by="tester")
        casework.add_cluster_to_case(conn, case, cluster, by="tester")
    with engine.connect() as conn:
        made = make_export(conn, "cluster", cluster, "json", redacted=False, by="tester")
    with engine.begin() as conn:
        record(conn, made)
    old = [ids[f"o{i}"] for i in range(3)]
    return Built(engine, url, phone_ads, ids["n1"], old)


@pytest.fixture
def built(store_url: str, tmp_path: Path) -> Built:
    return _build(store_url, tmp_path)


def _every_text(engine: Engine) -> str:
    """Every column of every table, as text (PostgreSQL's view of the data)."""
    parts: list[str] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [cast(c, String) for c in table.columns if c.type.python_type is not bytes]
            for row in conn.execute(select(*columns)):
                parts.extend("" if v is None else str(v) for v in row)
            blobs = [c for c in table.columns if c.type.python_type is bytes]
            for column in blobs:
                for value in conn.execute(select(column)).scalars():
                    parts.append(bytes(value).decode("latin-1"))
    return "\n".join(parts)


def _file_bytes(url: str) -> bytes:
    path = Path(str(make_url(url).database))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _count(engine: Engine, query: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]


def test_the_store_holds_the_phone_before_the_purge(built: Built) -> None:
    text = _every_text(built.engine)
    assert PHONE in text and "613-555-0142" in text and "613 555 0142" in text
    if built.engine.dialect.name == "sqlite":
        assert b"613-555-0142" in _file_bytes(built.url)
    assert _count(built.engine, select(func.count()).select_from(escalations)) >= 1


def test_a_selector_purge_leaves_no_written_form_of_the_value(built: Built) -> None:
    result = purge_store(built.engine, by="tester", selector="phone:613-555-0142")
    assert result.purge_id is not None and result.counts["ads"] == len(built.phone_ads)
    assert result.counts["rejects"] == 2 and result.counts["escalations"] >= 1
    text = _every_text(built.engine)
    spelled = obfuscated(PHONE)
    for form in (*FORMS, spelled):
        assert form not in text, form
    if built.engine.dialect.name == "sqlite":
        data = _file_bytes(built.url)
        for form in (*FORMS, spelled):
            assert form.encode() not in data, form
    with built.engine.connect() as conn:
        left = set(conn.execute(select(ads.c.ad_id)).scalars())
        assert not left & set(built.phone_ads) and built.neighbour in left
        # The label and its set stay; the set holds what is left of the cluster.
        notes = sorted(conn.execute(select(set_annotations.c.value)).scalars())
        assert notes == ["Same person as [purged], see the case", "suspected"]
        summary = conn.execute(select(cases.c.summary)).scalar_one()
        assert summary == "Phone [purged] seen in Ottawa and Hull"
        assert min(conn.execute(select(ad_sets.c.n_ads)).scalars()) >= 1
        assert _count(built.engine, select(func.count()).select_from(exports)) == 1
        row = conn.execute(select(purges)).one()
    digest = keyed_hash(f"phone:{PHONE}", key=store_key(built.engine))
    assert row.kind == "selector" and row.criteria["digest"] == digest and row.by == "tester"
    assert PHONE not in json.dumps(row.criteria)


def test_linking_after_a_purge_works(built: Built) -> None:
    purge_store(built.engine, by="tester", selector="phone:+1 613 555 0142")
    counts = link_store(built.engine)
    assert counts.mode == "incremental" and counts.ads >= 1
    with built.engine.connect() as conn:
        assert cluster_of(conn, built.neighbour) is not None
        n_ads = _count(built.engine, select(func.count()).select_from(ads))
        assert sum(n for _, n in cluster_sizes(conn)) == n_ads
    score_store(built.engine)


def test_a_dry_run_counts_and_changes_nothing(built: Built) -> None:
    before = _every_text(built.engine)
    result = purge_store(built.engine, by="tester", selector="phone:6135550142", dry_run=True)
    assert result.dry_run and result.counts["ads"] == len(built.phone_ads)
    assert (
        result.counts["rejects"] == 2 and result.counts["ad_versions"] == len(built.phone_ads) + 1
    )
    assert result.counts["notes_redacted"] == 2
    assert _every_text(built.engine) == before


def test_an_age_purge_keeps_young_ads_whole(built: Built) -> None:
    with built.engine.connect() as conn:
        versions_before = conn.execute(
            select(ad_versions.c.ad_id, func.count()).group_by(ad_versions.c.ad_id)
        ).all()
    result = purge_store(built.engine, by="tester", older_than_days=365)
    assert result.kind == "age" and result.counts["ads"] == len(built.old)
    with built.engine.connect() as conn:
        left = set(conn.execute(select(ads.c.ad_id)).scalars())
        assert not left & set(built.old)
        versions_after = conn.execute(
            select(ad_versions.c.ad_id, func.count()).group_by(ad_versions.c.ad_id)
        ).all()
        assert _count(built.engine, select(func.count()).select_from(rejects)) == 2
        # p5 was seen recently again: its old version stays with it.
        assert sorted(versions_after) == sorted(v for v in versions_before if v[0] in left)
        assert [p.kind for p in list_purges(conn)] == ["age"]


def test_bad_purge_requests_are_refused(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    for spec in ("phone:12", "fax:123", "email:nobody", "phone:"):
        with pytest.raises(PurgeProblem):
            parse_selector(spec)
    with pytest.raises(PurgeProblem):
        purge_store(engine, by="t")
    with pytest.raises(PurgeProblem):
        purge_store(engine, by="t", older_than_days=0)
    assert parse_selector("email: Ana@X.ca").value == "ana@x.ca"
    handle = parse_selector("handle:Snapchat:@Lola")
    assert (handle.platform, handle.value) == ("snapchat", "lola")


def test_the_retention_setting_round_trips(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.begin() as conn:
        assert retention_setting(conn) is None
        save_retention_setting(conn, 365, by="admin")
        assert retention_setting(conn) == 365
        save_retention_setting(conn, None, by="admin")
        assert retention_setting(conn) is None


def test_hub_digests_and_selector_keys_of_the_value_go(built: Built) -> None:
    digest = selector_digest("phone", PHONE)
    with built.engine.begin() as conn:
        run_id, data = conn.execute(
            select(run_artifacts.c.run_id, run_artifacts.c.data).where(
                run_artifacts.c.name == "model.json"
            )
        ).one()
        model = json.loads(bytes(data))
        model["hubs"].append({"kind": "phone", "digest": digest, "n_ads": 9, "n_groups": 4})
        where = (run_artifacts.c.run_id == run_id) & (run_artifacts.c.name == "model.json")
        conn.execute(update(run_artifacts).where(where).values(data=json.dumps(model).encode()))
        keys = select(func.count()).where(ad_selector_keys.c.digest == digest)
        assert conn.execute(keys).scalar_one() >= 1
    result = purge_store(built.engine, by="tester", selector=f"phone:{PHONE}")
    assert result.counts["model_hubs"] == 1
    with built.engine.connect() as conn:
        saved = conn.execute(select(run_artifacts.c.data).where(where)).scalar_one()
        assert digest not in bytes(saved).decode()
        keys = select(func.count()).where(ad_selector_keys.c.digest == digest)
        assert conn.execute(keys).scalar_one() == 0
        assert all(h.digest != digest for h in load_link_model(conn, run_id).hubs)


def test_email_and_handle_purges_match_the_whole_value(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    rows = [
        ["e.example", "e1", "Hi", "Write to Ana.Rose@Example.ca tonight", "", "", ""],
        ["e.example", "e2", "Hi", "mail ana.rose@example.ca", "", "", ""],
        ["e.example", "e3", "Hi", "mail bob@example.ca", "", "", ""],
        ["e.example", "e4", "Hi", "snap: lolabelle", "", "", ""],
        ["e.example", "r1", "", "", "snap @Lola", "", ""],  # rejected: no text, no title
        ["e.example", "r2", "", "", "lolabelle", "", ""],
    ]
    ingest_file(engine, _write(tmp_path / "e.csv", rows), IngestOptions())
    result = purge_store(engine, by="t", selector="email:ANA.ROSE@example.ca")
    assert result.counts["ads"] == 2
    handle = purge_store(engine, by="t", selector="handle:snapchat:lola")
    assert handle.counts.get("ads", 0) == 0 and handle.counts["rejects"] == 1
    with engine.connect() as conn:
        assert sorted(conn.execute(select(ads.c.site_ad_id)).scalars()) == ["e3", "e4"]
    assert b"ana.rose" not in (tmp_path / "s.db").read_bytes().lower()


def test_a_purge_while_someone_reads_says_so_and_the_next_one_finishes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    engine = open_store(url)
    text = TEMPLATE.format(phone="613 555 0142")
    rows = [["b.example", f"b{i}", "Hi", text, "", "", ""] for i in range(3)]
    ingest_file(engine, _write(tmp_path / "b.csv", rows), IngestOptions())
    reader = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM ads").fetchone()  # holds a read snapshot of the WAL
    first = purge_store(engine, by="t", selector=f"phone:{PHONE}")
    assert first.counts["ads"] == 3 and not first.vacuumed
    reader.execute("COMMIT")
    reader.close()
    again = purge_store(engine, by="t", selector=f"phone:{PHONE}")
    assert again.counts.get("ads", 0) == 0 and again.vacuumed
    data = _file_bytes(url)
    assert not any(form.encode() in data for form in FORMS)
