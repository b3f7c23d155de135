"""`ritualbot sandbox --demo`: a team in four timezones with three weeks of research history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import problems
from bot.render import problems as render
from sandbox.emulator import SlackEmulator
from sandbox.records import Message
from storage import queries
from storage.db import Database
from storage.models import (
    Decision,
    DecisionKind,
    ErrorAnalysis,
    ErrorCategory,
    Experiment,
    FollowUp,
    Outcome,
    Problem,
    Ritual,
    RitualKind,
)

TEAM = "T0DEMO"
ML_TEAM, GENERAL = "C0MLTEAM", "C0GENERAL"
ADA, BILAL, CHEN, PRIYA = "U0ADA", "U0BILAL", "U0CHEN", "U0PRIYA"
PEOPLE = (
    (ADA, "ada", "Ada Lovelace", "America/Toronto"),
    (BILAL, "bilal", "Bilal Rahman", "Europe/London"),
    (CHEN, "chen", "Chen Wei", "Asia/Shanghai"),
    (PRIYA, "priya", "Priya Nair", "Asia/Kolkata"),
)
STANDUP_QUESTIONS = [
    "What did you finish since the last standup?",
    "What are you working on today?",
    "Anything blocking you?",
]


@dataclass(frozen=True)
class DemoProblem:
    owner: str
    days_ago: int
    draft: problems.ProblemDraft


PROBLEMS = (
    DemoProblem(
        ADA,
        21,
        problems.ProblemDraft(
            title="Churn model misses new users",
            statement="Accounts younger than 30 days churn unseen: the model flags only a third of them, so retention calls come too late.",
            user_value="Customer success asked for it twice this quarter; 40% of churn is in the first month.",
            feasibility="Session logs cover new users from day one; labels lag 30 days.",
            metric_name="recall@10%",
            metric_definition="Recall among accounts < 30 days old, at a 10% alert budget, on the October holdout.",
            direction="higher",
            baseline="0.62",
            target="0.75",
            guardrails="Precision at the same budget stays above 0.40.",
            data_sources="events.sessions, billing.accounts",
            track="delivery",
            kill_criteria="No approach above 0.68 after four experiments.",
        ),
    ),
    DemoProblem(
        CHEN,
        14,
        problems.ProblemDraft(
            title="Search ranking is too slow on mobile",
            statement="Mobile users wait for results; p95 latency of the re-ranker is 180 ms.",
            metric_name="p95 latency (ms)",
            direction="lower",
            baseline="180",
            target="120",
            guardrails="nDCG@10 does not drop more than 0.005.",
            track="delivery",
        ),
    ),
    DemoProblem(
        PRIYA,
        3,
        problems.ProblemDraft(
            title="Can we auto-tag support tickets?",
            statement="Agents tag every ticket by hand, about 2 minutes each.",
            user_value="The support lead would use it if it is right 9 times in 10.",
            track="discovery",
        ),
    ),
)


def add_people(emulator: SlackEmulator) -> None:
    """The demo workspace, its people and channels (no database involved)."""
    emulator.add_workspace(team_id=TEAM, name="Ritual Lab (demo)", domain="ritual-lab")
    for user_id, name, real_name, tz in PEOPLE:
        emulator.add_user(team_id=TEAM, user_id=user_id, name=name, real_name=real_name, tz=tz)
    everyone = [user_id for user_id, *_ in PEOPLE]
    emulator.add_channel(team_id=TEAM, channel_id=ML_TEAM, name="ml-team", members=everyone)
    emulator.add_channel(team_id=TEAM, channel_id=GENERAL, name="general", members=everyone)


def seed(emulator: SlackEmulator, db: Database, *, now: datetime | None = None) -> None:
    """Problems with experiments, a failure's analysis, a decision and rituals, after add_people."""
    now = now or datetime.now(UTC)
    bot = emulator.workspace(TEAM).bot_user_id
    say = _History(emulator, now=now)
    say(
        ADA,
        22,
        "Retention asked again why new-account churn gets flagged so late. Framing it as a problem.",
    )
    with db.transaction() as session:
        framed = [
            problems.create(
                session, team_id=TEAM, user_id=p.owner, channel_id=ML_TEAM, draft=p.draft
            ).problem
            for p in PROBLEMS
        ]
        for record, demo in zip(framed, PROBLEMS, strict=True):
            row = session.scalar(
                select(Problem).where(Problem.team_id == TEAM, Problem.number == record.number)
            )
            assert row is not None
            row.created_at = now - timedelta(days=demo.days_ago)
            row.review_on = (now + timedelta(days=14 - demo.days_ago % 7)).date()
    churn, latency, tagging = (_reload(db, p.number) for p in framed)
    for problem, demo in zip((churn, latency, tagging), PROBLEMS, strict=True):
        ts = say(bot, demo.days_ago, render.card_text(problem), blocks=render.card(problem))
        with db.transaction() as session:
            problems.set_card(session, team_id=TEAM, number=problem.number, channel=ML_TEAM, ts=ts)

    with db.transaction() as session:
        churn_row = _problem(session, churn.number)
        latency_row = _problem(session, latency.number)
        _experiment(
            session,
            churn_row,
            author=ADA,
            days=18,
            value=0.66,
            outcome=Outcome.IMPROVED,
            hypothesis="Session-count features let the model see new users at all.",
            approach="GBM + 7-day session aggregates",
            dataset="oct-holdout-v2",
            now=now,
        )
        failed = _experiment(
            session,
            churn_row,
            author=BILAL,
            days=12,
            value=0.58,
            outcome=Outcome.WORSE,
            hypothesis="A sequence model over raw events beats hand-made aggregates.",
            approach="GRU over the first 50 events",
            dataset="oct-holdout-v2",
            now=now,
        )
        _analysis(session, failed, author=BILAL, days=10, now=now)
        _experiment(
            session,
            latency_row,
            author=CHEN,
            days=9,
            value=131,
            outcome=Outcome.IMPROVED,
            hypothesis="Distilling the re-ranker halves its cost.",
            approach="6-layer distilled cross-encoder",
            dataset="mobile-queries-nov",
            now=now,
        )
        _experiment(
            session,
            latency_row,
            author=CHEN,
            days=4,
            value=112,
            outcome=Outcome.MET_TARGET,
            hypothesis="int8 quantisation on top of distillation keeps quality.",
            approach="distilled + int8, ONNX runtime",
            dataset="mobile-queries-nov",
            metrics={"ndcg@10_delta": -0.002},
            now=now,
        )
        session.add(
            Decision(
                team_id=TEAM,
                problem_id=latency_row.id,
                kind=DecisionKind.SHIP,
                rationale="p95 112 ms meets the target; nDCG@10 within the guardrail.",
                decided_by=CHEN,
                decided_at=now - timedelta(days=3),
            )
        )
        _rituals(session)

    say(
        ADA,
        18,
        "E-1: 7-day session aggregates lift recall@10% to 0.66 (from 0.62). Improved, not there yet.",
    )
    thread = say(
        BILAL,
        12,
        "E-2 is worse: the GRU gets 0.58. Writing up the error analysis before anything else.",
    )
    say(ADA, 12, "Thanks for logging it. Which users does it miss?", thread_ts=thread)
    say(
        BILAL,
        10,
        "Accounts with fewer than 3 sessions: 41 of the 60 misses I read. Analysis is on the record.",
        thread_ts=thread,
    )
    say(
        CHEN,
        4,
        "Distilled + int8 re-ranker: p95 112 ms on mobile, nDCG@10 −0.002. That meets the 120 ms target.",
    )
    say(CHEN, 3, "Decision on P-2: ship. Rolling out to 10% of mobile traffic tomorrow.")
    say(
        PRIYA,
        3,
        "New one in discovery: auto-tagging support tickets. Looking for evidence agents would trust it.",
    )
    say(
        PRIYA,
        5,
        "Reading group on Thursday: the cold-start chapter. Bring questions.",
        channel=GENERAL,
    )


class _History:
    """Writes backdated messages into the emulator, as if the team had used Slack for weeks."""

    def __init__(self, emulator: SlackEmulator, *, now: datetime) -> None:
        self.emulator, self.now = emulator, now
        self.seen: set[str] = set()

    def __call__(
        self,
        user: str,
        days_ago: int,
        text: str,
        *,
        blocks: list | None = None,
        thread_ts: str | None = None,
        channel: str = ML_TEAM,
    ) -> str:
        world = self.emulator.world
        workspace = self.emulator.workspace(TEAM)
        moment = self.now - timedelta(days=days_ago, hours=6) + timedelta(minutes=len(self.seen))
        ts = f"{moment.timestamp():.6f}"
        while ts in self.seen:
            ts = f"{float(ts) + 0.000001:.6f}"
        self.seen.add(ts)
        message = Message(
            ts=ts,
            channel=channel,
            user=user,
            text=text,
            blocks=blocks or [],
            thread_ts=thread_ts,
            bot_id=workspace.bot_id if user == workspace.bot_user_id else None,
        )
        with world.lock:
            history = world.history[channel]
            history.append(message)
            history.sort(key=lambda m: float(m.ts))
        return ts


def _reload(db: Database, number: int) -> problems.ProblemRecord:
    with db.transaction() as session:
        return problems.get(session, team_id=TEAM, number=number)


def _problem(session: Session, number: int) -> Problem:
    row = queries.problem_by_number(session, team_id=TEAM, number=number)
    assert row is not None
    return row


def _experiment(
    session: Session,
    problem: Problem,
    *,
    author: str,
    days: int,
    value: float,
    outcome: Outcome,
    hypothesis: str,
    approach: str,
    dataset: str,
    now: datetime,
    metrics: dict | None = None,
) -> Experiment:
    row = Experiment(
        team_id=TEAM,
        number=queries.next_number(session, team_id=TEAM, kind="E"),
        problem_id=problem.id,
        hypothesis=hypothesis,
        approach=approach,
        dataset=dataset,
        value=value,
        metrics=metrics or {},
        outcome=outcome,
        author_id=author,
        channel_id=ML_TEAM,
        created_at=now - timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return row


def _analysis(
    session: Session, experiment: Experiment, *, author: str, days: int, now: datetime
) -> None:
    analysis = ErrorAnalysis(
        team_id=TEAM,
        number=queries.next_number(session, team_id=TEAM, kind="A"),
        experiment_id=experiment.id,
        sample_size=60,
        sample_method="60 missed churners from the holdout, drawn at random",
        slices="account age, sessions in the first week, plan",
        root_causes="The GRU needs history: with under 3 sessions it has almost nothing to read.",
        next_steps="Back-off to aggregates for accounts with fewer than 3 sessions.",
        lessons="Sequence models are not a fit for the cold-start slice; measure that slice first.",
        author_id=author,
        created_at=now - timedelta(days=days),
    )
    analysis.categories = [
        ErrorCategory(team_id=TEAM, position=0, name="fewer than 3 sessions", count=41),
        ErrorCategory(
            team_id=TEAM, position=1, name="label noise (reactivated accounts)", count=11
        ),
        ErrorCategory(team_id=TEAM, position=2, name="enterprise trials", count=8),
    ]
    analysis.follow_ups = [
        FollowUp(
            team_id=TEAM,
            position=0,
            text="Add a cold-start back-off and rerun E-1's setup",
            owner_id=ADA,
        ),
        FollowUp(
            team_id=TEAM,
            position=1,
            text="Drop reactivated accounts from the churn labels",
            owner_id=BILAL,
        ),
    ]
    session.add(analysis)


def _rituals(session: Session) -> None:
    session.add_all(
        [
            Ritual(
                team_id=TEAM,
                kind=RitualKind.STANDUP,
                channel_id=ML_TEAM,
                weekdays=[1, 2, 3, 4, 5],
                local_time=time(9, 30),
                timezone="UTC",
                timezone_rule="participant",
                questions=STANDUP_QUESTIONS,
                owner_id=ADA,
            ),
            Ritual(
                team_id=TEAM,
                kind=RitualKind.DIGEST,
                channel_id=ML_TEAM,
                weekdays=[5],
                local_time=time(16, 0),
                timezone="Europe/London",
                owner_id=ADA,
            ),
        ]
    )
