"""The app over a PostgreSQL store: every page answers, and search agrees with SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adtrace.web.app import create_app
from tests.postgres import create_database
from tests.web.conftest import login
from tests.web.seed import Seeded, obfuscated, seed_store


@pytest.mark.postgresql
def test_pages_answer_on_postgresql_as_on_sqlite(
    postgres_url: str, tmp_path: Path, client: TestClient, seeded: Seeded
) -> None:
    pg = seed_store(create_database(postgres_url), tmp_path)
    with TestClient(create_app(pg.engine), base_url="http://127.0.0.1") as other:
        login(other, *pg.analyst)
        link = other.get(f"/api/clusters/{pg.cluster_id}").json()["links"][0]
        for url in (
            "/",
            f"/search?phone={obfuscated(pg.phone)}",
            f"/ads/{pg.hostile_ad}",
            f"/ads/{pg.escalated_ad}",
            f"/clusters/{pg.cluster_id}",
            f"/api/clusters/{pg.cluster_id}/graph",
            f"/compare?a={link['a']}&b={link['b']}",
        ):
            assert other.get(url).status_code == 200, url
        for params in (
            {"q": "real", "sort": "oldest"},
            {"phone": obfuscated(seeded.phone)},
            {"city": "mont", "q": "new"},
            {"q": "real", "min_score": "1", "sort": "score"},
            {"site": "site-a.example", "from": "2024-01-01", "to": "2024-06-30"},
        ):
            on_pg = other.get("/api/search", params=params).json()["paging"]["total"]
            on_lite = client.get("/api/search", params=params).json()["paging"]["total"]
            assert on_pg == on_lite, params
