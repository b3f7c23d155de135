"""A seeded week for the digest: what it must show, and rows it must leave out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from storage.analyses import ErrorAnalysis
from storage.experiments import Experiment, Outcome
from storage.problems import (
    Decision,
    DecisionKind,
    Direction,
    MetricKind,
    Problem,
    ProblemStatus,
    Track,
)
from storage.rituals import Ritual, RitualKind, RitualRun, StandupAnswer
from storage.types import utcnow
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, QUIET_CHANNEL, TEAM

BLOCKERS = "Any blockers?"


def ago(days: float, *, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


def problem(
    session: Session,
    number: int,
    title: str,
    *,
    created: datetime,
    updated: datetime | None = None,
    team: str = TEAM,
    channel: str | None = CHANNEL,
    status: ProblemStatus = ProblemStatus.OPEN,
    baseline: float | None = 0.60,
    target: float | None = 0.75,
    direction: Direction = Direction.HIGHER,
    review_on: date | None = None,
    owner: str = ALICE,
    deleted: bool = False,
    metric_kind: MetricKind | None = None,
    eval_size: int | None = None,
) -> Problem:
    row = Problem(
        team_id=team,
        number=number,
        title=title,
        metric_name="recall",
        direction=direction,
        baseline=baseline,
        target=target,
        track=Track.DELIVERY,
        status=status,
        owner_id=owner,
        created_by=owner,
        channel_id=channel,
        review_on=review_on,
        metric_kind=metric_kind,
        eval_size=eval_size,
        created_at=created,
        updated_at=updated or created,
        deleted_at=created if deleted else None,
    )
    session.add(row)
    session.flush()
    return row


def experiment(
    session: Session,
    parent: Problem,
    number: int,
    *,
    value: float | None,
    outcome: Outcome,
    at: datetime,
    author: str = ALICE,
    approach: str | None = None,
    deleted: bool = False,
) -> Experiment:
    row = Experiment(
        team_id=parent.team_id,
        number=number,
        problem_id=parent.id,
        value=value,
        outcome=outcome,
        approach=approach,
        author_id=author,
        channel_id=parent.channel_id,
        created_at=at,
        updated_at=at,
        deleted_at=at if deleted else None,
    )
    session.add(row)
    session.flush()
    return row


def analysis(
    session: Session,
    of: Experiment,
    number: int,
    *,
    at: datetime,
    lessons: str | None,
    author: str = ALICE,
    deleted: bool = False,
) -> ErrorAnalysis:
    row = ErrorAnalysis(
        team_id=of.team_id,
        number=number,
        experiment_id=of.id,
        lessons=lessons,
        author_id=author,
        created_at=at,
        updated_at=at,
        deleted_at=at if deleted else None,
    )
    session.add(row)
    session.flush()
    return row


def decision(
    session: Session, on: Problem, kind: DecisionKind, rationale: str, *, at: datetime
) -> None:
    session.add(
        Decision(
            team_id=on.team_id,
            problem_id=on.id,
            kind=kind,
            rationale=rationale,
            decided_by=ALICE,
            decided_at=at,
        )
    )


def standup(
    session: Session, *, channel: str, days: dict[datetime, dict[str, str | None]]
) -> Ritual:
    """A channel's standup ritual with one run per day and each person's blockers answer."""
    ritual = Ritual(
        team_id=TEAM,
        kind=RitualKind.STANDUP,
        channel_id=channel,
        local_time=time(9, 30),
        questions=["What moved?", BLOCKERS],
        owner_id=ALICE,
    )
    session.add(ritual)
    session.flush()
    for at, answers in days.items():
        run = RitualRun(
            team_id=TEAM,
            ritual_id=ritual.id,
            occurrence=at.date().isoformat(),
            scheduled_for=at,
            state="posted",
        )
        session.add(run)
        session.flush()
        for user_id, blockers in answers.items():
            session.add(
                StandupAnswer(
                    team_id=TEAM,
                    run_id=run.id,
                    user_id=user_id,
                    answers={"What moved?": "things", BLOCKERS: blockers or ""},
                    submitted_at=at,
                )
            )
    session.flush()
    return ritual


def seed_week(session: Session, *, now: datetime | None = None) -> None:
    """The week ending at `now`, with history before it and rows the digest must skip."""

    def days(n: float) -> datetime:
        return ago(n, now=now)

    today = (now or utcnow()).date()
    churn = problem(
        session,
        1,
        "Churn model misses new users",
        created=days(60),
        status=ProblemStatus.IN_DELIVERY,
        review_on=today - timedelta(days=3),
    )
    experiment(session, churn, 1, value=0.62, outcome=Outcome.IMPROVED, at=days(40))
    experiment(session, churn, 2, value=0.65, outcome=Outcome.IMPROVED, at=days(30))
    experiment(
        session,
        churn,
        3,
        value=0.70,
        outcome=Outcome.IMPROVED,
        at=days(2),
        approach="add tenure features",
    )
    worse = experiment(
        session,
        churn,
        4,
        value=0.58,
        outcome=Outcome.WORSE,
        at=days(1),
        author=BOB,
        approach="drop <b>old</b> & stale rows",
    )
    analysis(session, worse, 3, at=days(0.5), lessons="deleted analysis", deleted=True)
    experiment(session, churn, 10, value=0.99, outcome=Outcome.MET_TARGET, at=days(1), deleted=True)

    # Five tries that left recall where the baseline had it, within the noise of 2,000
    # examples: diminishing returns. The first two were analysed long ago.
    labels = problem(
        session,
        2,
        "Label noise in eval set",
        created=days(30),
        updated=days(2),
        metric_kind=MetricKind.PROPORTION,
        eval_size=2000,
    )
    for number, value, at in ((13, 0.595, days(28)), (14, 0.598, days(25))):
        tried = experiment(session, labels, number, value=value, outcome=Outcome.NO_GAIN, at=at)
        analysis(session, tried, number - 9, at=at, lessons=None)
    e5 = experiment(session, labels, 5, value=0.60, outcome=Outcome.NO_GAIN, at=days(20))
    e6 = experiment(session, labels, 6, value=0.59, outcome=Outcome.NO_GAIN, at=days(9))
    experiment(session, labels, 7, value=0.60, outcome=Outcome.NO_GAIN, at=days(1), author=CAROL)
    analysis(session, e5, 1, at=days(19), lessons="Lesson from an older week")
    analysis(session, e6, 2, at=days(3), lessons="Noisy labels cluster in two vendors")

    problem(session, 3, "Search ranking drift", created=days(2))

    shipped = problem(
        session, 4, "Old shipped work", created=days(90), status=ProblemStatus.SHIPPED
    )
    shipped.updated_at = days(40)
    experiment(session, shipped, 8, value=0.1, outcome=Outcome.WORSE, at=days(40))
    experiment(
        session,
        shipped,
        12,
        value=0.66,
        outcome=Outcome.IMPROVED,
        at=days(1.5),
        approach="retrain on fresh data",
    )
    decision(session, shipped, DecisionKind.SHIP, "Decided in an older week", at=days(40))

    dropped = problem(
        session,
        5,
        "Dropped this week",
        created=days(50),
        updated=days(1),
        status=ProblemStatus.DROPPED,
    )
    decision(session, dropped, DecisionKind.CUT, "No signal after five tries", at=days(1))

    gone = problem(session, 6, "Deleted problem", created=days(5), deleted=True)
    experiment(session, gone, 9, value=0.9, outcome=Outcome.IMPROVED, at=days(1))

    quiet = problem(session, 7, "Quiet channel problem", created=days(2), channel=QUIET_CHANNEL)
    experiment(session, quiet, 11, value=0.7, outcome=Outcome.IMPROVED, at=days(1))

    secret = problem(
        session, 1, "Mallory secret plan", created=days(2), team=OTHER_TEAM, channel="C0OTHER"
    )
    experiment(session, secret, 1, value=0.9, outcome=Outcome.WORSE, at=days(1), author="U0MALLORY")

    standup(
        session,
        channel=CHANNEL,
        days={
            days(10): {CAROL: "An old blocker"},
            days(3): {ALICE: "none", BOB: "n/a"},
            days(2): {ALICE: "Waiting on GPU quota"},
            days(1): {ALICE: ""},
        },
    )
    session.flush()


def oversized_week(session: Session, *, experiments: int = 600) -> None:
    """A week of more experiments than one Slack message holds: the digest is split."""
    parent = problem(session, 1, "Ranking quality", created=ago(30))
    for n in range(1, experiments + 1):
        experiment(
            session,
            parent,
            n,
            value=0.6 + n / 10000,
            outcome=Outcome.IMPROVED,
            at=ago(6 * (1 - n / (experiments + 1))),
            approach=f"variant {n} " + "tuned " * 30,
        )
