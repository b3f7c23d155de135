"""Messages the bot sends on its own, each through the outbox: Slack down while a record is
made, then back; the message arrives once, and the person who acted hears what happened."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from storage.types import utcnow
from tests.analyses.test_analyses import analysis_form, failed_experiment
from tests.conftest import BOB, CHANNEL, TEAM
from tests.support import ledger
from tests.support.delivery import command, frame, problems
from tests.support.slack import rendered

DOWN = 20  # more 503s than the client's retries of any one send


def after_a_minute(bot) -> None:
    """The clock's next sweep of the outbox, a minute on."""
    bot.slack.faults.clear()
    with time_machine.travel(utcnow() + timedelta(minutes=1), tick=True):
        bot.runtime.sender.sweep()


def test_a_decision_taken_while_slack_is_down_is_posted_once_when_it_is_back(bot):
    frame(bot)
    card_ts = problems(bot)[0].card_ts
    bot.slack.inject("chat.postMessage", status=503, times=DOWN)
    bot.slack.inject("chat.update", status=503, times=DOWN)

    answer = command(bot, "/problem", "decide P-1 ship recall is at target")

    assert "Recorded" in answer.body["text"]
    [note] = [r.body["text"] for r in bot.slack.responses if "will follow" in r.body["text"]]
    assert "The decision on P-1 is recorded" in note
    assert not [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Decision on")]

    after_a_minute(bot)
    after_a_minute(bot)

    posts = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Decision on")]
    assert len(posts) == 1
    card = next(m for m in bot.slack.messages(CHANNEL) if m.ts == card_ts)
    assert card.edited and "In production" in rendered(card.blocks)
    ledger.record(
        area="outbox",
        fault="Slack answering 503 while a decision is taken",
        tries=1,
        outcome="decision recorded and acked; its post and the card's update sent once after",
    )


def test_an_analysis_saved_while_slack_is_down_reaches_the_thread_once(bot):
    ts = failed_experiment(bot)
    bot.slack.inject("chat.postMessage", status=503, times=DOWN)
    bot.slack.inject("chat.update", status=503, times=DOWN)
    bot.slack.click(
        team_id=TEAM,
        user_id=BOB,
        action_id="analysis_start",
        value="1",
        channel_id=CHANNEL,
        message_ts=ts,
    )
    bot.settle()
    bot.slack.submit_view(user_id=BOB, values=analysis_form())
    bot.settle()
    assert len(bot.slack.thread(CHANNEL, ts)) == 1

    after_a_minute(bot)
    after_a_minute(bot)

    _parent, reply = bot.slack.thread(CHANNEL, ts)
    assert reply.text.startswith("A-1")
    ledger.record(
        area="outbox",
        fault="Slack answering 503 while an error analysis is saved",
        tries=1,
        outcome="analysis saved; posted once in its experiment's thread when Slack was back",
    )


def test_an_experiment_deleted_while_slack_is_down_shows_it_once_slack_is_back(bot):
    ts = failed_experiment(bot)
    bot.slack.inject("chat.update", status=503, times=DOWN)

    command(bot, "/experiment", "delete E-1")

    assert [r for r in bot.slack.responses if r.body["text"] == "Deleted E-1."]
    [note] = [r.body["text"] for r in bot.slack.responses if "will follow" in r.body["text"]]
    assert note.startswith("E-1 is saved. I couldn't post the change on its message yet")
    message = next(m for m in bot.slack.messages(CHANNEL) if m.ts == ts)
    assert not message.edited

    after_a_minute(bot)
    after_a_minute(bot)

    message = next(m for m in bot.slack.messages(CHANNEL) if m.ts == ts)
    assert message.edited and message.text.startswith("E-1 was deleted.")
    applied = [
        c for c in bot.slack.calls("chat.update") if c.args.get("ts") == ts and c.response.get("ok")
    ]
    assert len(applied) == 1


def test_an_analysis_deleted_while_slack_is_down_updates_its_post_and_experiment_after(bot):
    ts = failed_experiment(bot)
    bot.slack.click(
        team_id=TEAM,
        user_id=BOB,
        action_id="analysis_start",
        value="1",
        channel_id=CHANNEL,
        message_ts=ts,
    )
    bot.settle()
    bot.slack.submit_view(user_id=BOB, values=analysis_form())
    bot.settle()
    _parent, post = bot.slack.thread(CHANNEL, ts)
    assert "Start error analysis" not in rendered(bot.slack.thread(CHANNEL, ts)[0].blocks)
    bot.slack.inject("chat.update", status=503, times=DOWN)

    command(bot, "/analysis", "delete A-1", user=BOB)

    after_a_minute(bot)
    after_a_minute(bot)

    experiment, post = bot.slack.thread(CHANNEL, ts)
    assert post.text.startswith("A-1 was deleted.")
    assert "Start error analysis" in rendered(experiment.blocks)
