"""`/standup`: settings, now / skip / pause / resume, answering, editing, the cut-off summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from bot.ids import ActionId
from runtime.clock import RitualScheduler
from storage.rituals import Away, Ritual, RitualKind, StandupAnswer
from tests.conftest import ALICE, BOB, CAROL, CHANNEL, OTHER_TEAM, QUIET_CHANNEL, TEAM
from tests.support.slack import rendered, seen_by
from tests.support.standup import (
    answers_form,
    click_answer,
    client_for,
    element,
    has_button,
    make_standup,
    prompts,
)

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday
TODAY = NOW.date()


@pytest.fixture
def at_ten(bot):
    with time_machine.travel(NOW, tick=True):
        yield bot


def standup(bot, text: str = "", *, user: str = ALICE, channel: str = CHANNEL, team: str = TEAM):
    answer = bot.slack.slash_command(
        team_id=team, user_id=user, channel_id=channel, command="/standup", text=text
    )
    bot.settle()
    return answer


def settings_form(**overrides) -> dict[str, dict[str, dict]]:
    form = {
        "weekdays": element(
            "checkboxes", selected_options=[{"value": str(d)} for d in (1, 2, 3, 4, 5)]
        ),
        "local_time": element("timepicker", selected_time="09:30"),
        "timezone_rule": element("radio_buttons", selected_option={"value": "participant"}),
        "timezone": element("plain_text_input", value="Europe/London"),
        "participants_rule": element("radio_buttons", selected_option={"value": "channel"}),
        "participants": element("multi_users_select", selected_users=[]),
        "questions": element(
            "plain_text_input",
            value="What moved?\nWhat's next?\nAny blockers?\nAny experiment results?",
        ),
        "reminder_minutes": element("static_select", selected_option={"value": "60"}),
        "cutoff_time": element("timepicker", selected_time="17:00"),
        "holidays": element("plain_text_input", value="2026-12-25\n2026-12-26"),
    }
    form.update(overrides)
    return form


def rituals(bot) -> list[Ritual]:
    with bot.runtime.db.transaction() as session:
        return list(session.scalars(select(Ritual)))


def team_standup(bot) -> int:
    record = make_standup(
        bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team"
    )
    return record.id


def thread_replies(bot) -> list:
    parents = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Standup ·")]
    assert len(parents) == 1
    return [m for m in bot.slack.thread(CHANNEL, parents[0].ts) if m.ts != parents[0].ts]


# Settings ---------------------------------------------------------------------------


def test_standup_opens_its_settings_with_defaults_for_an_ml_team(bot):
    standup(bot)
    view = bot.slack.open_view(ALICE)
    assert view is not None and view.view["callback_id"] == "standup_settings"
    blocks = {b["block_id"]: b for b in view.view["blocks"]}
    assert set(blocks) == {
        "weekdays",
        "local_time",
        "timezone_rule",
        "timezone",
        "participants_rule",
        "participants",
        "questions",
        "reminder_minutes",
        "cutoff_time",
        "holidays",
    }
    questions = blocks["questions"]["element"]["initial_value"]
    assert "What moved since last time?" in questions
    assert "Any blockers?" in questions and "experiment results or surprises" in questions
    days = [o["value"] for o in blocks["weekdays"]["element"]["initial_options"]]
    assert days == ["1", "2", "3", "4", "5"]


def test_saving_the_settings_stores_the_standup_with_each_persons_timezone(bot):
    standup(bot)
    answer = bot.slack.submit_view(user_id=ALICE, values=settings_form())
    bot.settle()

    assert answer.status == 200 and bot.slack.open_view(ALICE) is None
    [ritual] = rituals(bot)
    assert (ritual.team_id, ritual.channel_id, ritual.owner_id) == (TEAM, CHANNEL, ALICE)
    assert ritual.weekdays == [1, 2, 3, 4, 5] and ritual.local_time.isoformat() == "09:30:00"
    assert ritual.holidays == ["2026-12-25", "2026-12-26"]
    assert ritual.reminder_minutes == 60 and ritual.cutoff_time.isoformat() == "17:00:00"
    assert ritual.roster == {
        ALICE: "America/Toronto",
        BOB: "Europe/London",
        CAROL: "Asia/Kolkata",
    }
    assert any("Standup saved" in m.text for m in bot.slack.messages(CHANNEL))


def test_the_form_reopens_with_what_was_saved_and_saving_again_changes_it(bot):
    standup(bot)
    bot.slack.submit_view(user_id=ALICE, values=settings_form())
    bot.settle()
    standup(bot, user=BOB)
    view = bot.slack.open_view(BOB)
    blocks = {b["block_id"]: b for b in view.view["blocks"]}
    assert blocks["holidays"]["element"]["initial_value"] == "2026-12-25\n2026-12-26"
    bot.slack.submit_view(
        user_id=BOB,
        values=settings_form(
            participants_rule=element("radio_buttons", selected_option={"value": "chosen"}),
            participants=element("multi_users_select", selected_users=[BOB, CAROL]),
        ),
    )
    bot.settle()
    [ritual] = rituals(bot)
    assert ritual.participants == [BOB, CAROL]
    assert set(ritual.roster) == {BOB, CAROL}


def test_bad_settings_come_back_inline_and_nothing_is_stored(bot):
    standup(bot)
    answer = bot.slack.submit_view(
        user_id=ALICE,
        values=settings_form(
            timezone=element("plain_text_input", value="Mars/Olympus"),
            cutoff_time=element("timepicker", selected_time="08:00"),
            weekdays=element("checkboxes", selected_options=[]),
            holidays=element("plain_text_input", value="Christmas"),
        ),
    )
    assert answer.body["response_action"] == "errors"
    errors = answer.body["errors"]
    assert set(errors) == {"timezone", "cutoff_time", "weekdays", "holidays"}
    assert "Europe/London" in errors["timezone"] and "2026-12-25" in errors["holidays"]
    assert rituals(bot) == []


def test_help_and_unknown_words(bot):
    helped = standup(bot, "help")
    assert "/standup skip until" in rendered(helped.body)
    wrong = standup(bot, "tomorrow")
    assert wrong.body["response_type"] == "ephemeral"
    assert "tomorrow" in rendered(wrong.body) and "/standup now" in rendered(wrong.body)


@pytest.mark.parametrize("text", ["now", "pause", "resume", "skip"])
def test_commands_need_a_standup_in_the_channel_first(bot, text):
    answer = standup(bot, text)
    assert "Type `/standup` here to set one up" in rendered(answer.body)
    assert bot.slack.calls("chat.postMessage") == []


# now / skip / pause / resume --------------------------------------------------------


def test_now_prompts_everyone_once_a_day(at_ten):
    bot = at_ten
    team_standup(bot)
    standup(bot, "now")
    assert {p: len(prompts(bot.slack, p)) for p in (ALICE, BOB, CAROL)} == {
        ALICE: 1,
        BOB: 1,
        CAROL: 1,
    }
    assert any("Prompted 3 people" in r.body.get("text", "") for r in bot.slack.responses)
    again = standup(bot, "now", user=BOB)
    assert {p: len(prompts(bot.slack, p)) for p in (ALICE, BOB, CAROL)} == {
        ALICE: 1,
        BOB: 1,
        CAROL: 1,
    }
    assert not any("Prompted 0 people" in r.body.get("text", "") for r in bot.slack.responses)
    # 10:00 UTC is 05:00 in Toronto, where Alice reads it.
    shown = seen_by(rendered(again.body), "America/Toronto")
    assert "already started by <@U0ALICE> at 05:00 your time" in shown


def test_skip_and_skip_until_declare_time_away(at_ten):
    bot = at_ten
    team_standup(bot)
    skipped = standup(bot, "skip", user=BOB)
    # Friday 09:30 UTC has passed: the next standup is Monday's.
    assert "Mon 30 Nov" in rendered(skipped.body)
    away = standup(bot, "skip until 2026-12-31", user=CAROL)
    assert "Thu 31 Dec" in rendered(away.body)
    with bot.runtime.db.transaction() as session:
        rows = {(a.user_id, a.starts_on, a.ends_on) for a in session.scalars(select(Away))}
    assert rows == {
        (BOB, date(2026, 11, 30), date(2026, 11, 30)),
        (CAROL, TODAY, date(2026, 12, 31)),
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("skip until someday", "not a date"),
        ("skip until 2020-01-01", "in the past"),
        ("skip until", "until when"),
    ],
)
def test_a_bad_skip_says_what_to_type(at_ten, text, says):
    bot = at_ten
    team_standup(bot)
    answer = standup(bot, text)
    assert says in rendered(answer.body) and "2026-12-31" in rendered(answer.body)
    with bot.runtime.db.transaction() as session:
        assert list(session.scalars(select(Away))) == []


def test_pause_and_resume(bot):
    team_standup(bot)
    paused = standup(bot, "pause")
    assert paused.body["response_type"] == "in_channel" and "paused" in paused.body["text"]
    assert [r.enabled for r in rituals(bot)] == [False]
    standup(bot, "resume")
    assert [r.enabled for r in rituals(bot)] == [True]


# Answering --------------------------------------------------------------------------


def test_an_answer_posts_in_the_days_thread_escaped_with_an_experiment_button(at_ten):
    bot = at_ten
    team_standup(bot)
    standup(bot, "now")
    click_answer(bot, ALICE)
    view = bot.slack.open_view(ALICE)
    assert view is not None and view.view["callback_id"] == "standup_answer"
    assert len([b for b in view.view["blocks"] if b.get("block_id", "").startswith("answer_")]) == 4
    bot.slack.submit_view(
        user_id=ALICE,
        values=answers_form(
            "Finished the <!channel> ablation & wrote it up",
            "Try focal loss",
            "Waiting on GPU quota",
            "recall@10 went from 0.61 to 0.66",
        ),
    )
    bot.settle()
    [reply] = thread_replies(bot)
    shown = rendered(reply.blocks)
    assert "&lt;!channel&gt; ablation &amp; wrote" in shown and "<!channel>" not in shown
    assert "Waiting on GPU quota" in shown
    assert has_button(reply, ActionId.LOG_EXPERIMENT_FROM_STANDUP)
    with bot.runtime.db.transaction() as session:
        [stored] = session.scalars(select(StandupAnswer))
    assert stored.user_id == ALICE and stored.message_ts == reply.ts


def test_log_as_experiment_on_an_answer_opens_the_experiment_form_with_the_result(at_ten):
    bot = at_ten
    bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command="/problem", text="Recall too low"
    )
    team_standup(bot)
    standup(bot, "now")
    click_answer(bot, ALICE)
    bot.slack.submit_view(
        user_id=ALICE,
        values=answers_form("ablation", "focal loss", "none", "recall@10 went from 0.61 to 0.66"),
    )
    bot.settle()
    [reply] = thread_replies(bot)
    button = next(
        e
        for b in reply.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.LOG_EXPERIMENT_FROM_STANDUP
    )

    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=button["action_id"],
        value=button["value"],
        channel_id=CHANNEL,
        message_ts=reply.ts,
    )
    bot.settle()

    form = bot.slack.open_view(ALICE)
    assert form is not None and form.view["callback_id"] == "experiment_modal"
    assert "recall@10 went from 0.61 to 0.66" in rendered(form.view["blocks"])


def test_a_forged_answer_id_opens_nothing(at_ten):
    bot = at_ten
    bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=ActionId.LOG_EXPERIMENT_FROM_STANDUP,
        value="standup-answer:999",
        channel_id=CHANNEL,
    )
    bot.settle()
    assert bot.slack.open_view(ALICE) is None


def test_an_edit_before_the_cut_off_updates_the_posted_message(at_ten):
    bot = at_ten
    team_standup(bot)
    standup(bot, "now")
    click_answer(bot, BOB)
    bot.slack.submit_view(user_id=BOB, values=answers_form("data loader", "", "none", ""))
    bot.settle()
    click_answer(bot, BOB)
    view = bot.slack.open_view(BOB)
    assert view.view["blocks"][1]["element"]["initial_value"] == "data loader"
    bot.slack.submit_view(
        user_id=BOB, values=answers_form("data loader, and the eval set", "", "none", "")
    )
    bot.settle()
    [reply] = thread_replies(bot)
    assert reply.edited and "and the eval set" in rendered(reply.blocks)
    assert not has_button(reply, ActionId.LOG_EXPERIMENT_FROM_STANDUP)
    assert len(bot.slack.calls("chat.update")) == 1


def test_a_double_submitted_answer_is_posted_once(at_ten):
    bot = at_ten
    team_standup(bot)
    standup(bot, "now")
    click_answer(bot, CAROL)
    bot.slack.submit_view(user_id=CAROL, values=answers_form("a", "b", "c", ""), double=True)
    bot.settle()
    assert len(thread_replies(bot)) == 1


def test_an_answer_saved_while_slack_is_down_is_posted_once_slack_is_back(bot):
    clock = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )
    with time_machine.travel(NOW, tick=True):
        team_standup(bot)
        standup(bot, "now")
        click_answer(bot, ALICE)
        bot.slack.inject("chat.postMessage", status=500, times=3)
        bot.slack.submit_view(user_id=ALICE, values=answers_form("kept", "", "", ""))
        bot.settle()
        [told] = [m for m in bot.slack.messages(ALICE) if "is saved" in m.text]
        assert "couldn't post it" in told.text and "as soon as Slack takes it" in told.text
        assert thread_replies(bot) == []
    a_minute_later = NOW + timedelta(minutes=1)
    with time_machine.travel(a_minute_later, tick=False):
        clock.sender.sweep()  # the clock's sweep of every minute, long before the cut-off
    [answer] = thread_replies(bot)
    assert "kept" in rendered(answer.blocks)
    cutoff = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    with time_machine.travel(cutoff, tick=False):
        clock.fire_due(cutoff)
    replies = thread_replies(bot)
    assert "Standup summary" in replies[-1].text and len(replies) == 2


def test_a_thread_the_channel_refused_is_tried_again_with_the_next_answer(bot):
    """Not in the channel on the morning: the owner hears why; once invited, the next
    answer brings the day's thread, and the answer given before it, into the channel."""
    clock = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )
    make_standup(
        bot.runtime.db,
        bot.slack,
        team_id=TEAM,
        channel_id=QUIET_CHANNEL,
        owner=ALICE,
        rule="team",
        participants=(ALICE, BOB),
    )
    morning = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    with time_machine.travel(morning, tick=False):
        clock.fire_due(morning)
    [told] = [m for m in bot.slack.messages(ALICE) if "couldn't post the standup thread" in m.text]
    assert f"<#{QUIET_CHANNEL}>" in told.text and "invite" in told.text
    with time_machine.travel(NOW, tick=True):
        click_answer(bot, BOB)
        bot.slack.submit_view(user_id=BOB, values=answers_form("before the invite", "", "", ""))
        bot.settle()
        bot.slack.world.channels[QUIET_CHANNEL].members.append(
            bot.slack.workspace(TEAM).bot_user_id
        )
        click_answer(bot, ALICE)
        bot.slack.submit_view(user_id=ALICE, values=answers_form("after the invite", "", "", ""))
        bot.settle()
    [parent] = [m for m in bot.slack.messages(QUIET_CHANNEL) if m.text.startswith("Standup ·")]
    replies = [m for m in bot.slack.thread(QUIET_CHANNEL, parent.ts) if m.ts != parent.ts]
    assert ["after the invite" in rendered(r.blocks) for r in replies] == [True]
    cutoff = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    with time_machine.travel(cutoff, tick=False):
        clock.fire_due(cutoff)  # the answer refused before is posted with the summary
    replies = [m for m in bot.slack.thread(QUIET_CHANNEL, parent.ts) if m.ts != parent.ts]
    shown = [rendered(r.blocks) for r in replies]
    assert sum("before the invite" in text for text in shown) == 1
    assert "Answered (2)" in shown[-1]


def test_after_the_cut_off_a_first_answer_joins_the_thread_late_and_an_edit_is_refused(bot):
    """The summary goes out at the cut-off; an answer given after it is posted below it,
    marked late, for a day; an answer given before it can no longer be changed."""
    with time_machine.travel(NOW, tick=True):
        team_standup(bot)
        standup(bot, "now")
        click_answer(bot, ALICE)
        bot.slack.submit_view(
            user_id=ALICE, values=answers_form("shipped v2", "", "Labelling backlog", "")
        )
        bot.settle()
        click_answer(bot, BOB)  # opens before the cut-off, submitted after it
        click_answer(bot, ALICE)  # to edit, likewise
    cutoff = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    clock = RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )
    with time_machine.travel(cutoff, tick=False):
        clock.fire_due(cutoff)
    summary = thread_replies(bot)[-1]
    shown = rendered(summary.blocks)
    assert "Answered (1)" in shown and f"<@{ALICE}>" in shown
    assert "No answer (2)" in shown and f"<@{BOB}>" in shown and f"<@{CAROL}>" in shown
    assert "Labelling backlog" in shown
    with time_machine.travel(cutoff + timedelta(minutes=1), tick=True):
        late = bot.slack.submit_view(user_id=BOB, values=answers_form("late", "", "", ""))
        bot.settle()
        edit = bot.slack.submit_view(user_id=ALICE, values=answers_form("changed", "", "", ""))
        bot.settle()
    assert late.status == 200 and late.body is None
    *_, after_summary = thread_replies(bot)
    assert "late" in after_summary.text and "answered after the cut-off" in rendered(
        after_summary.blocks
    )
    assert "can no longer be changed" in rendered(edit.body)
    assert "nothing was saved" in rendered(edit.body)
    with bot.runtime.db.transaction() as session:
        stored = {a.user_id: a.answers for a in session.scalars(select(StandupAnswer))}
    assert set(stored) == {ALICE, BOB} and "shipped v2" in stored[ALICE].values()
    a_day_later = cutoff + timedelta(days=1, minutes=1)
    with time_machine.travel(a_day_later, tick=True):
        click_answer(bot, CAROL)
    assert bot.slack.open_view(CAROL) is None
    assert any("is closed" in r.body.get("text", "") for r in bot.slack.responses)


def test_another_workspaces_standup_looks_missing(at_ten):
    bot = at_ten
    with bot.runtime.db.transaction() as session:
        theirs = Ritual(
            team_id=OTHER_TEAM,
            kind=RitualKind.STANDUP,
            channel_id="C0OTHER",
            local_time=time(9, 30),
            cutoff_time=time(17, 0),
            questions=["Secret plans?"],
            owner_id="U0MALLORY",
        )
        session.add(theirs)
        session.flush()
        ritual_id = theirs.id
    delivery = bot.slack.click(
        team_id=TEAM,
        user_id=ALICE,
        action_id=ActionId.STANDUP_OPEN,
        value=f"{ritual_id}:{TODAY.isoformat()}",
    )
    bot.settle()
    assert delivery.status == 200
    assert bot.slack.open_view(ALICE) is None
    told = [m for m in bot.slack.messages(ALICE) if "no longer exists" in m.text]
    assert len(told) == 1
    assert "Secret" not in rendered([c.args for c in bot.slack.calls()])


def test_a_channel_without_the_bot_gets_a_usable_explanation(bot):
    standup(bot, channel=QUIET_CHANNEL)
    bot.slack.submit_view(user_id=ALICE, values=settings_form())
    bot.settle()
    told = [m for m in bot.slack.messages(ALICE) if "standup is saved" in m.text]
    assert len(told) == 1 and "invite" in told[0].text
