"""`adtrace score`: files (ads, then clusters) and the store; bad input is exit 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.store.engine import open_store
from adtrace.store.scores import ad_scores, cluster_score, escalations, ranked_clusters
from adtrace.synth import generate_ads, write_ads

runner = CliRunner()

KNOWN = [
    {"id": "k1", "text": "Tight teen 16 yo, new", "title": ""},
    {"id": "k2", "text": "Toute jeune étudiante de 19 ans, photos 100% réelles", "title": ""},
    {"id": "k3", "text": "Mature lady, 40 yo, incall and outcall", "title": "Hello"},
]


def _read(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _known_csv(tmp_path: Path) -> Path:
    path = tmp_path / "known.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "title", "text"])
        writer.writeheader()
        writer.writerows(KNOWN)
    return path


def test_score_file_ads_and_clusters(tmp_path: Path) -> None:
    ads = generate_ads(400, seed=11, workers=1)
    write_ads(ads, tmp_path / "ads.csv")
    result = runner.invoke(
        app,
        [
            "score",
            str(tmp_path / "ads.csv"),
            "-o",
            str(tmp_path / "scores.jsonl"),
            "--clusters-out",
            str(tmp_path / "clusters.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = _read(tmp_path / "scores.jsonl")
    assert [r["id"] for r in rows] == ads.column("id").to_pylist()
    texts = dict(zip(ads.column("id").to_pylist(), ads.column("text").to_pylist(), strict=True))
    for row in rows:
        assert set(row) == {"id", "score", "indicators", "escalate"}
        assert isinstance(row["escalate"], bool) and row["score"] >= 0  # type: ignore[operator]
        for item in row["indicators"]:  # type: ignore[attr-defined]
            assert {"id", "span", "evidence", "tier", "name"} <= set(item)
            if item["span"] and item["field"] == "text":
                start, end = item["span"]
                assert 0 <= start < end <= len(texts[row["id"]])  # type: ignore[index]
    assert sum(bool(r["indicators"]) for r in rows) > 100
    clusters = _read(tmp_path / "clusters.jsonl")
    members = sorted(a for c in clusters for a in c["ads"])  # type: ignore[attr-defined]
    assert members == sorted(texts)
    scores = [c["score"] for c in clusters]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    top = clusters[0]
    assert top["profile"]["n_ads"] == top["n_ads"]  # type: ignore[index]
    assert any(i["id"].startswith("C") for i in top["indicators"])  # type: ignore[attr-defined]


def test_score_file_known_ads_in_french(tmp_path: Path) -> None:
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(
        app, ["score", str(_known_csv(tmp_path)), "-o", str(out), "--lang", "fr"]
    )
    assert result.exit_code == 0, result.output
    assert "1 escalated" in result.output
    k1, k2, k3 = _read(out)
    assert k1["escalate"] is True
    a04 = [i for i in k1["indicators"] if i["id"] == "A04"]  # type: ignore[attr-defined]
    assert {KNOWN[0]["text"][slice(*i["span"])] for i in a04} == {"teen", "16 yo"}
    assert k2["escalate"] is False and k2["score"] > 0  # type: ignore[operator]
    names = {i["id"]: i for i in k2["indicators"]}  # type: ignore[attr-defined]
    assert names["A01"]["name"] == "Formulation suggérant la jeunesse"
    assert names["A06"]["evidence"].startswith("entrée du lexique")
    assert k3["indicators"] == [] and k3["score"] == 0


def test_score_weights_setting_changes_scores(tmp_path: Path) -> None:
    weights = tmp_path / "weights.toml"
    weights.write_text("[tiers]\nV = 3.0\n", encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    known = _known_csv(tmp_path)
    base = runner.invoke(app, ["score", str(known), "-o", str(out)])
    assert base.exit_code == 0, base.output
    before = _read(out)[1]["score"]
    result = runner.invoke(app, ["score", str(known), "-o", str(out), "--weights", str(weights)])
    assert result.exit_code == 0, result.output
    assert _read(out)[1]["score"] > before  # type: ignore[operator]


def test_score_bad_input_is_exit_2(tmp_path: Path) -> None:
    known = _known_csv(tmp_path)
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("id,body\n1,Secret wording\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(no_text), "-o", str(tmp_path / "s.jsonl")])
    assert result.exit_code == 2 and "field 'text'" in result.output
    assert "Secret" not in result.output
    bad = tmp_path / "w.toml"
    bad.write_text("[tiers]\nX = 1\n", encoding="utf-8")
    result = runner.invoke(
        app, ["score", str(known), "-o", str(tmp_path / "s.jsonl"), "--weights", str(bad)]
    )
    assert result.exit_code == 2 and "line 2, field 'tiers.X'" in result.output
    assert runner.invoke(app, ["score", str(known), "-o", str(tmp_path / "s.csv")]).exit_code == 2
    assert runner.invoke(app, ["score", str(tmp_path / "nope.csv"), "-o", "s.jsonl"]).exit_code == 2
    both = runner.invoke(app, ["score", str(known), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert both.exit_code == 2
    assert runner.invoke(app, ["score"]).exit_code == 2


def test_score_store_after_link(store_url: str, tmp_path: Path) -> None:
    ads = generate_ads(300, seed=3, workers=1)
    write_ads(ads, tmp_path / "ads.csv")
    with (tmp_path / "ads.csv").open("a", encoding="utf-8") as handle:
        handle.write("site-z,z1,,,Tight teen 16 yo,,,,,,,,,,,,\n")
    assert (
        runner.invoke(app, ["ingest", str(tmp_path / "ads.csv"), "--db", store_url]).exit_code == 0
    )
    before = runner.invoke(app, ["score", "--db", store_url])
    assert before.exit_code == 0, before.output
    assert "no clusters" in before.output
    link = runner.invoke(app, ["link", "--db", store_url])
    assert link.exit_code == 0, link.output
    result = runner.invoke(app, ["score", "--db", store_url])
    assert result.exit_code == 0, result.output
    assert "301 ads" in result.output and "1 ads escalated" in result.output
    engine = open_store(store_url)
    with engine.connect() as conn:
        ranked = ranked_clusters(conn, limit=5)
        assert len(ranked) == 5 and ranked[0].score >= ranked[-1].score
        assert ranked[0].profile["n_ads"] == ranked[0].n_ads
        assert ranked[0].reasons and "evidence_fr" in ranked[0].reasons[0]
        again = cluster_score(conn, ranked[0].cluster_id)
        assert again is not None and again.score == ranked[0].score
        (flagged,) = escalations(conn, limit=10)
        assert ad_scores(conn, [flagged.ad_id])[flagged.ad_id].escalate
        assert any(r["indicator"] == "A04" for r in flagged.reasons)
