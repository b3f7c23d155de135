""" "Tried before" you can trust: a suggestion needs two meaningful shared words or a shared
phrase, shows the shared words in bold, and always comes after the card it is about."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from jobs.outbox import LEASE
from storage.types import utcnow
from tests.conftest import ALICE, CHANNEL, TEAM
from tests.support.records import Seed
from tests.support.slack import posted, rendered

NOTE = "Before you start"


def capture(bot, title: str) -> None:
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text=title
    )
    assert answer.status == 200
    bot.settle()


def notes(bot) -> list:
    return [m for m in bot.slack.messages(CHANNEL) if NOTE in m.text]


def shown(note) -> str:
    """What the note's suggestions say, as mrkdwn."""
    return "\n".join(e["text"] for b in note.blocks[1:] for e in b.get("elements", []))


def test_one_shared_word_is_no_suggestion(bot):
    seed = Seed(bot)
    seed.problem("Churn model flags loyal customers as leaving")
    # "customers" is in most of this workspace's records: too common to say anything.
    for title in (
        "Customers cannot find their refunds",
        "Recommendations for returning customers",
        "Customers drop out at checkout",
        "Support answers customers too slowly",
    ):
        seed.problem(title)

    capture(bot, "Fraud model flags our best customers")

    # It shares "flags" (and the generic "model", the common "customers") with the churn
    # problem: nothing to suggest, and no note at all, in the channel or to its author.
    assert notes(bot) == []
    assert NOTE not in rendered([r.body for r in bot.slack.responses])
    assert not any(NOTE in m.text for m in bot.slack.ephemerals(CHANNEL, ALICE))
    assert any("Fraud model flags" in m.text for m in bot.slack.messages(CHANNEL))


def test_two_meaningful_shared_words_are_suggested_with_the_words_in_bold(bot):
    seed = Seed(bot)
    seed.problem("Churn model flags loyal customers as leaving")
    seed.problem("Chargeback fraud slips past the rules", statement="Stolen cards go unflagged.")

    capture(bot, "Fraud rules miss stolen cards")

    [note] = notes(bot)
    lines = shown(note)
    assert "*P-2*" in lines and "P-1" not in lines
    # Why: the shared words, in bold, where they are (title, then the statement's snippet).
    assert "Chargeback *fraud* slips past the *rules*" in lines
    assert "*Stolen cards*" in lines


def test_a_shared_phrase_is_a_match_even_of_common_words(bot):
    seed = Seed(bot)
    seed.problem("Label noise in the intent classifier")
    # "label" is everywhere here, so alone it would not count; "label noise" does.
    for title in ("Label drift", "Label budget", "Label tool is slow", "Relabel the label set"):
        seed.problem(title)
    seed.problem("Noise from the microphone")

    capture(bot, "Label noise hurts ticket routing")

    [note] = notes(bot)
    lines = shown(note)
    assert "*P-1*" in lines and "*Label noise*" in lines
    assert "P-6" not in lines  # "noise" alone is one word
    assert "P-2" not in lines and "P-3" not in lines  # "label" alone is common


def test_what_a_suggestion_shows_of_past_text_never_pings(bot):
    seed = Seed(bot)
    seed.problem("Fraud alerts <!channel> wake everyone at night")

    capture(bot, "Fraud alerts fire on refunds")

    [note] = notes(bot)
    assert "*Fraud alerts*" in shown(note)
    assert "<!channel>" not in rendered(note.blocks) + note.text
    assert "&lt;!channel&gt;" in shown(note)


def sweep_later(bot, later: timedelta) -> int:
    with time_machine.travel(utcnow() + later, tick=True):
        return bot.runtime.sender.sweep()


def test_a_suggestion_follows_its_card_even_when_the_card_is_sent_late(bot):
    seed = Seed(bot)
    seed.problem("Chargeback fraud slips past the rules")
    bot.slack.inject("chat.postMessage", status=503, times=3)  # the first try and both retries

    capture(bot, "Fraud rules miss stolen cards")

    # Slack took nothing yet: neither the card nor what it would be followed by.
    assert [c for c in posted(bot.slack, CHANNEL) if c.response.get("ok")] == []
    assert notes(bot) == []

    # The card and the note; P-2's canvas and the card's link to it.
    assert sweep_later(bot, timedelta(minutes=5)) == 4

    calls = [c for c in posted(bot.slack, CHANNEL) if c.response.get("ok")]
    [card_at] = [
        i for i, c in enumerate(calls) if "P-2" in c.args["text"] and NOTE not in c.args["text"]
    ]
    [note_at] = [i for i, c in enumerate(calls) if NOTE in c.args["text"]]
    assert card_at < note_at
    # And in its thread.
    [note] = notes(bot)
    assert note.thread_ts == calls[card_at].response["ts"]
    assert sweep_later(bot, timedelta(hours=1)) == 0  # each once


def test_a_suggestion_waits_for_a_card_whose_send_was_interrupted(bot):
    seed = Seed(bot)
    seed.problem("Chargeback fraud slips past the rules")
    # Slack posts the card but its answer is lost: the card is looked for after its lease.
    bot.slack.inject("chat.postMessage", lose_answer=True)

    capture(bot, "Fraud rules miss stolen cards")
    assert notes(bot) == []

    sweep_later(bot, LEASE * 2)

    history = bot.slack.messages(CHANNEL)
    cards = [m for m in history if "Fraud rules miss" in m.text]
    [note] = notes(bot)
    assert len(cards) == 1 and note.thread_ts == cards[0].ts  # posted once, then followed
    assert history.index(note) > history.index(cards[0])
