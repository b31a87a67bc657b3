"""Writing ads into a test store as one complete import batch, as ingest does."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from adtrace.model import AdRecord, BatchId, ImportCounts
from adtrace.store import batches
from adtrace.store.ads import write_ads
from adtrace.store.schema import ads

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def import_records(
    engine: Engine, records: list[AdRecord], when: datetime = T0
) -> tuple[BatchId, ImportCounts]:
    """Start a batch, write `records` in it and finish it, in one transaction."""
    with engine.begin() as conn:
        batch_id = batches.start_batch(
            conn,
            dataset="d",
            source="f.csv",
            file_sha256="0" * 64,
            file_format="csv",
            params={},
            code_version="t",
            started_at=when,
        )
        counts = write_ads(conn, batch_id, records, when)
        batches.finish_batch(conn, batch_id, counts)
    return batch_id, counts


def import_plain_ads(engine: Engine, n: int) -> list[tuple[int, int]]:
    """Import n one-line ads ("ad 0", "ad 1", ...); (ad id, current version id) of each."""
    records = [
        AdRecord(site="s", site_ad_id=str(i), line=i + 2, content_sha256=f"h{i}", text=f"ad {i}")
        for i in range(n)
    ]
    import_records(engine, records)
    with engine.connect() as conn:
        rows = conn.execute(select(ads.c.ad_id, ads.c.current_version_id).order_by(ads.c.ad_id))
        return [(int(r.ad_id), int(r.current_version_id)) for r in rows]
