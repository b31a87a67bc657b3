"""`adtrace link` on files: every ad gets a cluster; bad input is exit 2 without ad text."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.synth import generate_ads, write_ads

runner = CliRunner()


def test_link_file_gives_every_ad_a_cluster(tmp_path: Path) -> None:
    ads = generate_ads(600, seed=5, workers=1)
    write_ads(ads, tmp_path / "ads.csv")
    result = runner.invoke(
        app,
        [
            "link",
            str(tmp_path / "ads.csv"),
            "-o",
            str(tmp_path / "clusters.csv"),
            "--links",
            str(tmp_path / "links.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "clusters.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ads.column("id").to_pylist()
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row["cluster_id"]] = sizes.get(row["cluster_id"], 0) + 1
    assert max(sizes.values()) > 1 and (tmp_path / "links.jsonl").stat().st_size > 0


def test_link_bad_input_is_exit_2_without_ad_text(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text('id,text\n1,"a"b"c\n2,x,y,z\n', encoding="utf-8")
    result = runner.invoke(app, ["link", str(broken), "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 2
    assert "broken.csv" in result.output and "x,y,z" not in result.output
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("id,body\n1,Secret wording\n", encoding="utf-8")
    result = runner.invoke(app, ["link", str(no_text), "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 2 and "text" in result.output and "Secret" not in result.output
    missing = runner.invoke(app, ["link", str(tmp_path / "nope.csv"), "-o", "c.csv"])
    assert missing.exit_code == 2
