"""What #ml-team shows after the demo's three weeks: people talking, the bot's posts between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.analyses import render as render_analyses
from bot.analyses import service as analyses
from bot.decisions import render as render_decisions
from bot.decisions import service as decisions
from bot.experiments import render as render_experiments
from bot.experiments import service as experiments
from bot.problems import render
from bot.problems import service as problems
from jobs import messages
from sandbox.demo_team import ADA, BILAL, CHEN, GENERAL, ML_TEAM, PRIYA, TEAM
from sandbox.demo_work import ANALYSIS_DAYS_AGO, DECISION, EXPERIMENTS, FAILED, PROBLEMS
from sandbox.emulator import SlackEmulator
from sandbox.records import Message
from storage import sends
from storage.db import Database


def post_history(
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
