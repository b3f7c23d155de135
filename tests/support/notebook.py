"""A problem a team worked on for a month, with everything its notebook must show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bot.export.records import KINDS
from storage.analyses import ErrorAnalysis, ErrorCategory, FollowUp
from storage.experiments import Experiment, Outcome
from storage.models import Counter
from storage.people import Person
from storage.problems import (
    Decision,
    DecisionKind,
    Direction,
    MetricKind,
    Problem,
    ProblemStatus,
    Track,
)
from storage.watch import CheckOutcome, Retrain, WatchCheck, WatchPlan
from tests.conftest import ALICE, BOB, CHANNEL, TEAM
from tests.support.digest_week import seed_week

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def seed_notebook(session: Session) -> Problem:
    """seed_week's records (another workspace's among them) and P-20, fully framed: two
    experiments, one analysed with error categories and follow-ups, and two decisions."""
    seed_week(session, now=NOW)
    session.add(Person(team_id=TEAM, user_id=BOB, name="Bob Jones", image_url=None, read_at=NOW))
    churn = Problem(
        team_id=TEAM,
        number=20,
        title="Fraud model misses | new merchants",
        statement="Risk analysts cannot see fraud on merchants in their first week.",
        user_value="Analysts asked for it in 9 of 12 interviews.",
        feasibility="Risky: 3 weeks of labels; merchant graph available.",
        metric_name="recall",
        metric_definition="Share of confirmed fraud flagged within 24 h.",
        direction=Direction.HIGHER,
        metric_kind=MetricKind.PROPORTION,
        eval_size=2000,
        baseline=0.55,
        target=0.62,
        guardrails="precision ≥ 0.9",
        data_sources="chargebacks table, merchant graph",
        prior_work="https://arxiv.org/abs/2101.00001",
        track=Track.DELIVERY,
        owner_id=ALICE,
        created_by=ALICE,
        channel_id=CHANNEL,
        kill_criteria="No gain after 5 tries",
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=2),
    )
    session.add(churn)
    session.flush()
    tried = Experiment(
        team_id=TEAM,
        number=40,
        problem_id=churn.id,
        hypothesis="New merchants look like old ones in the graph",
        approach="graph embeddings",
        dataset="fraud-v3",
        value=0.5,
        values=[0.49, 0.51],
        eval_size=2000,
        metrics={"precision": 0.93},
        outcome=Outcome.WORSE,
        run_url="https://wandb.ai/team/fraud/runs/abc123",
        notes="Slower to train",
        author_id=BOB,
        created_at=NOW - timedelta(days=20),
        updated_at=NOW - timedelta(days=20),
    )
    met = Experiment(
        team_id=TEAM,
        number=41,
        problem_id=churn.id,
        approach="merchant age feature",
        value=0.64,
        values=[0.64],
        outcome=Outcome.MET_TARGET,
        run_url="https://mlflow.internal/#/runs/41",
        author_id=ALICE,
        created_at=NOW - timedelta(days=10),
        updated_at=NOW - timedelta(days=10),
    )
    session.add_all([tried, met])
    session.flush()
    analysis = ErrorAnalysis(
        team_id=TEAM,
        number=30,
        experiment_id=tried.id,
        sample_size=100,
        sample_method="random misses",
        root_causes="No history for new merchants",
        lessons="Graph features need a week of history",
        author_id=BOB,
        created_at=NOW - timedelta(days=18),
        updated_at=NOW - timedelta(days=18),
    )
    analysis.categories = [
        ErrorCategory(team_id=TEAM, position=0, name="first-week merchants", count=60),
        ErrorCategory(team_id=TEAM, position=1, name="card testing", count=25),
    ]
    analysis.follow_ups = [
        FollowUp(team_id=TEAM, position=0, text="Backfill merchant age", owner_id=ALICE, done=True)
    ]
    session.add(analysis)
    for days, kind, rationale in (
        (15, DecisionKind.PIVOT, "Graph features cannot help in week one; try merchant age"),
        (5, DecisionKind.SHIP, "E-41 met the target with precision held"),
    ):
        session.add(
            Decision(
                team_id=TEAM,
                problem_id=churn.id,
                kind=kind,
                rationale=rationale,
                decided_by=ALICE,
                decided_at=NOW - timedelta(days=days),
            )
        )
    return churn


def forget_workspace(session: Session, team_id: str = TEAM) -> None:
    """Remove every record of the workspace: the empty one a restore goes into."""
    for kind in reversed(KINDS):
        session.execute(delete(kind.table).where(kind.table.c.team_id == team_id))
    session.execute(delete(Counter).where(Counter.team_id == team_id))


def add_experiments(
    session: Session, *, team_id: str, problem_number: int, first: int, count: int
) -> None:
    """`count` plain experiments on P-`problem_number`, numbered from `first`, in one insert."""
    problem_id = session.scalar(
        select(Problem.id).where(Problem.team_id == team_id, Problem.number == problem_number)
    )
    rows = [
        {
            "team_id": team_id,
            "number": n,
            "problem_id": problem_id,
            "approach": f"variant {n}",
            "value": 0.5 + (n % 100) / 1000,
            "values": [0.5 + (n % 100) / 1000],
            "metrics": {},
            "outcome": Outcome.NO_GAIN,
            "run_url": f"https://wandb.ai/team/runs/{n}",
            "author_id": ALICE,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(first, first + count)
    ]
    session.execute(insert(Experiment), rows)


def seed_watch(session: Session) -> Problem:
    """P-20 shipped five days ago and watched since: a check within the plan, one past the
    threshold that opened P-21 in discovery, one kept watching, and a retrain; P-21."""
    shipped = session.scalar(select(Problem).where(Problem.team_id == TEAM, Problem.number == 20))
    assert shipped is not None
    shipped.status = ProblemStatus.IN_PRODUCTION
    opened = Problem(
        team_id=TEAM,
        number=21,
        title="Why recall on new merchants dropped in production",
        statement="Watch check: recall read 0.55 | merchants onboarded by a partner.",
        metric_name="recall",
        baseline=0.55,
        target=0.64,
        track=Track.DISCOVERY,
        owner_id=ALICE,
        created_by=ALICE,
        channel_id=CHANNEL,
        prior_work="P-20, in production",
        created_at=NOW - timedelta(days=2),
        updated_at=NOW - timedelta(days=2),
    )
    session.add(opened)
    plan = WatchPlan(
        team_id=TEAM,
        problem_id=shipped.id,
        metric_name="recall (production, 7-day)",
        shipped_value=0.64,
        alert_value=0.05,
        alert_relative=True,
        check_every_days=7,
        retrain_every_days=90,
        owner_id=ALICE,
        shipped_at=NOW - timedelta(days=5),
        trained_at=NOW - timedelta(days=1),
        created_by=ALICE,
    )
    session.add(plan)
    session.flush()
    for days, value, shifted, note, outcome, opened_id in (
        (4, 0.63, False, None, CheckOutcome.WITHIN, None),
        (3, 0.55, True, "PSI 0.31 > 0.2 | partner merchants", CheckOutcome.REOPENED, opened.id),
        (1, 0.6, False, "after the backfill", CheckOutcome.KEPT, None),
    ):
        session.add(
            WatchCheck(
                team_id=TEAM,
                plan_id=plan.id,
                value=value,
                shifted=shifted,
                note=note,
                outcome=outcome,
                checked_by=ALICE if days != 1 else BOB,
                checked_at=NOW - timedelta(days=days),
                opened_problem_id=opened_id,
                source_key=f"view:V{days}",
            )
        )
    session.add(
        Retrain(
            team_id=TEAM, plan_id=plan.id, retrained_by=BOB, retrained_at=NOW - timedelta(days=1)
        )
    )
    return shipped
