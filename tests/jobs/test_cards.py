"""A problem's channel card, and an experiment's confirmation, are posted once, after the
ack; one a crash left behind is posted by the clock, once, and never days late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.experiments import service as experiments
from bot.problems import service as problems
from jobs.cards import LEFT_AFTER, TOO_LATE
from runtime.clock import RitualScheduler
from storage.models import CardState, Experiment, Problem
from storage.types import utcnow
from tests.conftest import ALICE, CHANNEL, QUIET_CHANNEL, TEAM
from tests.support.delivery import frame, log
from tests.support.slack import posted, rendered


def stored(bot, number: int) -> Problem:
    with bot.runtime.db.transaction() as session:
        return session.scalars(
            select(Problem).where(Problem.team_id == TEAM, Problem.number == number)
        ).one()


def left_by_a_crash(bot, title: str, *, age: timedelta, channel: str = CHANNEL) -> int:
    """A problem stored and acknowledged, whose process died before posting its card."""
    with bot.runtime.db.transaction() as session:
        saved = problems.create(
            session,
            team_id=TEAM,
            user_id=ALICE,
            channel_id=channel,
            draft=problems.ProblemDraft(title=title),
            card_to=channel,
        )
        session.execute(
            update(Problem)
            .where(Problem.team_id == TEAM, Problem.number == saved.problem.number)
            .values(created_at=utcnow() - age)
        )
    return saved.problem.number


def clock(bot) -> RitualScheduler:
    return RitualScheduler(db=bot.runtime.db, client_factory=lambda _team: bot.runtime.app.client)


def test_the_clock_posts_a_card_a_crash_left_behind_exactly_once(bot):
    number = left_by_a_crash(bot, "Drift after the holidays", age=LEFT_AFTER * 2)

    assert clock(bot).post_left_cards() == 1
    assert clock(bot).post_left_cards() == 0  # the next sweep, or a second clock process

    [card] = posted(bot.slack, CHANNEL)
    assert "Drift after the holidays" in rendered(card.args["blocks"])
    row = stored(bot, number)
    assert row.card_state == CardState.POSTED and row.card_ts == card.response["ts"]


def test_a_card_still_on_its_way_is_left_to_the_process_posting_it(bot):
    left_by_a_crash(bot, "Young card", age=LEFT_AFTER / 4)
    left_by_a_crash(bot, "A card from last week", age=TOO_LATE * 7)

    assert clock(bot).post_left_cards() == 0
    assert posted(bot.slack, CHANNEL) == []


def test_a_card_the_channel_refuses_is_reported_to_its_author_and_not_tried_again(bot):
    number = left_by_a_crash(bot, "Label noise", age=LEFT_AFTER * 2, channel=QUIET_CHANNEL)

    assert clock(bot).post_left_cards() == 0
    assert clock(bot).post_left_cards() == 0

    assert len(posted(bot.slack, QUIET_CHANNEL)) == 1  # tried once, refused
    [dm] = posted(bot.slack, ALICE)
    assert f"P-{number} is saved" in dm.args["text"] and "/invite @ritualbot" in dm.args["text"]
    assert stored(bot, number).card_state == CardState.FAILED


def test_a_quick_capture_posts_its_card_once_and_the_clock_leaves_it(bot):
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Cold start"
    )
    bot.settle()

    assert clock(bot).post_left_cards() == 0
    assert len(posted(bot.slack, CHANNEL)) == 1
    assert stored(bot, 1).card_state == CardState.POSTED


def test_a_problem_edited_before_its_card_went_out_shows_the_edit(bot):
    number = left_by_a_crash(bot, "First title", age=LEFT_AFTER * 2)
    with bot.runtime.db.transaction() as session:
        session.execute(
            update(Problem)
            .where(Problem.team_id == TEAM, Problem.number == number)
            .values(title="Second title")
        )

    clock(bot).post_left_cards()

    [card] = posted(bot.slack, CHANNEL)
    assert "Second title" in rendered(card.args) and "First title" not in rendered(card.args)


def test_a_card_slack_never_took_stays_pending_and_the_next_sweep_posts_it(bot):
    number = left_by_a_crash(bot, "Slack had an outage", age=LEFT_AFTER * 2)
    bot.slack.inject("chat.postMessage", status=503, times=3)  # the first try and both retries

    assert clock(bot).post_left_cards() == 0
    assert stored(bot, number).card_state == CardState.PENDING
    assert posted(bot.slack, ALICE) == []  # nothing to tell anyone yet

    assert clock(bot).post_left_cards() == 1
    [card] = bot.slack.messages(CHANNEL)  # what the channel shows: one card
    assert "Slack had an outage" in rendered(card.blocks)
    assert stored(bot, number).card_state == CardState.POSTED


def test_a_capture_whose_card_slack_never_took_says_it_will_follow(bot):
    bot.slack.inject("chat.postMessage", status=503, times=3)
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Cold start"
    )
    bot.settle()

    [note] = [r for r in bot.slack.responses if "P-1 is saved" in r.body.get("text", "")]
    assert "post its card here in a few minutes" in note.body["text"]
    assert stored(bot, 1).card_state == CardState.PENDING

    with bot.runtime.db.transaction() as session:  # the sweep comes by once it is due
        session.execute(
            update(Problem)
            .where(Problem.team_id == TEAM)
            .values(created_at=utcnow() - LEFT_AFTER * 2)
        )
    assert clock(bot).post_left_cards() == 1
    assert len(bot.slack.messages(CHANNEL)) == 1


# Experiment confirmations follow the same rule as problem cards (storage.posts).


def experiment_row(bot, number: int) -> Experiment:
    with bot.runtime.db.reading() as session:
        return session.scalars(
            select(Experiment).where(Experiment.team_id == TEAM, Experiment.number == number)
        ).one()


def age_experiments(bot, by: timedelta) -> None:
    """Make the workspace's experiments `by` old: the sweep only takes those left a while."""
    with bot.runtime.db.transaction() as session:
        session.execute(
            update(Experiment).where(Experiment.team_id == TEAM).values(created_at=utcnow() - by)
        )


def test_the_clock_posts_an_experiment_a_crash_left_unannounced_exactly_once(bot):
    frame(bot, baseline="0.70", target="0.80")
    with bot.runtime.db.transaction() as session:  # stored and acknowledged; then the kill
        logged = experiments.create(
            session,
            team_id=TEAM,
            user_id=ALICE,
            channel_id=CHANNEL,
            draft=experiments.quick_draft(problem=1, value="0.75", note="hard negatives"),
        )
        experiments.await_message(
            session, team_id=TEAM, number=logged.experiment.number, channel=CHANNEL
        )
    age_experiments(bot, LEFT_AFTER * 2)

    assert clock(bot).post_left_cards() == 1
    assert clock(bot).post_left_cards() == 0

    [message] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-1")]
    assert "Improved" in rendered(message.blocks)
    row = experiment_row(bot, 1)
    assert row.message_state == CardState.POSTED and row.message_ts == message.ts


def test_an_experiment_slack_never_took_says_it_will_follow_and_the_sweep_posts_it(bot):
    frame(bot)
    bot.slack.inject("chat.postMessage", status=503, times=3)  # the first try and both retries
    log(bot, "P-1 0.75 during the outage")

    [note] = [r for r in bot.slack.responses if "E-1 is saved" in rendered(r.body)]
    assert "post it here in a few minutes" in rendered(note.body)
    assert experiment_row(bot, 1).message_state == CardState.PENDING

    age_experiments(bot, LEFT_AFTER * 2)
    assert clock(bot).post_left_cards() == 1
    [message] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]
    assert message.ts == experiment_row(bot, 1).message_ts
    # Its error analysis can now go in its thread, as for any other experiment.
    assert experiment_row(bot, 1).message_channel == CHANNEL


def test_a_logged_experiment_is_announced_once_and_the_clock_leaves_it(bot):
    frame(bot)
    log(bot, "P-1 0.75 the normal way")
    age_experiments(bot, LEFT_AFTER * 2)

    assert clock(bot).post_left_cards() == 0
    assert len([m for m in bot.slack.messages(CHANNEL) if m.text.startswith("E-")]) == 1
    assert experiment_row(bot, 1).message_state == CardState.POSTED
