"""What the digest says about a seeded week, loaded from the database and composed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.digest import service as digest
from bot.digest.week import load, week_of
from storage.experiments import Outcome
from storage.problems import DecisionKind, Problem, ProblemStatus
from storage.types import utcnow
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, TEAM
from tests.support.digest_week import ago, decision, seed_week


@pytest.fixture
def now():
    """The instant the week is seeded and read at: asked once, so a test can't cross midnight."""
    return utcnow()


@pytest.fixture
def week(db, now):
    with db.transaction() as session:
        seed_week(session, now=now)
    start, end = week_of(now)
    with db.transaction() as session:
        data = load(session, team_id=TEAM, channel_id=CHANNEL, start=start, end=end)
    return digest.compose(data)


def test_new_and_changed_problems(week):
    assert [(c.problem.ref, c.new, c.status) for c in week.changes] == [
        ("P-2", False, ProblemStatus.OPEN),
        ("P-3", True, ProblemStatus.OPEN),
        ("P-5", False, ProblemStatus.DROPPED),
    ]


def test_experiments_carry_outcome_and_deltas_against_baseline_and_target(week):
    by_ref = {r.ref: r for r in week.results}
    # E-12's problem shipped long ago: its experiment this week still counts.
    assert list(by_ref) == ["E-3", "E-12", "E-4", "E-7"]
    assert by_ref["E-12"].problem.title == "Old shipped work"
    e3 = by_ref["E-3"]
    assert e3.outcome == Outcome.IMPROVED and e3.problem.ref == "P-1"
    assert e3.vs_baseline == pytest.approx(0.10)
    assert e3.vs_baseline_share == pytest.approx(0.10 / 0.60)
    assert e3.vs_target == pytest.approx(-0.05)
    assert by_ref["E-4"].outcome == Outcome.WORSE
    assert by_ref["E-4"].vs_baseline == pytest.approx(-0.02)


def test_best_so_far_for_each_active_problem_uses_the_whole_history(week):
    assert [(b.problem.ref, b.ref, b.value) for b in week.best] == [
        ("P-1", "E-3", 0.70),
        ("P-2", "E-5", 0.60),
    ]


def test_failed_experiments_owing_an_analysis_name_their_owners(week):
    # E-4's only analysis is deleted, so it is still owed; E-5 and E-6 have analyses;
    # E-8's problem is shipped, so its debt is no longer chased.
    assert [(o.experiment_ref, o.owner_id) for o in week.owed] == [("E-4", BOB), ("E-7", CAROL)]


def test_decisions_and_lessons_of_the_week_only(week):
    assert [(d.problem.ref, d.kind, d.rationale) for d in week.decisions] == [
        ("P-5", DecisionKind.CUT, "No signal after five tries")
    ]
    assert [(x.analysis_ref, x.experiment_ref, x.text) for x in week.lessons] == [
        ("A-2", "E-6", "Noisy labels cluster in two vendors")
    ]


def test_standup_participation_and_blockers(week):
    assert week.standup_days == 3
    shown = [(p.user_id, p.prompted, p.answered, p.away) for p in week.participation]
    assert shown == [(ALICE, 3, 3, 0), (BOB, 1, 1, 0)]
    assert [(b.user_id, b.text) for b in week.blockers] == [(ALICE, "Waiting on GPU quota")]


def test_timebox_and_diminishing_returns_are_flagged_for_a_decision(week, now):
    flags = {f.problem.ref: f for f in week.flags}
    assert set(flags) == {"P-1", "P-2"}
    assert flags["P-1"].review_on == now.date() - timedelta(days=3)
    # P-1's four experiments are too few to tell diminishing returns.
    assert flags["P-1"].plateau is None and flags["P-1"].stalled == ()
    assert flags["P-2"].plateau == "last 5 experiments: best has not moved from 0.6"
    assert flags["P-2"].stalled == ("E-13", "E-14", "E-5", "E-6", "E-7")
    assert flags["P-2"].review_on is None


def test_the_chart_series_cover_active_problems_with_values(week):
    assert [(s.problem.ref, [p.value for p in s.points]) for s in week.series] == [
        ("P-1", [0.62, 0.65, 0.70, 0.58]),
        ("P-2", [0.595, 0.598, 0.60, 0.59, 0.60]),
    ]
    assert [p.ref for p in week.series[0].points] == ["E-1", "E-2", "E-3", "E-4"]


def test_the_chart_marks_the_active_problems_decisions_of_its_eight_weeks(db, now):
    with db.transaction() as session:
        seed_week(session, now=now)
        by_number = {(p.team_id, p.number): p for p in session.scalars(select(Problem))}
        churn = by_number[(TEAM, 1)]
        decision(session, churn, DecisionKind.CONTINUE, "Keep going", at=ago(16, now=now))
        decision(session, churn, DecisionKind.REOPEN, "Before the chart", at=ago(57, now=now))
        decision(session, churn, DecisionKind.PIVOT, "Next week's", at=now + timedelta(hours=1))
        decision(session, by_number[(OTHER_TEAM, 1)], DecisionKind.PIVOT, "x", at=ago(1, now=now))
    start, end = week_of(now)
    with db.transaction() as session:
        week = digest.compose(load(session, team_id=TEAM, channel_id=CHANNEL, start=start, end=end))
    marks = {s.problem.ref: [(m.at, m.kind) for m in s.decisions] for s in week.series}
    assert marks == {"P-1": [(ago(16, now=now), DecisionKind.CONTINUE)], "P-2": []}
    # The week's decisions are still those of the week, whatever the chart marks.
    assert [(d.problem.ref, d.kind) for d in week.decisions] == [("P-5", DecisionKind.CUT)]


def test_other_workspaces_channels_weeks_and_deleted_rows_never_appear(week):
    shown = repr(week)
    for absent in (
        "Mallory",
        "Quiet channel",
        "Deleted problem",
        "deleted analysis",
        "older week",
        "An old blocker",
        "E-8",
        "E-9",
        "E-10",
        "E-11",
        "P-6",
        "P-7",
    ):
        assert absent not in shown, absent


def test_the_other_workspace_sees_only_its_own_week(db):
    with db.transaction() as session:
        seed_week(session)
    start, end = week_of(utcnow())
    with db.transaction() as session:
        other = digest.compose(
            load(session, team_id=OTHER_TEAM, channel_id="C0OTHER", start=start, end=end)
        )
    assert [(r.ref, r.problem.title) for r in other.results] == [("E-1", "Mallory secret plan")]
    assert "Churn" not in repr(other)


def test_a_week_in_the_past_ends_where_it_was_scheduled(db):
    now = utcnow()
    with db.transaction() as session:
        seed_week(session, now=now)
    start, end = week_of(now - timedelta(days=7))
    with db.transaction() as session:
        past = digest.compose(load(session, team_id=TEAM, channel_id=CHANNEL, start=start, end=end))
    assert [r.ref for r in past.results] == ["E-6"]
    assert [(b.problem.ref, b.ref) for b in past.best] == [("P-1", "E-2"), ("P-2", "E-5")]
    assert [p.user_id for p in past.participation] == [CAROL]
    assert ALICE not in repr(past.blockers)
