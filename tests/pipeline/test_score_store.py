"""Scoring on the store reuses the selectors extraction stored, and scores exactly as extracting
them again would."""

from __future__ import annotations

from pathlib import Path

from adtrace.indicators import load_weights, score_ads
from adtrace.pipeline import IngestOptions, extract_store, ingest_file
from adtrace.pipeline.score import stored_extractions
from adtrace.store.engine import open_store
from adtrace.store.scores import scoring_ads
from adtrace.synth import generate_ads, write_ads
from tests.pipeline.test_ingest import write_csv

OBFUSCATED = [
    [
        "x1",
        "site-z",
        "Hazel 23",
        "Call 4I6 five five five 0123, Hazel, 23 yo, 200$/hr, Laval",
        "Laval",
    ],
    ["x2", "site-z", "Nina", "Appelle au quatre un six 555 0124, snap: nina_x, 19 ans", "Montréal"],
]


def test_stored_extractions_score_like_fresh_ones(store_url: str, tmp_path: Path) -> None:
    engine = open_store(store_url)
    synthetic = tmp_path / "ads.csv"
    write_ads(generate_ads(200, 11, workers=1), synthetic)
    ingest_file(engine, synthetic, IngestOptions())
    extra = write_csv(tmp_path / "extra.csv", OBFUSCATED, ["id", "site", "title", "text", "city"])
    ingest_file(engine, extra, IngestOptions())
    with engine.connect() as conn:
        before = stored_extractions(conn, scoring_ads(conn).column("version_id").to_pylist())
    assert before and all(found is None for found in before)  # nothing extracted yet

    extract_store(engine, workers=1)
    with engine.connect() as conn:
        table = scoring_ads(conn)
        stored = stored_extractions(conn, table.column("version_id").to_pylist())
    assert all(found is not None for found in stored)
    weights = load_weights(None)
    reused = score_ads(table, weights=weights, extractions=stored)
    fresh = score_ads(table, weights=weights)
    assert reused.scores == fresh.scores
    assert reused.profile_ads == fresh.profile_ads
    assert any(s.reasons for s in fresh.scores)  # the comparison is not between empty scores
