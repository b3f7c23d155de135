"""A problem's channel card is posted once, after the ack; a card a crash left behind is
posted by the clock, once, and never days late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot import problems
from bot.jobs.cards import LEFT_AFTER, TOO_LATE
from bot.scheduler import RitualScheduler
from storage.models import CardState, Problem
from storage.types import utcnow
from tests.conftest import ALICE, CHANNEL, QUIET_CHANNEL, TEAM
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
