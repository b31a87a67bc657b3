"""Escalations (A04) in the store, on both backends: opening from score runs, the workflow's
transitions, owners, comments and the history."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count, pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select, update

from adtrace.model import AdRecord
from adtrace.pipeline.score import score_store
from adtrace.store.engine import open_store
from adtrace.store.escalations import (
    STATUSES,
    TRANSITIONS,
    CommentRequired,
    CommentTooLong,
    EscalationNotFound,
    Filter,
    OwnerRefused,
    StaleChange,
    TransitionRefused,
    add_comment,
    count_escalations,
    escalation_of_ad,
    escalations_of_ads,
    get_escalation,
    history,
    list_escalations,
    needs_comment,
    open_escalation,
    pending_ads,
    possible_owners,
    set_owner,
    set_status,
    status_counts,
    sync_escalations,
)
from adtrace.store.runs import finish_run, start_run
from adtrace.store.schema import ads, cluster_members, users
from adtrace.store.scores import AdScore, write_ad_scores
from adtrace.web.auth import add_user
from tests.store.imports import import_plain_ads, import_records

A04 = {
    "indicator": "A04",
    "name_en": "Explicit minor reference (escalation)",
    "name_fr": "Mention explicite d'une personne mineure (escalade)",
    "tier": "escalate",
    "weight": 0.0,
    "points": 0.0,
    "field": "text",
    "span": [4, 14],
    "evidence_en": "minor term 'not yet 18'",
    "evidence_fr": "terme désignant une mineure « not yet 18 »",
}


def _score_run(engine: Engine, ad_rows: list[tuple[int, int]], escalated: set[int]) -> int:
    """A complete score run escalating the ads in `escalated` (A04 reason), without syncing."""
    rows = [
        AdScore(ad, version, 0.5, ad in escalated, (A04,) if ad in escalated else ())
        for ad, version in ad_rows
    ]
    with engine.begin() as conn:
        run_id = start_run(conn, "score", {}, "t")
        write_ad_scores(conn, run_id, rows)
        finish_run(conn, run_id, {"ads": len(rows)})
    return run_id


def _users(engine: Engine) -> None:
    with engine.begin() as conn:
        add_user(conn, "ana", "pw-ana-123", role="analyst")
        add_user(conn, "bea", "pw-bea-123", role="admin")
        add_user(conn, "vic", "pw-vic-123", role="viewer")
        add_user(conn, "old", "pw-old-123", role="analyst")
        conn.execute(
            update(users).where(users.c.username == "old").values(disabled_at=datetime.now(UTC))
        )


def _opened(engine: Engine, n: int = 1) -> list[int]:
    """n escalations opened by hand on fresh ads; their ids."""
    ad_rows = import_plain_ads(engine, n)
    with engine.begin() as conn:
        return [open_escalation(conn, ad, "r", by="ana").escalation_id for ad, _ in ad_rows]


def test_sync_opens_one_per_escalated_ad_and_is_idempotent(store_url: str) -> None:
    engine = open_store(store_url)
    ad_rows = import_plain_ads(engine, 4)
    (a1, _), (a2, _), (a3, _), (a4, _) = ad_rows
    with engine.begin() as conn:
        assert sync_escalations(conn) == 0  # no score run yet
        link = start_run(conn, "link", {}, "t")
        finish_run(conn, link, {})
        conn.execute(insert(cluster_members), [{"ad_id": a1, "cluster_id": "c9", "run_id": link}])
    run1 = _score_run(engine, ad_rows, {a1, a3})
    with engine.begin() as conn:
        assert pending_ads(conn) == [a1, a3]
        assert sync_escalations(conn) == 2
        assert sync_escalations(conn) == 0 and pending_ads(conn) == []
        first = escalation_of_ad(conn, a1)
        assert first is not None
        assert (first.status, first.owner, first.cluster_id, first.score_run) == (
            "new",
            None,
            "c9",
            run1,
        )
        assert first.reason == (
            "Explicit minor reference (escalation): minor term 'not yet 18' (text, characters 4-14)"
        )
        third = escalation_of_ad(conn, a3)
        assert third is not None and third.cluster_id is None
        assert escalation_of_ad(conn, a2) is None and escalation_of_ad(conn, a4) is None
        assert escalations_of_ads(conn, [a3, a2, a1, a1]) == {a1: first, a3: third}
        assert [(e.action, e.by, e.new) for e in history(conn, first.escalation_id)] == [
            ("opened", "system", "new")
        ]
        set_status(conn, first.escalation_id, "closed", by="ana", comment="adult, checked")
    # A later run escalates a1 again (closed: stays closed) and a4 (new), no longer a3.
    run2 = _score_run(engine, ad_rows, {a1, a4})
    with engine.begin() as conn:
        assert sync_escalations(conn, by="scorer") == 1
        assert sync_escalations(conn) == 0
        assert get_escalation(conn, first.escalation_id).status == "closed"
        fourth = escalation_of_ad(conn, a4)
        assert fourth is not None and fourth.score_run == run2
        assert history(conn, fourth.escalation_id)[0].by == "scorer"
        assert escalation_of_ad(conn, a3) == third  # kept, untouched
        assert count_escalations(conn) == 3


def test_allowed_transitions_move_and_refused_ones_raise(store_url: str) -> None:
    engine = open_store(store_url)
    (esc,) = _opened(engine)
    with engine.begin() as conn:
        for refused in ("referred", "new", "closed-ish", "done"):
            with pytest.raises(TransitionRefused):
                set_status(conn, esc, refused, by="ana", comment="x")
        assert set_status(conn, esc, "in_review", by="ana").status == "in_review"
        with pytest.raises(TransitionRefused):
            set_status(conn, esc, "in_review", by="ana")  # already there
        with pytest.raises(CommentRequired):
            set_status(conn, esc, "referred", by="ana", comment="   ")
        assert set_status(conn, esc, "referred", by="ana", comment="to police").status == "referred"
        with pytest.raises(TransitionRefused):
            set_status(conn, esc, "new", by="ana")
        assert set_status(conn, esc, "in_review", by="ana").status == "in_review"
        with pytest.raises(CommentRequired):
            set_status(conn, esc, "closed", by="ana")
        set_status(conn, esc, "closed", by="ana", comment="done")
        for refused in ("new", "referred", "closed"):
            with pytest.raises(TransitionRefused):
                set_status(conn, esc, refused, by="ana", comment="x")
        with pytest.raises(CommentRequired):
            set_status(conn, esc, "in_review", by="ana")  # reopening needs a reason
        assert set_status(conn, esc, "in_review", by="ana", comment="new ad").status == "in_review"
        with pytest.raises(StaleChange):
            set_status(conn, esc, "closed", by="ana", comment="x", expected="new")
        with pytest.raises(EscalationNotFound):
            set_status(conn, esc + 1000, "in_review", by="ana")
        with pytest.raises(CommentTooLong):
            set_status(conn, esc, "closed", by="ana", comment="x" * 10_001)
        assert get_escalation(conn, esc).status == "in_review"


def test_every_status_is_reachable_and_the_table_is_closed() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert all(set(targets) <= set(STATUSES) for targets in TRANSITIONS.values())
    reached, todo = {"new"}, ["new"]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in reached:
                reached.add(target)
                todo.append(target)
    assert reached == set(STATUSES)
    assert all("closed" in TRANSITIONS[s] for s in STATUSES if s != "closed")


def test_owner_take_assign_release_and_refusals(store_url: str) -> None:
    engine = open_store(store_url)
    _users(engine)
    (esc,) = _opened(engine)
    with engine.begin() as conn:
        assert possible_owners(conn) == ["ana", "bea"]
        assert set_owner(conn, esc, "ana", by="ana").owner == "ana"  # take it
        before = len(history(conn, esc))
        assert set_owner(conn, esc, "ana", by="ana").owner == "ana"  # no change: no event
        assert len(history(conn, esc)) == before
        for refused in ("vic", "old", "nobody"):
            with pytest.raises(OwnerRefused):
                set_owner(conn, esc, refused, by="ana")
        with pytest.raises(StaleChange):
            set_owner(conn, esc, "bea", by="bea", expected="")
        assert set_owner(conn, esc, "bea", by="ana", expected="ana").owner == "bea"
        assert set_owner(conn, esc, None, by="bea", comment="on leave").owner is None
        owners = [
            (e.by, e.old, e.new, e.comment) for e in history(conn, esc) if e.action == "owner"
        ]
        assert owners == [
            ("ana", None, "ana", None),
            ("ana", "ana", "bea", None),
            ("bea", "bea", None, "on leave"),
        ]


def test_history_is_complete_and_ordered(store_url: str) -> None:
    engine = open_store(store_url)
    _users(engine)
    (esc,) = _opened(engine)
    with engine.begin() as conn:
        set_owner(conn, esc, "ana", by="ana")
        set_status(conn, esc, "in_review", by="ana")
        add_comment(conn, esc, "  called the site  ", by="bea")
        with pytest.raises(CommentRequired):
            add_comment(conn, esc, " ", by="bea")
        set_status(conn, esc, "referred", by="ana", comment="sent to the unit")
        set_status(conn, esc, "closed", by="bea", comment="unit confirmed")
    with engine.connect() as conn:
        events = history(conn, esc)
        final = get_escalation(conn, esc)
    assert [(e.action, e.by, e.old, e.new, e.comment) for e in events] == [
        ("opened", "ana", None, "new", None),
        ("owner", "ana", None, "ana", None),
        ("status", "ana", "new", "in_review", None),
        ("comment", "bea", None, None, "called the site"),
        ("status", "ana", "in_review", "referred", "sent to the unit"),
        ("status", "bea", "referred", "closed", "unit confirmed"),
    ]
    assert [e.event_id for e in events] == sorted(e.event_id for e in events)
    assert all(a.at <= b.at for a, b in pairwise(events))
    assert all(e.at.tzinfo is not None for e in events)
    assert final.updated_at == events[-1].at and final.created_at == events[0].at
    assert (final.status, final.owner) == ("closed", "ana")


def test_lists_filter_count_and_page_newest_first(store_url: str) -> None:
    engine = open_store(store_url)
    _users(engine)
    ids = _opened(engine, 5)
    with engine.begin() as conn:
        set_owner(conn, ids[0], "ana", by="ana")
        set_owner(conn, ids[1], "bea", by="bea")
        set_status(conn, ids[1], "in_review", by="bea")
        set_status(conn, ids[2], "closed", by="ana", comment="duplicate")
    with engine.connect() as conn:
        newest_first = [e.escalation_id for e in list_escalations(conn, limit=10)]
        assert newest_first == sorted(ids, reverse=True)
        assert [e.escalation_id for e in list_escalations(conn, limit=2, offset=2)] == [
            ids[2],
            ids[1],
        ]
        assert [e.escalation_id for e in list_escalations(conn, Filter(owner="ana"), limit=9)] == [
            ids[0]
        ]
        unowned = list_escalations(conn, Filter(unowned=True), limit=9)
        assert {e.escalation_id for e in unowned} == {ids[2], ids[3], ids[4]}
        new = Filter(status="new")
        assert count_escalations(conn, new) == 3
        assert count_escalations(conn, Filter(status="new", unowned=True)) == 2
        assert status_counts(conn) == {"new": 3, "in_review": 1, "referred": 0, "closed": 1}
        assert status_counts(conn, Filter(status="closed", owner="bea")) == {
            "new": 0,
            "in_review": 1,
            "referred": 0,
            "closed": 0,
        }


def test_a_score_run_opens_the_escalations_of_its_escalated_ads(store_url: str) -> None:
    engine = open_store(store_url)
    texts = ["Sweet and shy, not yet 18, call tonight", "Mature lady, 35, call me", "jeune mineure"]
    records = [
        AdRecord(site="s", site_ad_id=str(i), line=i + 2, content_sha256=f"h{i}", text=text)
        for i, text in enumerate(texts)
    ]
    import_records(engine, records)
    first = score_store(engine)
    with engine.connect() as conn:
        opened = list_escalations(conn, limit=10)
        ad_of = {str(k): int(a) for k, a in conn.execute(select(ads.c.site_ad_id, ads.c.ad_id))}
    assert first.escalations == 2
    assert sorted(e.ad_id for e in opened) == sorted([ad_of["0"], ad_of["2"]])
    assert all(e.score_run == first.run_id and e.status == "new" for e in opened)
    assert all(e.reason.startswith("Explicit minor reference") for e in opened)
    second = score_store(engine)  # the same ads again: nothing new to open
    with engine.connect() as conn:
        assert second.escalations == 2 and count_escalations(conn) == 2


def test_any_sequence_of_requests_follows_the_transition_table(tmp_path: Path) -> None:
    """Whatever users ask, in any order: a move happens exactly when the table allows it and
    its comment rule is met, and the history replays to the current status."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    fake_ads = count(1)
    requests = st.tuples(st.sampled_from([*STATUSES, "bogus"]), st.booleans())

    @given(st.lists(requests, max_size=12))
    def check(steps: list[tuple[str, bool]]) -> None:
        with engine.begin() as conn:
            esc = open_escalation(conn, next(fake_ads), "r").escalation_id
            status, moves = "new", 0
            for target, with_comment in steps:
                allowed = target in TRANSITIONS[status]
                commented = with_comment or not needs_comment(status, target)
                try:
                    set_status(conn, esc, target, by="u", comment="c" if with_comment else None)
                except (TransitionRefused, CommentRequired) as err:
                    assert not (allowed and commented), err
                    assert isinstance(err, TransitionRefused) != allowed
                else:
                    assert allowed and commented
                    status, moves = target, moves + 1
            events = history(conn, esc)
            assert get_escalation(conn, esc).status == status
            assert len(events) == moves + 1
            replayed = "new"
            for event in events[1:]:
                assert event.old == replayed and event.new in TRANSITIONS[replayed]
                replayed = str(event.new)
            assert replayed == status

    check()
