"""`ritualbot sandbox --demo`: a team in four timezones with three weeks of research history."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analyses import service as analyses
from bot.decisions import service as decisions
from bot.digest import ritual as digest_schedule
from bot.experiments import service as experiments
from bot.permissions import Actor
from bot.problems import service as problems
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from sandbox import demo_channel
from sandbox.demo_team import ADA, ML_TEAM, PEOPLE, TEAM
from sandbox.demo_work import ANALYSIS, ANALYSIS_DAYS_AGO, DECISION, EXPERIMENTS, FAILED, PROBLEMS
from sandbox.emulator import SlackEmulator
from storage.analyses import ErrorAnalysis
from storage.db import Database
from storage.experiments import Experiment
from storage.problems import Decision, Problem

Numbered = TypeVar("Numbered", Problem, Experiment, ErrorAnalysis)

STANDUP_QUESTIONS = [
    "What did you finish since the last standup?",
    "What are you working on today?",
    "Anything blocking you?",
]


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
    demo_channel.post_history(
        emulator, db, now=now, problems_=framed, logged=logged, analysis=analysis
    )


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
