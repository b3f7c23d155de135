"""The answer form: it names the channel and when it closes, refuses an empty Post, and
takes "nothing to report" as an explicit choice."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from sqlalchemy import select

from storage.rituals import StandupAnswer
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support.slack import rendered, seen_by
from tests.support.standup import (
    answers_form,
    click_answer,
    element,
    make_standup,
    prompts,
)

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def prompted(bot):
    """A London-time standup (cut-off 18:00) whose prompts went out by `/standup now`."""
    with time_machine.travel(NOW, tick=True):
        make_standup(
            bot.runtime.db,
            bot.slack,
            team_id=TEAM,
            channel_id=CHANNEL,
            owner=ALICE,
            rule="team",
            zone="Europe/London",
            cutoff=time(18, 0),
        )
        bot.slack.slash_command(
            team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/standup", text="now"
        )
        bot.settle()
        yield bot


def thread_replies(bot) -> list:
    [parent] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Standup ·")]
    return [m for m in bot.slack.thread(CHANNEL, parent.ts) if m.ts != parent.ts]


def stored(bot) -> list[StandupAnswer]:
    with bot.runtime.db.reading() as session:
        return list(session.scalars(select(StandupAnswer)))


def test_posting_an_empty_form_is_refused_on_the_field_with_what_to_do(prompted):
    bot = prompted
    click_answer(bot, BOB)
    refused = bot.slack.submit_view(user_id=BOB, values=answers_form("", "  ", "", ""))
    bot.settle()
    assert refused.body["response_action"] == "errors"
    assert refused.body["errors"] == {
        "answer_0": "Write at least one answer, or tick “Nothing to report today” at the "
        "bottom of the form to post that."
    }
    assert thread_replies(bot) == [] and stored(bot) == []


def test_nothing_to_report_ticked_posts_that_in_the_thread(prompted):
    bot = prompted
    click_answer(bot, BOB)
    ticked = {"nothing_to_report": element("checkboxes", selected_options=[{"value": "yes"}])}
    bot.slack.submit_view(user_id=BOB, values=answers_form("", "", "", "") | ticked)
    bot.settle()
    [reply] = thread_replies(bot)
    assert reply.text == f"Standup from <@{BOB}>"
    assert "_nothing to report_" in rendered(reply.blocks)
    click_answer(bot, BOB)  # reopened, the choice is still ticked
    view = bot.slack.open_view(BOB)
    [choice] = [b for b in view.view["blocks"] if b.get("block_id") == "nothing_to_report"]
    assert choice["element"]["initial_options"][0]["text"]["text"] == "Nothing to report today"


def test_an_answer_with_nothing_to_report_ticked_posts_the_answer(prompted):
    bot = prompted
    click_answer(bot, BOB)
    ticked = {"nothing_to_report": element("checkboxes", selected_options=[{"value": "yes"}])}
    bot.slack.submit_view(user_id=BOB, values=answers_form("data loader", "", "", "") | ticked)
    bot.settle()
    [reply] = thread_replies(bot)
    shown = rendered(reply.blocks)
    assert "data loader" in shown and "nothing to report" not in shown


def test_the_prompt_and_the_form_name_the_channel_the_answer_goes_to(prompted):
    bot = prompted
    [prompt] = prompts(bot.slack, BOB)
    assert f"your answers are posted in <#{CHANNEL}>, in the day's thread" in rendered(
        prompt.blocks
    )
    click_answer(bot, BOB)
    view = bot.slack.open_view(BOB)
    first = view.view["blocks"][0]["text"]["text"]
    assert first.startswith(
        f"Your answers are posted in <#{CHANNEL}>, in the thread of Fri 27 Nov."
    )


@pytest.mark.parametrize(
    ("person", "zone", "closes"),
    [
        (CAROL, "Asia/Kolkata", "23:30"),
        (BOB, "Europe/London", "18:00"),
        (ALICE, "America/Toronto", "13:00"),
    ],
)
def test_the_prompt_and_the_form_give_the_cut_off_in_the_readers_own_time(
    prompted, person, zone, closes
):
    bot = prompted
    [prompt] = prompts(bot.slack, person)
    assert f"It closes at {closes} your time." in seen_by(rendered(prompt.blocks), zone)
    # A client that cannot render Slack's dates shows the fallback: the reader's time too.
    assert f"|{closes}> your time" in rendered(prompt.blocks)
    click_answer(bot, person)
    view = bot.slack.open_view(person)
    assert f"You can edit them until {closes} your time." in seen_by(
        view.view["blocks"][0]["text"]["text"], zone
    )
