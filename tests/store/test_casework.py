"""Case work in the store, on both backends: sets, labels that supersede and survive re-linking,
the review flag (ads added, removed; splits flag both halves), notes, tags and cases."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from adtrace.cli.main import app
from adtrace.pipeline.link import link_store
from adtrace.store import casework as cw
from adtrace.store.clusters import cluster_members, cluster_of, latest_link_run
from adtrace.store.engine import open_store
from adtrace.store.schema import ads

runner = CliRunner()
P1, P2 = "416-555-0101", "514-555-0199"


def _text(seed: int, phones: list[str]) -> str:
    """Twenty pseudo-words no other ad shares, then the phones: ads link only by phone."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=7)) for _ in range(20)]
    return " ".join(words) + " " + " ".join(phones)


def _ingest(url: str, path: Path, rows: list[tuple[int, list[str]]]) -> None:
    lines = ["site,id,title,text,posted_at"]
    for ad, phones in rows:
        text = _text(ad, phones)
        lines.append(f'site-a.example,{ad},Ad {ad},"{text}",2024-05-0{1 + ad % 8}T10:00:00')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path), "--db", url, "--dataset", path.stem])
    assert result.exit_code == 0, result.output


def _ad(engine: Engine, site_ad_id: int) -> int:
    """The store's ad id of a hand-written ad."""
    with engine.connect() as conn:
        query = select(ads.c.ad_id).where(ads.c.site_ad_id == str(site_ad_id))
        return int(conn.execute(query).scalar_one())


@pytest.fixture
def two_clusters(store_url: str, tmp_path: Path) -> Engine:
    """Ads 1-3 share phone P1, ads 11-13 share P2: two clusters of three, linked."""
    _ingest(store_url, tmp_path / "p1.csv", [(i, [P1]) for i in (1, 2, 3)])
    _ingest(store_url, tmp_path / "p2.csv", [(i, [P2]) for i in (11, 12, 13)])
    engine = open_store(store_url)
    link_store(engine)
    return engine


def _cluster(engine: Engine, site_ad_id: int) -> str:
    with engine.connect() as conn:
        cluster = cluster_of(conn, _ad(engine, site_ad_id))
    assert cluster is not None
    return cluster


def test_snapshot_keeps_each_ad_once_and_tells_where_they_are_now(two_clusters: Engine) -> None:
    a, b = _cluster(two_clusters, 1), _cluster(two_clusters, 11)
    ids = [_ad(two_clusters, i) for i in (1, 2, 11)]
    with two_clusters.begin() as conn:
        set_id = cw.snapshot_set(conn, [*ids, ids[0]], by="ana", cluster_id=a, link_run=7)
        assert cw.set_ad_ids(conn, set_id) == sorted(ids)
        assert cw.where_now(conn, set_id) == [(a, 2), (b, 1)]
        assert cw.current_clusters(conn, [*ids, 10**9]) == {ids[0]: a, ids[1]: a, ids[2]: b}
        whole = cw.snapshot_cluster(conn, a, by="ana")
        assert cw.set_ad_ids(conn, whole) == cluster_members(conn, a)
        with pytest.raises(LookupError):
            cw.snapshot_cluster(conn, "no-such-cluster", by="ana")


def test_labels_supersede_and_removal_keeps_history(two_clusters: Engine) -> None:
    a, b = _cluster(two_clusters, 1), _cluster(two_clusters, 11)
    with two_clusters.begin() as conn:
        first = cw.annotate_cluster(conn, a, "label", "spam", by="ana")
        second = cw.annotate_cluster(conn, a, "label", "suspected", by="bob")
        with pytest.raises(ValueError, match="unknown label"):
            cw.annotate_cluster(conn, a, "label", "guilty", by="bob")
    with two_clusters.connect() as conn:
        work = cw.cluster_casework(conn, a)
        assert cw.cluster_casework(conn, b).label is None
        run = latest_link_run(conn)
    assert work.label is not None and work.review is None
    assert (work.label.annotation_id, work.label.value, work.label.created_by) == (
        second,
        "suspected",
        "bob",
    )
    assert work.label.cluster_id == a
    assert [h.annotation_id for h in work.history] == [second, first]
    with two_clusters.begin() as conn:
        assert cw.remove_cluster_label(conn, a, by="cat") == 2
        assert cw.remove_cluster_label(conn, a, by="cat") == 0
        work = cw.cluster_casework(conn, a)
        labelled = cw.annotation_of(conn, second)
    assert work.label is None and work.review is None
    assert [(h.value, h.removed_by) for h in work.history] == [
        ("suspected", "cat"),
        ("spam", "cat"),
    ]
    assert labelled is not None and labelled.removed_at is not None
    assert run is not None


def test_notes_and_tags_attach_to_sets_and_removal_keeps_them(two_clusters: Engine) -> None:
    a = _cluster(two_clusters, 1)
    with two_clusters.begin() as conn:
        note = cw.annotate_cluster(conn, a, "note", "<b>same driver</b>", by="ana")
        cw.annotate_cluster(conn, a, "tag", "ring-7", by="ana")
        cw.annotate_cluster(conn, a, "tag", "ring-7", by="bob")
        with pytest.raises(ValueError):
            cw.annotate_cluster(conn, a, "note", " ", by="ana")
        with pytest.raises(ValueError):
            cw.annotate_cluster(conn, a, "note", "x" * (cw.NOTE_MAX + 1), by="ana")
        with pytest.raises(ValueError):
            cw.annotate_cluster(conn, a, "tag", "Ring 7", by="ana")
        work = cw.cluster_casework(conn, a)
        assert [n.value for n in work.notes] == ["<b>same driver</b>"]
        assert [(t.value, t.created_by) for t in work.tags] == [("ring-7", "bob")]
        assert cw.remove_annotation(conn, note, by="bob")
        assert not cw.remove_annotation(conn, note, by="bob")
        assert cw.remove_cluster_tag(conn, a, "ring-7", by="cat") == 2  # added twice: both go
        work = cw.cluster_casework(conn, a)
    assert work.notes == () and work.tags == ()
    assert sorted((r.kind, r.removed_by) for r in work.removed) == [
        ("note", "bob"),
        ("tag", "cat"),
        ("tag", "cat"),
    ]


@pytest.mark.parametrize(
    ("text", "tag"),
    [("  Ring 7 ", "ring-7"), ("a_b-c", "a_b-c"), ("", None), ("x" * 41, None), ("é", None)],
)
def test_tags_are_normalised(text: str, tag: str | None) -> None:
    assert cw.normalise_tag(text) == tag


@given(st.text(max_size=60))
def test_a_normalised_tag_is_valid_and_stays_the_same(text: str) -> None:
    tag = cw.normalise_tag(text)
    if tag is not None:
        assert cw.TAG_PATTERN.fullmatch(tag) and cw.normalise_tag(tag) == tag


def test_cases_gather_sets_and_their_ads(two_clusters: Engine) -> None:
    a, b = _cluster(two_clusters, 1), _cluster(two_clusters, 11)
    lone = _ad(two_clusters, 12)
    with two_clusters.begin() as conn:
        case_id = cw.create_case(conn, "  Operation North ", "two numbers", by="ana")
        first = cw.add_cluster_to_case(conn, case_id, a, by="ana")
        cw.add_ad_to_case(conn, case_id, lone, by="bob")
        cw.add_ad_to_case(conn, case_id, lone, by="bob")  # twice: the union holds it once
        with pytest.raises(LookupError):
            cw.add_ad_to_case(conn, case_id, 10**9, by="bob")
        with pytest.raises(ValueError):
            cw.create_case(conn, " ", "", by="ana")
        case = cw.get_case(conn, case_id)
        expected = sorted([*cluster_members(conn, a), lone])
        assert cw.case_ad_ids(conn, case_id) == expected
        assert cw.cluster_casework(conn, b).cases == ((case_id, "Operation North"),)
    assert case is not None and case.title == "Operation North" and case.status == "open"
    assert [(i.kind, i.cluster_id, i.n_ads, i.added_by) for i in case.items] == [
        ("cluster", a, 3, "ana"),
        ("ad", None, 1, "bob"),
        ("ad", None, 1, "bob"),
    ]
    with two_clusters.begin() as conn:
        assert cw.remove_case_item(conn, case_id, first, by="cat")
        assert not cw.remove_case_item(conn, case_id, first, by="cat")
        assert cw.case_ad_ids(conn, case_id) == [lone]
        assert cw.cluster_casework(conn, a).cases == ()
        assert [i.removed_by for i in cw.case_history(conn, case_id)] == ["cat", None, None]
        (summary,) = cw.list_cases(conn)
        assert (summary.n_items, summary.n_ads) == (2, 1)
        assert cw.set_case_status(conn, case_id, "closed")
        with pytest.raises(LookupError, match="closed"):
            cw.add_cluster_to_case(conn, case_id, b, by="ana")
        assert cw.list_cases(conn, "open") == []
        assert cw.get_case(conn, 10**9) is None


def test_a_label_survives_a_relink_that_adds_ads_and_the_review_flag_appears(
    two_clusters: Engine, store_url: str, tmp_path: Path
) -> None:
    a = _cluster(two_clusters, 1)
    with two_clusters.begin() as conn:
        label = cw.annotate_cluster(conn, a, "label", "suspected", by="ana")
        assert cw.review_queue(conn) == []
    _ingest(store_url, tmp_path / "later.csv", [(4, [P1]), (5, [P1])])
    assert link_store(two_clusters).mode == "incremental"
    new = [_ad(two_clusters, 4), _ad(two_clusters, 5)]
    now = _cluster(two_clusters, 4)  # found through the ads, whatever its id is now
    assert _cluster(two_clusters, 1) == now == _cluster(two_clusters, 5)
    with two_clusters.connect() as conn:
        work = cw.cluster_casework(conn, now)
        queue = cw.review_queue(conn)
        other = cw.cluster_casework(conn, _cluster(two_clusters, 11))
    assert work.label is not None and work.label.annotation_id == label
    assert work.label.value == "suspected" and work.label.created_by == "ana"
    assert work.review is not None
    assert work.review.added == tuple(sorted(new)) and work.review.removed == ()
    assert [(f.cluster_id, f.n_ads, f.review.added) for f in queue] == [(now, 5, tuple(new))]
    assert other.label is None and other.review is None
    # confirming relabels the current ads: the flag goes, the first label stays as history
    with two_clusters.begin() as conn:
        cw.annotate_cluster(conn, now, "label", "suspected", by="bob")
        work = cw.cluster_casework(conn, now)
        assert cw.review_queue(conn) == []
    assert work.review is None and work.label is not None and work.label.created_by == "bob"
    assert [h.created_by for h in work.history] == ["bob", "ana"]


def test_a_labelled_cluster_that_splits_flags_both_halves(
    store_url: str, tmp_path: Path, two_clusters: Engine
) -> None:
    _ingest(store_url, tmp_path / "bridge.csv", [(99, [P1, P2])])
    link_store(two_clusters)
    merged, bridge = _cluster(two_clusters, 99), _ad(two_clusters, 99)
    assert _cluster(two_clusters, 1) == merged == _cluster(two_clusters, 11)
    with two_clusters.begin() as conn:
        cw.annotate_cluster(conn, merged, "label", "scam", by="ana")
    result = runner.invoke(app, ["import", "undo", "3", "--db", store_url])
    assert result.exit_code == 0, result.output
    link_store(two_clusters)
    halves = {_cluster(two_clusters, 1): (1, 2, 3), _cluster(two_clusters, 11): (11, 12, 13)}
    assert len(halves) == 2
    with two_clusters.connect() as conn:
        queue = {f.cluster_id: f.review for f in cw.review_queue(conn)}
    assert set(queue) == set(halves)  # both parts of the labelled set are flagged
    for cluster_id, review in queue.items():
        other = {_ad(two_clusters, i) for h, ids in halves.items() if h != cluster_id for i in ids}
        assert review.labelled.value == "scam" and review.added == ()
        assert set(review.removed) == other | {bridge}  # the other part, and the deleted bridge
        assert _members(two_clusters, cluster_id) == sorted(
            _ad(two_clusters, i) for i in halves[cluster_id]
        )


def _members(engine: Engine, cluster_id: str) -> list[int]:
    with engine.connect() as conn:
        return cluster_members(conn, cluster_id)
