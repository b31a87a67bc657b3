"""Score runs in the store, on both backends: write, read back, rank, escalations, versioning."""

from __future__ import annotations

from sqlalchemy import Engine

from adtrace.store.engine import open_store
from adtrace.store.runs import finish_run, start_run
from adtrace.store.scores import (
    AdScore,
    ClusterScore,
    ad_scores,
    cluster_score,
    escalations,
    latest_score_run,
    ranked_clusters,
    write_ad_scores,
    write_cluster_scores,
)
from tests.store.imports import import_plain_ads

REASON = {
    "indicator": "A01",
    "name_en": "Youth-suggestive wording",
    "name_fr": "Formulation suggérant la jeunesse",
    "tier": "V",
    "weight": 1.0,
    "points": 1.0,
    "field": "text",
    "span": [0, 5],
    "evidence_en": "lexicon entry 'young'",
    "evidence_fr": "entrée du lexique « young »",
}


def _score_run(engine: Engine, ad_rows: list[AdScore], clusters: list[ClusterScore]) -> int:
    with engine.begin() as conn:
        run_id = start_run(conn, "score", {}, "t")
        write_ad_scores(conn, run_id, ad_rows)
        write_cluster_scores(conn, run_id, clusters)
        finish_run(conn, run_id, {"ads": len(ad_rows), "clusters": len(clusters)})
    return run_id


def _link_run(engine: Engine) -> int:
    with engine.begin() as conn:
        run_id = start_run(conn, "link", {}, "t")
        finish_run(conn, run_id, {})
    return run_id


def test_scores_round_trip_rank_and_escalations(store_url: str) -> None:
    engine = open_store(store_url)
    (a1, v1), (a2, v2), (a3, v3) = import_plain_ads(engine, 3)
    link = _link_run(engine)
    ad_rows = [
        AdScore(a1, v1, 2.5, False, (REASON,)),
        AdScore(a2, v2, 0.0, True, ()),
        AdScore(a3, v3, 4.0, True, (REASON, REASON)),
    ]
    clusters = [
        ClusterScore("c1", link, 3.0, False, 2, (REASON,), {"n_ads": 2}),
        ClusterScore("c2", link, 9.5, True, 1, (), {"n_ads": 1, "sites": ["s"]}),
        ClusterScore("c3", link, 3.0, True, 1, (), {}),
    ]
    run_id = _score_run(engine, ad_rows, clusters)
    with engine.connect() as conn:
        assert latest_score_run(conn) == run_id
        found = ad_scores(conn, [a1, a3, 999])
        assert set(found) == {a1, a3}
        assert found[a1].reasons == (REASON,)
        assert found[a1].version_id == v1 and found[a1].run_id == run_id
        assert [c.cluster_id for c in ranked_clusters(conn, limit=10)] == ["c2", "c3", "c1"]
        assert [c.cluster_id for c in ranked_clusters(conn, limit=1, offset=1)] == ["c3"]
        assert [s.ad_id for s in escalations(conn, limit=10)] == [a3, a2]
        assert [s.ad_id for s in escalations(conn, limit=1, offset=1)] == [a2]
        one = cluster_score(conn, "c2")
        assert one is not None
        assert one.profile == {"n_ads": 1, "sites": ["s"]} and one.escalate
        assert cluster_score(conn, "nope") is None


def test_readers_see_only_the_newest_complete_run(store_url: str) -> None:
    engine = open_store(store_url)
    ((a1, v1),) = import_plain_ads(engine, 1)
    link = _link_run(engine)
    with engine.connect() as conn:
        assert ad_scores(conn, [a1]) == {}
        assert ranked_clusters(conn, limit=5) == [] and escalations(conn, limit=5) == []
        assert cluster_score(conn, "c1") is None
    _score_run(engine, [AdScore(a1, v1, 1.0, False)], [ClusterScore("c1", link, 1.0, False, 1)])
    newest = _score_run(
        engine, [AdScore(a1, v1, 7.0, True)], [ClusterScore("c1", link, 2.0, False, 1)]
    )
    with engine.begin() as conn:  # a run still being written is invisible
        running = start_run(conn, "score", {}, "t")
        write_ad_scores(conn, running, [AdScore(a1, v1, 99.0, False)])
    with engine.connect() as conn:
        assert ad_scores(conn, [a1])[a1].score == 7.0
        assert ad_scores(conn, [a1])[a1].run_id == newest
        best = cluster_score(conn, "c1")
        assert best is not None and best.score == 2.0
