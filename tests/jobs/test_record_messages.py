"""A problem's channel card, and an experiment's confirmation, go through the outbox: sent
once right after the ack, or by the clock's sweep when a process died first or Slack was
down; a channel that refuses one is reported to its author once."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from bot.commands import QuickLog
from bot.experiments import service as experiments
from bot.experiments.drafts import quick_draft
from bot.problems import service as problems
from bot.problems.draft import ProblemDraft
from jobs import messages
from jobs.outbox import LEASE
from storage.experiments import Experiment
from storage.problems import Problem
from storage.types import utcnow
from tests.conftest import ALICE, CHANNEL, QUIET_CHANNEL, TEAM
from tests.support.delivery import frame, log
from tests.support.slack import posted, rendered


def stored(bot, number: int) -> Problem:
    with bot.runtime.db.transaction() as session:
        return session.scalars(
            select(Problem).where(Problem.team_id == TEAM, Problem.number == number)
        ).one()


def left_by_a_crash(bot, title: str, *, channel: str = CHANNEL) -> int:
    """A problem stored and acknowledged, its card queued; the process died before sending."""
    with bot.runtime.db.transaction() as session:
        saved = problems.create(
            session,
            team_id=TEAM,
            user_id=ALICE,
            channel_id=channel,
            draft=ProblemDraft(title=title),
        )
        messages.card(session, saved.problem, channel=channel)
    return saved.problem.number


def sweep(bot, *, later: timedelta = timedelta(0)) -> int:
    """The clock's pass over the outbox, `later` from now."""
    with time_machine.travel(utcnow() + later, tick=True):
        return bot.runtime.sender.sweep()


def test_the_clock_posts_a_card_a_crash_left_behind_exactly_once(bot):
    number = left_by_a_crash(bot, "Drift after the holidays")

    assert sweep(bot) == 3  # the card, the problem's canvas, the card's link to it
    assert sweep(bot) == 0  # the next sweep, or a second clock process

    [card] = posted(bot.slack, CHANNEL)
    assert "Drift after the holidays" in rendered(card.args["blocks"])
    assert stored(bot, number).card_ts == card.response["ts"]


def test_a_card_the_channel_refuses_is_reported_to_its_author_once(bot):
    number = left_by_a_crash(bot, "Label noise", channel=QUIET_CHANNEL)

    sweep(bot)
    sweep(bot)

    assert len(posted(bot.slack, QUIET_CHANNEL)) == 1  # tried once, refused
    [dm] = posted(bot.slack, ALICE)
    assert f"P-{number}'s card" in dm.args["text"] and "/invite @ritualbot" in dm.args["text"]
    assert stored(bot, number).card_ts is None


def test_a_quick_capture_posts_its_card_once_and_the_clock_leaves_it(bot):
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Cold start"
    )
    bot.settle()

    # Only the problem's canvas and the card's link to it, which nobody waits on.
    assert sweep(bot, later=LEASE * 2) == 2
    assert len(posted(bot.slack, CHANNEL)) == 1
    assert stored(bot, 1).card_ts is not None


def test_a_capture_in_a_channel_without_the_bot_is_told_in_place_not_twice(bot):
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=QUIET_CHANNEL, command="/problem", text="Quiet"
    )
    bot.settle()
    sweep(bot, later=LEASE * 2)

    [note] = [r for r in bot.slack.responses if "P-1 is saved" in r.body.get("text", "")]
    assert "couldn't post its card here" in note.body["text"]
    assert posted(bot.slack, ALICE) == [], "told in place, and again by DM"


def test_a_problem_edited_before_its_card_went_out_shows_the_edit(bot):
    number = left_by_a_crash(bot, "First title")
    with bot.runtime.db.transaction() as session:
        row = session.scalars(
            select(Problem).where(Problem.team_id == TEAM, Problem.number == number)
        ).one()
        row.title = "Second title"
        messages.card_update(session, problems.ProblemRecord.of(row))

    sweep(bot)

    [card] = posted(bot.slack, CHANNEL)
    assert "Second title" in rendered(card.args) and "First title" not in rendered(card.args)
    # The card's one update links its canvas; none was needed for the edit.
    [update] = bot.slack.calls("chat.update")
    assert "Lab notebook" in rendered(update.args) and "First title" not in rendered(update.args)


def test_a_capture_whose_card_slack_never_took_says_it_will_follow(bot):
    bot.slack.inject("chat.postMessage", status=503, times=3)  # the first try and both retries
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Cold start"
    )
    bot.settle()

    [note] = [r for r in bot.slack.responses if "P-1 is saved" in r.body.get("text", "")]
    assert "it will follow as soon as Slack takes it" in note.body["text"]
    assert stored(bot, 1).card_ts is None
    assert posted(bot.slack, ALICE) == []  # nothing to tell anyone yet

    assert sweep(bot, later=timedelta(minutes=1)) == 3  # with its canvas, and the link to it
    [card] = bot.slack.messages(CHANNEL)  # what the channel shows: one card
    assert "Cold start" in rendered(card.blocks)


# Experiment confirmations go the same way.


def experiment_row(bot, number: int) -> Experiment:
    with bot.runtime.db.reading() as session:
        return session.scalars(
            select(Experiment).where(Experiment.team_id == TEAM, Experiment.number == number)
        ).one()


def test_the_clock_posts_an_experiment_a_crash_left_unannounced_exactly_once(bot):
    frame(bot, baseline="0.70", target="0.80")
    with bot.runtime.db.transaction() as session:  # stored and acknowledged; then the kill
        logged = experiments.create(
            session,
            team_id=TEAM,
            user_id=ALICE,
            channel_id=CHANNEL,
            draft=quick_draft(QuickLog(1, "0.75", "hard negatives")),
        )
        messages.confirmation(session, logged, channel=CHANNEL)

    # With P-1's canvas (holding E-1 already) and its card's link to it, left to the clock.
    assert sweep(bot) == 3
    assert sweep(bot) == 0

    [message] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-1")]
    assert "Improved" in rendered(message.blocks)
    row = experiment_row(bot, 1)
    assert (row.message_channel, row.message_ts) == (CHANNEL, message.ts)


def test_an_experiment_slack_never_took_says_it_will_follow_and_the_sweep_posts_it(bot):
    frame(bot)
    bot.slack.inject("chat.postMessage", status=503, times=3)  # the first try and both retries
    log(bot, "P-1 0.75 during the outage")

    [note] = [r for r in bot.slack.responses if "E-1 is saved" in rendered(r.body)]
    assert "it will follow as soon as Slack takes it" in rendered(note.body)
    assert experiment_row(bot, 1).message_ts is None

    assert sweep(bot, later=timedelta(minutes=1)) == 3  # with P-1's canvas and its link
    [message] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]
    assert message.ts == experiment_row(bot, 1).message_ts
    # Its error analysis can now go in its thread, as for any other experiment.
    assert experiment_row(bot, 1).message_channel == CHANNEL


def test_a_logged_experiment_is_announced_once_and_the_clock_leaves_it(bot):
    frame(bot)
    log(bot, "P-1 0.75 the normal way")

    assert sweep(bot, later=LEASE * 2) == 2  # P-1's canvas and its card's link to it
    assert len([m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]) == 1
