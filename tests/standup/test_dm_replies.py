"""Answering the standup by typing in the DM: the prompt asks the questions one at a time,
each reply is stored on the person's open prompt, and the last one posts the answer exactly
as the Answer form does. "skip", "away until …", "edit" and "nothing to report" work as
replies; a late answer joins the day's thread marked late; Slack's redelivery of a reply
counts once; a blocker raised by reply is followed up like the form's."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from datetime import time as clock_time

import pytest
import time_machine
from sqlalchemy import select, update

from runtime.clock import RitualScheduler
from storage.db import Database
from storage.rituals import Away, StandupAnswer, StandupConversation
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, TEAM
from tests.support.slack import rendered
from tests.support.standup import (
    answers_form,
    at,
    click_answer,
    element,
    fire,
    make_standup,
    prompts,
    team_clock,
)

FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)
LINK = "Posted in <#C0ML>"
INFRA = "C0INFRA"


@pytest.fixture
def clock(bot) -> RitualScheduler:
    return team_clock(bot, made_on=FRIDAY)


@pytest.fixture
def prompted(bot, clock):
    """Friday's 09:30 prompts went out; it is 10:00."""
    fire(clock, at(FRIDAY, 9, 30))
    with time_machine.travel(at(FRIDAY, 10), tick=True):
        yield bot


def reply(bot, user: str, text: str):
    message, delivery = bot.slack.reply_in_dm(team_id=TEAM, user_id=user, text=text)
    bot.settle()
    assert delivery.status == 200
    return message


def said_to(bot, user: str) -> list[str]:
    """What the bot said in the DM, as text, oldest first."""
    return [
        rendered(m.blocks) if m.blocks else m.text
        for m in bot.slack.messages(user)
        if m.user != user
    ]


def thread_replies(bot, day: date = FRIDAY) -> list:
    [parent] = [m for m in bot.slack.messages(CHANNEL) if m.text == f"Standup · {day:%a %d %b}"]
    return [m for m in bot.slack.thread(CHANNEL, parent.ts) if m.ts != parent.ts]


def stored(bot) -> dict[str, dict[str, str]]:
    with bot.runtime.db.transaction() as session:
        return {a.user_id: dict(a.answers) for a in session.scalars(select(StandupAnswer))}


def test_four_replies_answer_the_standup_once_in_the_thread_with_a_link_back(prompted):
    bot = prompted
    [prompt] = prompts(bot.slack, BOB)
    assert "Reply here to answer" in rendered(prompt.blocks)
    assert "1/4 · What moved since last time?" in rendered(prompt.blocks)
    reply(bot, BOB, "data loader")
    assert said_to(bot, BOB)[-1] == "*2/4 · What's next?*"
    reply(bot, BOB, "eval harness")
    reply(bot, BOB, "none")
    assert said_to(bot, BOB)[-1] == "*4/4 · Any experiment results or surprises?*"
    assert thread_replies(bot) == []
    reply(bot, BOB, "recall +2 points")
    [posted] = thread_replies(bot)
    shown = rendered(posted.blocks)
    for text in ("data loader", "eval harness", "recall +2 points"):
        assert text in shown
    assert posted.username == "bob" and "via ritualbot" in shown and "late" not in shown
    [confirmation] = [m for m in bot.slack.messages(BOB) if m.text.startswith(LINK)]
    assert f"/archives/{CHANNEL}/p{posted.ts.replace('.', '')}" in confirmation.text
    assert stored(bot)[BOB]["What's next?"] == "eval harness"
    # A reply after the answer is posted says how to change it; nothing else moves.
    reply(bot, BOB, "one more thing")
    assert "Reply `edit`" in said_to(bot, BOB)[-1]
    assert len(thread_replies(bot)) == 1


def test_nothing_to_report_posts_that_at_once(prompted):
    bot = prompted
    reply(bot, CAROL, "quiet day")
    reply(bot, CAROL, "nothing to report")
    [posted] = thread_replies(bot)
    assert "quiet day" in rendered(posted.blocks)
    assert set(stored(bot)[CAROL].values()) == {"quiet day", ""}


def test_skip_declares_the_day_away_and_posts_nothing(prompted, clock):
    bot = prompted
    reply(bot, BOB, "skip")
    assert said_to(bot, BOB)[-1].startswith("Skipped: no standup for you on Fri 27 Nov")
    with bot.runtime.db.transaction() as session:
        [away] = session.scalars(select(Away).where(Away.user_id == BOB))
    assert (away.starts_on, away.ends_on) == (FRIDAY, FRIDAY)
    reply(bot, BOB, "changed my mind")
    assert "You skipped the standup of Fri 27 Nov" in said_to(bot, BOB)[-1]
    fire(clock, at(FRIDAY, 17))
    [summary] = thread_replies(bot)
    assert "Away (1)" in rendered(summary.blocks) and stored(bot) == {}


def test_away_until_a_date_stops_the_prompts_through_it(prompted, clock):
    bot = prompted
    reply(bot, BOB, "away until tomorrow")
    assert "Type it as 2026-12-31" in said_to(bot, BOB)[-1]
    reply(bot, BOB, "away until 2026-11-30")
    assert said_to(bot, BOB)[-1] == "No standup prompts for you from Fri 27 Nov through Mon 30 Nov."
    fire(clock, at(MONDAY, 9, 30))
    fire(clock, at(TUESDAY, 9, 30))
    assert [p.text.endswith("(Tue 01 Dec)") for p in prompts(bot.slack, BOB)] == [False, True]
    assert len(prompts(bot.slack, ALICE)) == 3


def test_edit_asks_again_and_edits_the_posted_answer(prompted):
    bot = prompted
    for text in ("first try", "b", "none", ""):
        reply(bot, ALICE, text or "nothing to report")
    reply(bot, ALICE, "edit")
    assert said_to(bot, ALICE)[-1].startswith("Answering again: your answer of Fri 27 Nov")
    assert said_to(bot, ALICE)[-1].endswith("*1/4 · What moved since last time?*")
    for text in ("second try", "b", "none", "no"):
        reply(bot, ALICE, text)
    [posted] = thread_replies(bot)
    shown = rendered(posted.blocks)
    assert "second try" in shown and "first try" not in shown and "edited" in shown
    assert (
        said_to(bot, ALICE)[-1]
        == f"Your answer of Fri 27 Nov in <#{CHANNEL}> is updated to these replies."
    )


def test_a_reply_without_an_open_prompt_says_what_to_do(bot, clock):
    with time_machine.travel(at(FRIDAY, 9), tick=True):
        reply(bot, BOB, "hello?")
    [told] = said_to(bot, BOB)
    assert "no standup waiting for an answer" in told and "`/standup`" in told
    with bot.runtime.db.transaction() as session:
        assert session.scalars(select(StandupConversation)).all() == []


def shared_file(bot, user: str, text: str) -> None:
    """`user` replies with a file attached: Slack's `message` of subtype `file_share`."""
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": f"{at(FRIDAY, 10).timestamp():.0f}.{len(text):06d}",
        "files": [{"id": "F0PLOT", "name": "recall.png", "mimetype": "image/png"}],
    }
    assert bot.slack.event(team_id=TEAM, event=event).status == 200
    bot.settle()


def test_a_reply_with_a_file_attached_is_taken_by_its_text(prompted):
    bot = prompted
    shared_file(bot, BOB, "data loader, plot attached")
    assert said_to(bot, BOB)[-1] == "*2/4 · What's next?*"
    shared_file(bot, BOB, "")
    assert said_to(bot, BOB)[-1].startswith("That reply was empty. Reply with your answer")
    with bot.runtime.db.transaction() as session:
        [row] = session.scalars(
            select(StandupConversation).where(StandupConversation.user_id == BOB)
        )
    assert row.answers == {"What moved since last time?": "data loader, plot attached"}


def test_slacks_redelivery_of_a_reply_counts_once(prompted):
    bot = prompted
    message = reply(bot, BOB, "data loader")
    for retry in (1, 2):
        again = bot.slack.redeliver_dm(team_id=TEAM, message=message, retry_num=retry)
        bot.settle()
        assert again.status == 200
    assert said_to(bot, BOB)[-1] == "*2/4 · What's next?*"
    assert sum("2/4" in text for text in said_to(bot, BOB)) == 1
    for text in ("eval", "none", "no"):
        reply(bot, BOB, text)
    assert len(thread_replies(bot)) == 1
    assert stored(bot)[BOB]["What moved since last time?"] == "data loader"
    assert stored(bot)[BOB]["What's next?"] == "eval"


def test_a_reply_after_the_cut_off_joins_the_thread_marked_late(prompted, clock):
    bot = prompted
    reply(bot, BOB, "started before the cut-off")
    fire(clock, at(FRIDAY, 17))
    with time_machine.travel(at(FRIDAY, 18), tick=True):
        for text in ("late work", "none", "no"):
            reply(bot, BOB, text)
    summary, late = thread_replies(bot)
    assert "Standup summary" in summary.text and "late" in late.text
    assert "answered after the cut-off" in rendered(late.blocks)
    assert "started before the cut-off" in rendered(late.blocks)
    # A day after the cut-off the standup is closed to replies.
    with time_machine.travel(at(FRIDAY, 17) + timedelta(days=1, minutes=1), tick=True):
        reply(bot, CAROL, "too late")
    assert "closed a day ago" in said_to(bot, CAROL)[-1]


def blocked_since_friday(bot, clock) -> None:
    """Bob raises "GPU quota" by reply on Friday; Monday's prompts have gone out."""
    fire(clock, at(FRIDAY, 9, 30))
    with time_machine.travel(at(FRIDAY, 10), tick=True):
        for text in ("eval harness", "sweep", "GPU quota", "no"):
            reply(bot, BOB, text)
    fire(clock, at(FRIDAY, 17))
    fire(clock, at(MONDAY, 9, 30))


def test_a_blocker_raised_by_reply_is_followed_up_like_the_forms(bot, clock):
    blocked_since_friday(bot, clock)
    [monday] = prompts(bot.slack, BOB)[-1:]
    assert "Still blocked on GPU quota?" in rendered(monday.blocks)
    with time_machine.travel(at(MONDAY, 10), tick=True):
        reply(bot, BOB, "more")
        reply(bot, BOB, "more")
        assert "You were blocked on GPU quota (Fri 27 Nov)" in said_to(bot, BOB)[-1]
        reply(bot, BOB, "still the GPU quota")
        reply(bot, BOB, "no")
    [notice] = [m for m in bot.slack.messages(ALICE) if "is still blocked" in m.text]
    assert notice.text == (
        f"<@{BOB}> is still blocked at <#{CHANNEL}>'s standup (3 days since Fri 27 Nov): "
        "still the GPU quota. A word from you may unblock them."
    )


def nothing_to_report_by_form(bot, user: str) -> None:
    """The form as Slack submits it untouched: its blocker question keeps its prefilled
    "still" (Slack sends an initial option back as chosen)."""
    click_answer(bot, user)
    chosen = {
        "nothing_to_report": element("checkboxes", selected_options=[{"value": "yes"}]),
        "still_blocked": element("radio_buttons", selected_option={"value": "still"}),
    }
    bot.slack.submit_view(user_id=user, values=answers_form("", "", "", "") | chosen)
    bot.settle()


@pytest.mark.parametrize("by", ["form", "reply"])
def test_nothing_to_report_keeps_an_earlier_blocker_open_by_reply_as_by_the_form(bot, clock, by):
    """Nothing to report says nothing changed: the blocker stays open at this second
    standup, so the owner is told and the summary lists it, whichever way it was said."""
    blocked_since_friday(bot, clock)
    with time_machine.travel(at(MONDAY, 10), tick=True):
        if by == "form":
            nothing_to_report_by_form(bot, BOB)
        else:
            reply(bot, BOB, "nothing to report")
    fire(clock, at(MONDAY, 17))
    [notice] = [m for m in bot.slack.messages(ALICE) if "is still blocked" in m.text]
    assert "(3 days since Fri 27 Nov): GPU quota." in notice.text
    summary = thread_replies(bot, MONDAY)[-1]
    assert f"blocked 3 days: GPU quota — <@{BOB}>" in rendered(summary.blocks)
    fire(clock, at(TUESDAY, 9, 30))
    assert "Still blocked on GPU quota?" in rendered(prompts(bot.slack, BOB)[-1].blocks)


def test_none_to_the_blocker_question_resolves_an_earlier_blocker(bot, clock):
    fire(clock, at(FRIDAY, 9, 30))
    with time_machine.travel(at(FRIDAY, 10), tick=True):
        for text in ("a", "b", "GPU quota", "no"):
            reply(bot, BOB, text)
    fire(clock, at(MONDAY, 9, 30))
    with time_machine.travel(at(MONDAY, 10), tick=True):
        for text in ("a", "b", "none", "no"):
            reply(bot, BOB, text)
    fire(clock, at(TUESDAY, 9, 30))
    [tuesday] = prompts(bot.slack, BOB)[-1:]
    assert "Still blocked" not in rendered(tuesday.blocks)
    assert [m for m in bot.slack.messages(ALICE) if "is still blocked" in m.text] == []


def test_a_standup_interrupted_by_anothers_prompt_is_taken_up_again_after_it(bot, clock):
    """Bob is half way through #ml-team's questions when #infra's prompt comes: his replies
    answer the question asked last (#infra's), then the bot goes back to #ml-team's."""
    bot.slack.add_channel(team_id=TEAM, channel_id=INFRA, name="infra", members=[ALICE, BOB])
    with time_machine.travel(at(FRIDAY, 9), tick=False):
        make_standup(
            bot.runtime.db, bot.slack, team_id=TEAM, channel_id=INFRA, owner=ALICE, rule="team",
            at=clock_time(10, 0),
        )  # fmt: skip
    fire(clock, at(FRIDAY, 9, 30))
    with time_machine.travel(at(FRIDAY, 9, 45), tick=True):
        reply(bot, BOB, "ml: data loader")
    fire(clock, at(FRIDAY, 10))
    with time_machine.travel(at(FRIDAY, 10, 5), tick=True):
        for text in ("infra: disks", "infra: quotas", "none", "no"):
            reply(bot, BOB, text)
        assert said_to(bot, BOB)[-1] == (
            f"Back to <#{CHANNEL}>'s standup of Fri 27 Nov:\n*2/4 · What's next?*"
        )
        for text in ("ml: eval harness", "none", "no"):
            reply(bot, BOB, text)
    [ml] = thread_replies(bot)
    assert "ml: data loader" in rendered(ml.blocks) and "ml: eval harness" in rendered(ml.blocks)
    assert "infra" not in rendered(ml.blocks)
    [infra] = [m for m in bot.slack.messages(INFRA) if m.thread_ts and m.ts != m.thread_ts]
    assert "infra: quotas" in rendered(infra.blocks) and "ml:" not in rendered(infra.blocks)
    reply(bot, BOB, "anything else?")
    assert "Reply `edit`" in said_to(bot, BOB)[-1]


def test_after_answering_by_the_form_a_reply_says_how_to_change_it(prompted):
    bot = prompted
    click_answer(bot, BOB)
    bot.slack.submit_view(user_id=BOB, values=answers_form("by the form", "", "", ""))
    bot.settle()
    reply(bot, BOB, "and by reply?")
    assert "Your answer for Fri 27 Nov is posted. Reply `edit`" in said_to(bot, BOB)[-1]
    reply(bot, BOB, "edit")
    for text in ("by reply", "b", "none", "no"):
        reply(bot, BOB, text)
    [posted] = thread_replies(bot)
    assert "by reply" in rendered(posted.blocks) and "edited" in rendered(posted.blocks)


def test_a_reply_that_finds_the_database_busy_is_kept(prompted):
    """Slack had its ack before the reply was stored: a database held by another writer
    for longer than an ack may wait is waited out, not the reply dropped."""
    bot = prompted
    held = threading.Event()

    def hold_for_three_seconds() -> None:
        with Database(bot.runtime.db.engine).transaction() as session:
            # Every conversation row written, so PostgreSQL holds their locks; SQLite, its
            # one write lock.
            session.execute(update(StandupConversation).values(asking=StandupConversation.asking))
            held.set()
            time.sleep(3)

    holder = threading.Thread(target=hold_for_three_seconds)
    holder.start()
    held.wait(5)
    _, delivery = bot.slack.reply_in_dm(team_id=TEAM, user_id=BOB, text="data loader")
    assert delivery.status == 200
    holder.join()
    bot.settle()
    assert said_to(bot, BOB)[-1] == "*2/4 · What's next?*"
    with bot.runtime.db.transaction() as session:
        [row] = session.scalars(
            select(StandupConversation).where(StandupConversation.user_id == BOB)
        )
    assert row.answers == {"What moved since last time?": "data loader"}


def test_an_overlong_reply_is_refused_and_the_question_stays(prompted):
    bot = prompted
    reply(bot, BOB, "x" * 2600)
    assert "Keep each answer under 2500 characters" in said_to(bot, BOB)[-1]
    reply(bot, BOB, "short")
    assert said_to(bot, BOB)[-1] == "*2/4 · What's next?*"
