"""Stage runs (extract, link, score): the code version and parameters behind every result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from adtrace.store.schema import runs


def start_run(conn: Connection, stage: str, params: dict[str, Any], code_version: str) -> int:
    """Record a run of `stage` starting now; returns its id."""
    row = conn.execute(
        insert(runs).returning(runs.c.run_id),
        {
            "stage": stage,
            "code_version": code_version,
            "params": params,
            "started_at": datetime.now(UTC),
            "status": "running",
            "counts": {},
        },
    ).one()
    return int(row.run_id)


def finish_run(conn: Connection, run_id: int, counts: dict[str, int]) -> None:
    """Mark the run complete with what it did."""
    conn.execute(
        update(runs)
        .where(runs.c.run_id == run_id)
        .values(status="complete", finished_at=datetime.now(UTC), counts=counts)
    )


def list_runs(conn: Connection, stage: str | None = None) -> list[dict[str, Any]]:
    """Runs, oldest first, of one stage or all."""
    query = select(runs).order_by(runs.c.run_id)
    if stage is not None:
        query = query.where(runs.c.stage == stage)
    return [dict(row) for row in conn.execute(query).mappings()]
