"""`adtrace link --db` on both stores: same clusters as file mode, kept with the run; export."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.store.engine import open_store
from adtrace.store.schema import ad_links, cluster_members, run_artifacts, runs
from adtrace.synth import generate_ads, write_ads

runner = CliRunner()


def partition(pairs: list[tuple[str, str]]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for ad, cluster in pairs:
        groups.setdefault(cluster, set()).add(ad)
    return {frozenset(g) for g in groups.values()}


def test_store_link_matches_file_link_and_exports(store_url: str, tmp_path: Path) -> None:
    ads = generate_ads(400, seed=9, workers=1)
    write_ads(ads, tmp_path / "ads.csv")
    result = runner.invoke(app, ["run", str(tmp_path / "ads.csv"), "--db", store_url])
    assert result.exit_code == 0, result.output
    exported = tmp_path / "export.csv"
    result = runner.invoke(app, ["clusters", "export", "--db", store_url, "-o", str(exported)])
    assert result.exit_code == 0, result.output
    with exported.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 400 and set(rows[0]) == {"site", "id", "cluster_id"}
    from_store = partition([(f"{r['site']}/{r['id']}", r["cluster_id"]) for r in rows])
    runner.invoke(app, ["link", str(tmp_path / "ads.csv"), "-o", str(tmp_path / "file.csv")])
    with (tmp_path / "file.csv").open(encoding="utf-8") as handle:
        by_id = {r["id"]: r["cluster_id"] for r in csv.DictReader(handle)}
    sites = dict(zip(ads.column("id").to_pylist(), ads.column("site").to_pylist(), strict=True))
    from_file = partition([(f"{sites[ad]}/{ad}", cluster) for ad, cluster in by_id.items()])
    assert from_store == from_file
    engine = open_store(store_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cluster_members)).scalar_one() == 400
        assert conn.execute(select(func.count()).select_from(ad_links)).scalar_one() > 0
        assert conn.execute(select(func.count()).select_from(run_artifacts)).scalar_one() >= 2
        stages = [r.stage for r in conn.execute(select(runs.c.stage).order_by(runs.c.run_id))]
    assert stages == ["extract", "link", "score"]


def test_clusters_export_without_a_run_is_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(app, ["clusters", "export", "--db", url, "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 2 and "no link run" in result.output
