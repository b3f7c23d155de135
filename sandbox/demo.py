"""`ritualbot sandbox --demo`: a team in four timezones with three weeks of research history."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analyses import render as render_analyses
from bot.analyses import service as analyses
from bot.analyses.drafts import AnalysisDraft
from bot.decisions import render as render_decisions
from bot.decisions import service as decisions
from bot.digest import ritual as digest_schedule
from bot.experiments import render as render_experiments
from bot.experiments import service as experiments
from bot.experiments.drafts import ExperimentDraft
from bot.permissions import Actor
from bot.problems import render
from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from jobs import messages
from sandbox.emulator import SlackEmulator
from sandbox.records import Message
from storage import sends
from storage.db import Database
from storage.models import (
    Decision,
    DecisionKind,
    ErrorAnalysis,
    Experiment,
    Problem,
)

Numbered = TypeVar("Numbered", Problem, Experiment, ErrorAnalysis)

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
    draft: ProblemDraft


PROBLEMS = (
    DemoProblem(
        ADA,
        21,
        ProblemDraft(
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
        ProblemDraft(
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
        ProblemDraft(
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


@dataclass(frozen=True)
class DemoExperiment:
    problem: int  # index into PROBLEMS
    author: str
    days_ago: int
    draft: ExperimentDraft


EXPERIMENTS = (
    DemoExperiment(
        0,
        ADA,
        18,
        ExperimentDraft(
            hypothesis="Session-count features let the model see new users at all.",
            approach="GBM + 7-day session aggregates",
            dataset="oct-holdout-v2",
            value="0.66",
            run_url="https://wandb.ai/ritual-lab/churn/runs/gbm-agg7",
        ),
    ),
    DemoExperiment(
        0,
        BILAL,
        12,
        ExperimentDraft(
            hypothesis="A sequence model over raw events beats hand-made aggregates.",
            approach="GRU over the first 50 events",
            dataset="oct-holdout-v2",
            value="0.58",
            notes="Trains fine, but recall drops for the newest accounts.",
        ),
    ),
    DemoExperiment(
        1,
        CHEN,
        9,
        ExperimentDraft(
            hypothesis="Distilling the re-ranker halves its cost.",
            approach="6-layer distilled cross-encoder",
            dataset="mobile-queries-nov",
            value="131",
        ),
    ),
    DemoExperiment(
        1,
        CHEN,
        4,
        ExperimentDraft(
            hypothesis="int8 quantisation on top of distillation keeps quality.",
            approach="distilled + int8, ONNX runtime",
            dataset="mobile-queries-nov",
            value="112",
            metrics="ndcg@10_delta: -0.002",
        ),
    ),
    DemoExperiment(
        0,
        ADA,
        2,
        ExperimentDraft(
            hypothesis="Backing off to aggregates below 3 sessions fixes the cold-start slice.",
            approach="GBM + aggregates, cold-start back-off (from A-1)",
            dataset="oct-holdout-v2",
            value="0.71",
        ),
    ),
)
FAILED = 1  # the index in EXPERIMENTS of the one that gets an error analysis
ANALYSIS = AnalysisDraft(
    sample_size="60",
    sample_method="60 missed churners from the holdout, drawn at random",
    categories=(
        "fewer than 3 sessions: 41\nlabel noise (reactivated accounts): 11\nenterprise trials: 8"
    ),
    slices="account age, sessions in the first week, plan",
    root_causes="The GRU needs history: with under 3 sessions it has almost nothing to read.",
    next_steps="Back-off to aggregates for accounts with fewer than 3 sessions.",
    lessons="Sequence models are not a fit for the cold-start slice; measure that slice first.",
    follow_ups=(
        ("Add a cold-start back-off and rerun E-1's setup", ADA),
        ("Drop reactivated accounts from the churn labels", BILAL),
    ),
)
ANALYSIS_DAYS_AGO = 10
DECISION = (
    1,
    CHEN,
    3,
    DecisionKind.SHIP,
    "p95 112 ms meets the target; nDCG@10 within the guardrail.",
)


def seed(emulator: SlackEmulator, db: Database, *, now: datetime | None = None) -> None:
    """Three weeks of work stored through the bot's services, and the channel it left behind.

    Records go through bot.problems.service / experiments / analyses / decisions (so ids, outcomes
    and checks are the real ones), then are backdated; the channel gets the cards, the
    experiment confirmations, the analysis in its experiment's thread and the decision, each
    rendered by the same Block Kit builders the handlers post with.
    """
    now = now or datetime.now(UTC)
    with db.transaction() as session:
        framed = [
            problems.create(
                session, team_id=TEAM, user_id=p.owner, channel_id=ML_TEAM, draft=p.draft
            ).problem.number
            for p in PROBLEMS
        ]
        for number, demo in zip(framed, PROBLEMS, strict=True):
            row = _row(session, Problem, number)
            row.created_at = now - timedelta(days=demo.days_ago)
            row.review_on = (now + timedelta(days=14 - demo.days_ago % 7)).date()
        logged = []
        for e in EXPERIMENTS:
            draft = replace(e.draft, problem=str(framed[e.problem]))
            number = experiments.create(
                session, team_id=TEAM, user_id=e.author, channel_id=ML_TEAM, draft=draft
            ).experiment.number
            _row(session, Experiment, number).created_at = now - timedelta(days=e.days_ago)
            logged.append(number)
        analysis = analyses.create(
            session,
            team_id=TEAM,
            user_id=EXPERIMENTS[FAILED].author,
            experiment_number=logged[FAILED],
            draft=ANALYSIS,
        ).analysis.number
        _row(session, ErrorAnalysis, analysis).created_at = now - timedelta(days=ANALYSIS_DAYS_AGO)
        problem, who, days, kind, why = DECISION
        decided = decisions.decide(
            session,
            team_id=TEAM,
            actor=Actor(user_id=who),
            number=framed[problem],
            kind=kind,
            rationale=why,
        )
        decision_row = session.scalar(
            select(Decision).where(
                Decision.team_id == TEAM,
                Decision.problem_id == _row(session, Problem, framed[problem]).id,
            )
        )
        assert decision_row is not None and decided.created
        decision_row.decided_at = now - timedelta(days=days)
        _rituals(session, now=now)
    _channel(emulator, db, now=now, problems_=framed, logged=logged, analysis=analysis)


def _channel(
    emulator: SlackEmulator,
    db: Database,
    *,
    now: datetime,
    problems_: list[int],
    logged: list[int],
    analysis: int,
) -> None:
    """What #ml-team shows after three weeks: people talking, and the bot's posts in between.

    The history is written here, back-dated; the bot's own posts in it are recorded in the
    outbox as sent, so later edits of a card or a confirmation find them as they would."""
    bot = emulator.workspace(TEAM).bot_user_id
    say = _History(emulator, now=now)
    say(
        ADA,
        22,
        "Retention asked again why new-account churn gets flagged so late. Framing it as a problem.",
    )
    with db.transaction() as session:
        for number, demo in zip(problems_, PROBLEMS, strict=True):
            card = problems.get(session, team_id=TEAM, number=number)
            ts = say(bot, demo.days_ago, render.card_text(card), blocks=render.card(card))
            queued = messages.card(session, card, channel=ML_TEAM)
            sends.sent(session, queued, channel=ML_TEAM, ts=ts)
        posted = {}
        for number, e in zip(logged, EXPERIMENTS, strict=True):
            confirmation = experiments.get(session, team_id=TEAM, number=number)
            ts = say(
                bot,
                e.days_ago,
                render_experiments.confirmation_text(confirmation),
                blocks=render_experiments.confirmation(confirmation),
                minutes=1,
            )
            queued = messages.confirmation(session, confirmation, channel=ML_TEAM)
            sends.sent(session, queued, channel=ML_TEAM, ts=ts)
            posted[number] = ts
        failed = posted[logged[FAILED]]
        say(ADA, 12, "Thanks for logging it. Which users does it miss?", thread_ts=failed)
        say(
            BILAL,
            11,
            "Accounts with fewer than 3 sessions, mostly. Reading 60 misses before anything else.",
            thread_ts=failed,
        )
        record = analyses.get(session, team_id=TEAM, number=analysis)
        ts = say(
            bot,
            ANALYSIS_DAYS_AGO,
            render_analyses.post_text(record),
            blocks=render_analyses.post(record),
            thread_ts=record.thread_ts,
        )
        analyses.set_message(session, team_id=TEAM, number=analysis, ts=ts)
        shipped = decisions.of_problem(session, team_id=TEAM, number=problems_[DECISION[0]])[0]
        result = decisions.Decided(
            decision=shipped,
            problem=problems.get(session, team_id=TEAM, number=problems_[DECISION[0]]),
            created=False,
        )
        say(
            bot,
            DECISION[2],
            render_decisions.posted_text(result),
            blocks=render_decisions.posted(result),
            minutes=30,
        )
    say(
        CHEN,
        4,
        "That meets the 120 ms target, and nDCG@10 only moves by −0.002. Proposing we ship.",
        minutes=5,
    )
    say(CHEN, 3, "Rolling out to 10% of mobile traffic tomorrow.", minutes=35)
    say(
        PRIYA,
        3,
        "New one in discovery: auto-tagging support tickets. Looking for evidence agents would trust it.",
        minutes=-5,
    )
    say(
        ADA,
        2,
        "The cold-start back-off from A-1 works: 0.71, our best so far. Still short of 0.75.",
        minutes=5,
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
        minutes: int = 0,
    ) -> str:
        world = self.emulator.world
        workspace = self.emulator.workspace(TEAM)
        # Mid-morning UTC of that day, `minutes` later; thread replies come after their root.
        moment = self.now - timedelta(days=days_ago, hours=6) + timedelta(minutes=minutes)
        if thread_ts is not None:
            moment = max(moment, datetime.fromtimestamp(float(thread_ts), UTC)) + timedelta(
                minutes=len(self.seen)
            )
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


def _row(session: Session, model: type[Numbered], number: int) -> Numbered:
    """A demo record's row by its number, to backdate what the services stamped as now."""
    row = session.scalar(select(model).where(model.team_id == TEAM, model.number == number))
    assert row is not None
    return row


def _rituals(session: Session, *, now: datetime) -> None:
    """A weekday standup for #ml-team, saved as its settings form would, and the digest."""
    standup = standup_settings.save(
        session,
        team_id=TEAM,
        channel_id=ML_TEAM,
        user_id=ADA,
        draft=standup_settings.SettingsDraft(
            weekdays=["1", "2", "3", "4", "5"],
            local_time="09:30",
            timezone_rule="participant",
            timezone="UTC",
            participants_rule="channel",
            participants=[],
            questions="\n".join(STANDUP_QUESTIONS),
            reminder_minutes="60",
            cutoff_time="17:00",
            holidays="",
        ),
    )
    # What the settings form's handler reads from Slack after saving: who is in the channel,
    # and each one's timezone (the scheduler times each person's prompt by it).
    standups.set_roster(
        session,
        team_id=TEAM,
        ritual_id=standup.id,
        roster={user_id: tz for user_id, _name, _real_name, tz in PEOPLE},
        now=now,
    )
    digest_schedule.schedule(
        session,
        team_id=TEAM,
        channel_id=ML_TEAM,
        user_id=ADA,
        weekday=5,
        local_time=time(16, 0),
        timezone="Europe/London",
    )
