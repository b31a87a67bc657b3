"""The store on both backends: schema from migrations, writing ads, versions, sightings, undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select

from adtrace.model import AdRecord
from adtrace.store import batches, migrate
from adtrace.store.engine import StoreError, create_store_engine, open_store
from adtrace.store.schema import ad_versions, ads, metadata, sightings
from tests.store.imports import T0, import_records


def _record(ad_id: str, text: str, line: int, seen: datetime | None = None) -> AdRecord:
    return AdRecord(
        site="site-a",
        site_ad_id=ad_id,
        line=line,
        content_sha256=f"h-{text}",
        text=text,
        seen_at=seen,
    )


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_migrations_build_exactly_the_schema(store_url: str) -> None:
    engine = open_store(store_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_new_updated_unchanged_and_current_version(store_url: str) -> None:
    engine = open_store(store_url)
    _, first = import_records(engine, [_record("1", "hello", 2), _record("2", "bonjour", 3)])
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    later = T0 + timedelta(days=1)
    _, second = import_records(
        engine,
        [_record("1", "hello", 2), _record("2", "bonjour!", 3), _record("2", "bonjour!", 4)],
        later,
    )
    assert (second.new, second.updated, second.unchanged) == (0, 1, 2)
    assert _count(engine, ads) == 2
    assert _count(engine, ad_versions) == 3
    assert _count(engine, sightings) == 5
    with engine.connect() as conn:
        row = conn.execute(
            select(ads.c.sightings, ad_versions.c.text, ads.c.first_seen, ads.c.last_seen)
            .join(ad_versions, ad_versions.c.version_id == ads.c.current_version_id)
            .where(ads.c.site_ad_id == "2")
        ).one()
    assert row.text == "bonjour!" and row.sightings == 3
    assert row.first_seen.replace(tzinfo=UTC) == T0
    assert row.last_seen.replace(tzinfo=UTC) == later


def test_older_scrape_does_not_replace_current_version(store_url: str) -> None:
    engine = open_store(store_url)
    import_records(engine, [_record("1", "new text", 2, seen=T0 + timedelta(days=5))])
    _, counts = import_records(engine, [_record("1", "old text", 2, seen=T0)])
    assert counts.updated == 1
    with engine.connect() as conn:
        text = conn.execute(
            select(ad_versions.c.text).join(
                ads, ads.c.current_version_id == ad_versions.c.version_id
            )
        ).scalar_one()
    assert text == "new text"


def test_undo_removes_only_what_the_batch_brought(store_url: str) -> None:
    engine = open_store(store_url)
    import_records(engine, [_record("1", "a", 2), _record("2", "b", 3)])
    second, _ = import_records(
        engine, [_record("1", "a2", 2), _record("3", "c", 3)], T0 + timedelta(days=1)
    )
    with engine.begin() as conn:
        removed = batches.undo_batch(conn, second)
    assert removed == {"sightings": 2, "versions": 2, "ads": 1}
    assert _count(engine, ads) == 2
    with engine.connect() as conn:
        texts = dict(
            conn.execute(
                select(ads.c.site_ad_id, ad_versions.c.text).join(
                    ad_versions, ad_versions.c.version_id == ads.c.current_version_id
                )
            ).all()
        )
        statuses = [b["status"] for b in batches.list_batches(conn)]
    assert texts == {"1": "a", "2": "b"}
    assert statuses == ["complete", "undone"]
    with engine.begin() as conn, pytest.raises(batches.BatchNotFound):
        batches.undo_batch(conn, second)


def test_store_url_errors_are_one_sentence(tmp_path: object) -> None:
    with pytest.raises(StoreError, match="only sqlite and postgresql"):
        create_store_engine("mysql://x@y/z")
    with pytest.raises(StoreError, match="not valid"):
        create_store_engine("not a url")


def test_upgrade_from_the_first_schema_keeps_the_data(store_url: str) -> None:
    engine = create_store_engine(store_url)
    migrate.upgrade(engine, "0001")
    import_records(engine, [_record("1", "kept across migrations", 2)])
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine = open_store(store_url)
    with engine.connect() as conn:
        assert conn.execute(select(ad_versions.c.text)).scalar_one() == "kept across migrations"


def test_a_store_behind_the_code_asks_for_db_upgrade(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    migrate.upgrade(create_store_engine(url), "0001")
    with pytest.raises(StoreError, match="adtrace db upgrade"):
        open_store(url)
