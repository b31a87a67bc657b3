"""Scores and their reasons: tier weights, context with zero weight, escalation without points,
agreement of independent cluster signals, the A14 price baseline, the batch stages."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from adtrace.indicators import (
    Evidence,
    Match,
    load_weights,
    score_ad,
    score_ads,
    score_cluster,
    score_clusters,
)


def _m(indicator: str, tag: str = "", span: tuple[int, int] | None = (0, 3)) -> Match:
    return Match(indicator, "text" if span else None, span, Evidence("term", {"term": "x"}), tag)


def test_reasons_carry_id_name_tier_weight_points_and_evidence() -> None:
    scored = score_ad([_m("A06"), _m("A10"), _m("A12", span=(4, 9))], load_weights())
    assert scored.score == 1.5
    by_id = {r.indicator: r for r in scored.reasons}
    assert by_id["A06"].tier == "V" and by_id["A06"].points == 1.0
    assert by_id["A10"].tier == "X" and by_id["A10"].points == 0.0  # context, never scored
    assert by_id["A12"].span == (4, 9) and by_id["A12"].points == 0.5
    shown = by_id["A06"].to_json("fr")
    assert shown["id"] == "A06" and shown["name"].startswith("Garanties")
    assert shown["evidence"] == "entrée du lexique « x »" and shown["span"] == [0, 3]
    stored = by_id["A06"].to_store()
    assert (
        stored["name_en"] and stored["name_fr"] and stored["evidence_en"] != stored["evidence_fr"]
    )
    assert scored.reasons[0].indicator == "A06"  # highest points first


def test_escalation_adds_no_points() -> None:
    scored = score_ad([_m("A04")], load_weights())
    assert scored.escalate and scored.score == 0.0
    assert scored.reasons[0].indicator == "A04" and scored.reasons[0].tier == "escalate"
    assert not score_ad([_m("A01")], load_weights()).escalate


def test_repeats_and_youth_combination() -> None:
    weights = load_weights()
    assert score_ad([_m("A06")] * 5, weights).score == 1.0 + 0.25 + 0.25
    assert score_ad([_m("A01"), _m("A03")], weights).score == 1.5
    assert score_ad([_m("A01"), _m("A02", tag="youth")], weights).score == 1.5 + 0.25
    assert score_ad([_m("A01"), _m("A02", tag="price")], weights).score == 1.25


def test_ethnicity_and_language_weigh_little(tmp_path: Path) -> None:
    weights = load_weights()
    assert weights.of("A05") <= 0.25 and weights.of("A19") <= 0.1
    override = tmp_path / "w.toml"
    override.write_text("[indicators]\nA05 = 0\n", encoding="utf-8")
    assert score_ad([_m("A05")], load_weights(override)).score == 0.0


def _cluster(indicator: str) -> Match:
    return Match(indicator, None, None, Evidence("c09", {"sites": 2}))


def test_independent_cluster_signals_count_most() -> None:
    weights = load_weights()
    ads = [score_ad([_m("A06")], weights), score_ad([], weights)]
    one, summary_one = score_cluster([_cluster("C01")], ads, weights)
    assert summary_one["families"] == ["ad wording", "personas"]
    three, summary = score_cluster(
        [_cluster("C01"), _cluster("C03"), _cluster("C06")], ads, weights
    )
    assert summary["families"] == ["ad wording", "movement", "personas", "template"]
    assert summary["multiplier"] == 2.5
    assert three.score == pytest.approx((2 + 2 + 2 + 0.5 * 1.0 * 0.5) * 2.5)
    same_family, _ = score_cluster(
        [_cluster("C01"), _cluster("C02"), _cluster("C10")], ads, weights
    )
    assert three.score > same_family.score > one.score
    assert sum(r.points for r in three.reasons) == pytest.approx(three.score)
    share = next(r for r in three.reasons if r.indicator == "A06")
    assert share.evidence.params == {"count": 1, "ads": 2}


def test_sensitive_indicators_never_make_a_family() -> None:
    weights = load_weights()
    ads = [score_ad([_m("A05"), _m("A19")], weights)] * 3
    _, summary = score_cluster([_cluster("C01")], ads, weights)
    assert summary["families"] == ["personas"]


def test_cluster_escalates_when_one_ad_does() -> None:
    weights = load_weights()
    ads = [score_ad([_m("A04")], weights), score_ad([], weights)]
    scored, _ = score_cluster([], ads, weights)
    assert scored.escalate and scored.score == 0.0


def test_low_price_against_the_city_baseline() -> None:
    texts = [f"Toronto, {200 + i}$/h" for i in range(24)] + ["Toronto, 80$/h", "Toronto, 60$ QV"]
    table = pa.table(
        {
            "id": [str(i) for i in range(len(texts))],
            "text": texts,
            "city": ["Toronto"] * len(texts),
        }
    )
    scored = score_ads(table)
    flagged = [
        i for i, s in zip(scored.ids, scored.scores, strict=True) if "A14" in s.indicator_ids()
    ]
    assert flagged == ["24"]  # $60 for 15 minutes is $240 an hour, not low
    (reason,) = [r for r in scored.scores[24].reasons if r.indicator == "A14"]
    assert reason.span is None and reason.to_json()["evidence"].startswith("$80 per hour")
    few = score_ads(table.slice(20))  # six prices: no baseline, no figure
    assert all("A14" not in s.indicator_ids() for s in few.scores)


def test_batch_ads_then_clusters() -> None:
    table = pa.table(
        {
            "id": ["1", "2", "3", "4"],
            "title": ["New girl", None, None, None],
            "text": [
                "My name is Amber, call 416-555-0101, 19 yo",
                "My name is Chloe, call 416-555-0101",
                "My name is Zoe, call 416-555-0101, 100% real pics",
                "Independent, 35 yo, text 604-555-0102",
            ],
            "posted_at": ["2025-01-01T10:00:00", "2025-01-02T10:00:00", "2025-01-03", None],
            "site": ["a", "b", "a", "c"],
            "city": ["Toronto", "Montréal", "Calgary", "Vancouver"],
        }
    )
    scored = score_ads(table)
    assert scored.ids == ["1", "2", "3", "4"]
    assert scored.scores[0].indicator_ids()[:1] == ["A01"]
    assert scored.profile_ads[1].phones == ("+14165550101",)
    clusters = score_clusters(scored, ["k1", "k1", "k1", "k2"], [("1", "2"), ("2", "3")])
    assert [c.cluster_id for c in clusters] == ["k1", "k2"]
    top = clusters[0]
    assert {"C01", "C03", "C06", "C09"} <= set(top.scored.indicator_ids())
    assert top.profile["n_ads"] == 3 and top.profile["score"]["multiplier"] > 1
    assert clusters[1].ad_ids == ["4"]


def test_workers_give_the_same_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    from adtrace.indicators import batch
    from adtrace.synth import generate_ads

    table = generate_ads(240, seed=4, workers=1)
    monkeypatch.setattr(batch, "CHUNK_ADS", 50)
    alone, pooled = score_ads(table), score_ads(table, workers=2)
    assert pooled.ids == alone.ids and pooled.profile_ads == alone.profile_ads
    assert [s.score for s in pooled.scores] == [s.score for s in alone.scores]
    assert [s.reasons for s in pooled.scores] == [s.reasons for s in alone.scores]
    assert any(s.reasons for s in alone.scores)
