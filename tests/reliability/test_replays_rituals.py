"""Ritual settings and standup answers sent again (redelivered, or a captured request
replayed inside its signature's five minutes) change nothing a second time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from storage.rituals import Away, Ritual, RitualKind, StandupAnswer
from tests.conftest import BOB, CHANNEL
from tests.reliability.test_replays import replay
from tests.standup.test_standup import (
    answers_form,
    click_answer,
    element,
    settings_form,
    team_standup,
    thread_replies,
)
from tests.support import ledger
from tests.support.delivery import command
from tests.support.slack import posted, rendered

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday, after 09:30 in London


@pytest.fixture
def at_ten(bot):
    with time_machine.travel(NOW, tick=True):
        yield bot


def rituals(bot, kind: RitualKind) -> list[Ritual]:
    with bot.runtime.db.transaction() as session:
        return list(session.scalars(select(Ritual).where(Ritual.kind == kind)))


def test_a_pause_replayed_after_a_resume_leaves_the_standup_running(at_ten):
    bot = at_ten
    team_standup(bot)
    pause = command(bot, "/standup", "pause")
    command(bot, "/standup", "resume")

    again = replay(bot, pause)

    assert [r.enabled for r in rituals(bot, RitualKind.STANDUP)] == [True]
    assert "was already done" in rendered(again.body)
    ledger.record(
        area="replay",
        fault="signed `/standup pause` replayed after `/standup resume`",
        tries=1,
        outcome="the standup stays on; the replay is told nothing changed",
    )


def save_settings(bot, at: str):
    command(bot, "/standup", user=BOB)
    saved = bot.slack.submit_view(
        user_id=BOB, values=settings_form(local_time=element("timepicker", selected_time=at))
    )
    bot.settle()
    return saved


def test_a_settings_form_replayed_after_a_later_save_keeps_the_later_settings(at_ten):
    bot = at_ten
    first = save_settings(bot, "09:30")
    save_settings(bot, "10:15")
    posts = len(posted(bot.slack, CHANNEL))

    replay(bot, first)

    [standup] = rituals(bot, RitualKind.STANDUP)
    assert standup.local_time.strftime("%H:%M") == "10:15"
    assert len(posted(bot.slack, CHANNEL)) == posts
    ledger.record(
        area="replay",
        fault="standup settings form replayed after a later save",
        tries=1,
        outcome="the later settings stay; nothing posted again",
    )


def test_a_replayed_skip_declares_the_time_away_once(at_ten):
    bot = at_ten
    team_standup(bot)
    skip = command(bot, "/standup", "skip until 2026-12-04", user=BOB)

    replay(bot, skip)

    with bot.runtime.db.transaction() as session:
        assert len(session.scalars(select(Away)).all()) == 1


def test_a_digest_off_replayed_after_a_new_schedule_leaves_the_digest_on(at_ten):
    bot = at_ten
    command(bot, "/digest", "schedule friday 16:00 Europe/London")
    off = command(bot, "/digest", "off")
    command(bot, "/digest", "schedule monday 09:00 Europe/London")

    again = replay(bot, off)

    assert [r.enabled for r in rituals(bot, RitualKind.DIGEST)] == [True]
    assert "was already done" in rendered(again.body)
    ledger.record(
        area="replay",
        fault="signed `/digest off` replayed after a new `/digest schedule`",
        tries=1,
        outcome="the digest stays scheduled; the replay is told nothing changed",
    )


def test_a_standup_answer_replayed_after_an_edit_keeps_the_edit(at_ten):
    bot = at_ten
    team_standup(bot)
    command(bot, "/standup", "now")
    click_answer(bot, BOB)
    first = bot.slack.submit_view(user_id=BOB, values=answers_form("data loader", "", "", ""))
    bot.settle()
    click_answer(bot, BOB)
    bot.slack.submit_view(user_id=BOB, values=answers_form("the eval set", "", "", ""))
    bot.settle()

    replay(bot, first)

    with bot.runtime.db.transaction() as session:
        [answer] = session.scalars(select(StandupAnswer).where(StandupAnswer.user_id == BOB))
    assert "the eval set" in answer.answers.values()
    [reply] = thread_replies(bot)
    assert "the eval set" in rendered(reply.blocks)
    ledger.record(
        area="replay",
        fault="a standup answer form replayed after its edit",
        tries=1,
        outcome="the edit stays, in the database and in the posted answer",
    )
