"""Answers in their own name: posted in the day's thread under the person's Slack name and
avatar, saying "via ritualbot", and confirmed to them by DM with a link to the answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import delete

from runtime.clock import RitualScheduler
from storage.people import Person
from tests.conftest import ALICE, BOB, CHANNEL, SHARED, TEAM
from tests.support.slack import rendered
from tests.support.standup import answers_form, click_answer, client_for, make_standup

MORNING = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # a Friday
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
LINK = "Posted in <#C0ML>"


@pytest.fixture
def clock(bot) -> RitualScheduler:
    return RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )


@pytest.fixture
def prompted(bot, clock):
    """A UTC standup whose 09:30 prompts went out; the roster was read with its profiles."""
    with time_machine.travel(MORNING, tick=False):
        make_standup(
            bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team"
        )
        clock.fire_due(MORNING)
    with time_machine.travel(NOW, tick=True):
        yield bot


def answer(bot, user: str, *texts: str) -> None:
    click_answer(bot, user)
    bot.slack.submit_view(user_id=user, values=answers_form(*texts))
    bot.settle()


def thread_replies(bot) -> list:
    [parent] = [m for m in bot.slack.messages(CHANNEL) if m.text.startswith("Standup ·")]
    return [m for m in bot.slack.thread(CHANNEL, parent.ts) if m.ts != parent.ts]


def confirmations(bot, user: str) -> list:
    return [m for m in bot.slack.messages(user) if m.text.startswith(LINK)]


def profile(bot, user: str) -> dict:
    return client_for(bot.slack, TEAM).users_info(user=user)["user"]["profile"]


def permalink_of(bot, message) -> str:
    return f"{bot.slack.base_url}/archives/{CHANNEL}/p{message.ts.replace('.', '')}"


def test_users_info_gives_a_profile_shaped_like_slacks(prompted):
    spec = json.loads((SHARED / "slack-reference" / "web-api-openapi-v2.json").read_text())
    example = spec["paths"]["/users.info"]["get"]["responses"]["200"]["examples"]
    expected = example["application/json"]["user"]["profile"]
    shown = profile(prompted, BOB)
    wanted = {"display_name", "real_name", "image_72", "image_192", "team"}
    assert wanted <= expected.keys() and wanted <= shown.keys()
    assert httpx.get(shown["image_192"]).headers["content-type"] == "image/svg+xml"


def test_an_answer_is_posted_under_its_authors_name_and_avatar_via_ritualbot(prompted):
    bot = prompted
    answer(bot, BOB, "data loader", "eval", "none", "")
    # The roster's users.list gave the profile: posting an answer asks Slack nothing more.
    assert bot.slack.calls("users.info") == []
    [reply] = thread_replies(bot)
    assert reply.username == "bob"
    assert reply.icon_url == profile(bot, BOB)["image_192"]
    shown = rendered(reply.blocks)
    assert f"Standup of <@{BOB}> · via ritualbot" in shown and "data loader" in shown
    assert "*Standup from" not in shown  # the name above the message says whose it is
    [call] = [c for c in bot.slack.calls("chat.postMessage") if c.args.get("thread_ts")]
    assert call.args["username"] == "bob" and call.args["icon_url"] == reply.icon_url
    # The sandbox page shows the name and avatar the answer was posted under.
    state = httpx.get(
        f"{bot.slack.base_url}/_sandbox/state",
        params={"user": ALICE, "channel": CHANNEL, "thread": reply.thread_ts},
    ).json()
    [on_page] = [m for m in state["thread"] if m["ts"] == reply.ts]
    assert on_page["username"] == "bob" and on_page["icon_url"] == reply.icon_url


def test_the_dm_links_to_the_posted_answer_once_even_when_the_post_is_retried(prompted, clock):
    bot = prompted
    bot.slack.inject("chat.postMessage", status=500, times=3)  # the client's tries, all refused
    answer(bot, BOB, "kept", "", "", "")
    assert thread_replies(bot) == [] and confirmations(bot, BOB) == []
    for minutes in (1, 2, 3):
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            clock.sender.sweep()
    [reply] = thread_replies(bot)
    [told] = confirmations(bot, BOB)
    assert told.text == f"{LINK}: <{permalink_of(bot, reply)}|your standup answer of Fri 27 Nov>."
    answer(bot, BOB, "kept, edited", "", "", "")  # an edit changes the post, not the DM
    assert len(confirmations(bot, BOB)) == 1 and len(thread_replies(bot)) == 1


def test_an_answer_whose_reply_from_slack_was_lost_is_confirmed_once(prompted, clock):
    """Slack posted the answer but its reply was lost: the answer is found by its stamp,
    not posted again, and the DM follows it once."""
    bot = prompted
    bot.slack.inject("chat.postMessage", lose_answer=True, times=1)
    click_answer(bot, BOB)
    bot.slack.submit_view(user_id=BOB, values=answers_form("lost answer", "", "", ""))
    bot.settle()
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        clock.sender.sweep()
        clock.sender.sweep()
    assert sum("lost answer" in rendered(r.blocks) for r in thread_replies(bot)) == 1
    assert len(confirmations(bot, BOB)) == 1


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 429, "retry_after": 30}, {"error": "ratelimited"}],
    ids=["5xx", "429", "ratelimited"],
)
def test_without_a_profile_the_answer_goes_in_the_bots_name_saying_whose_it_is(prompted, fault):
    bot = prompted
    with bot.runtime.db.transaction() as session:  # a roster read before profiles were kept
        session.execute(delete(Person))
    bot.slack.inject("users.info", **fault)
    answer(bot, BOB, "still posted", "", "", "")
    [reply] = thread_replies(bot)
    assert reply.username is None and reply.icon_url is None
    assert rendered(reply.blocks[0]).count(f"*Standup from <@{BOB}>*") == 1
    assert "via ritualbot" not in rendered(reply.blocks)
    assert len(confirmations(bot, BOB)) == 1
    assert len(bot.slack.calls("users.info")) == 1  # once, not waited out


def test_a_profile_missing_is_read_once_from_slack_and_kept(prompted):
    bot = prompted
    with bot.runtime.db.transaction() as session:
        session.execute(delete(Person))
    answer(bot, BOB, "first", "", "", "")
    answer(bot, ALICE, "second", "", "", "")
    answer(bot, BOB, "first, edited", "", "", "")
    assert [r.username for r in thread_replies(bot)] == ["bob", "alice"]
    assert sorted(c.args["user"] for c in bot.slack.calls("users.info")) == [ALICE, BOB]


def test_a_workspace_without_the_customize_scope_still_shows_whose_answer_it_is(prompted):
    """Slack ignores username and icon_url without chat:write.customize: the answer then
    shows in the bot's name, and its last line says whose it is."""
    bot = prompted
    workspace = bot.slack.workspace(TEAM)
    workspace.scopes = tuple(s for s in workspace.scopes if s != "chat:write.customize")
    answer(bot, BOB, "no scope", "", "", "")
    [reply] = thread_replies(bot)
    assert reply.username is None
    assert f"Standup of <@{BOB}> · via ritualbot" in rendered(reply.blocks)


def test_a_missing_scope_refusal_is_posted_again_in_the_bots_name(prompted):
    bot = prompted
    bot.slack.inject("chat.postMessage", error="missing_scope")
    answer(bot, BOB, "refused as bob", "", "", "")
    [reply] = thread_replies(bot)
    assert reply.username is None and "refused as bob" in rendered(reply.blocks)
    assert f"Standup of <@{BOB}> · via ritualbot" in rendered(reply.blocks)
    tries = [c for c in bot.slack.calls("chat.postMessage") if c.args.get("thread_ts")]
    assert ["username" in c.args for c in tries] == [True, False]
    assert len(confirmations(bot, BOB)) == 1


def test_another_workspaces_people_are_not_ours(prompted):
    bot = prompted
    with bot.runtime.db.transaction() as session:
        session.add(
            Person(
                team_id="T0002",
                user_id=BOB,
                name="impostor",
                image_url="https://example.com/x.png",
                read_at=NOW,
            )
        )
        session.execute(delete(Person).where(Person.team_id == TEAM))
    answer(bot, BOB, "mine", "", "", "")
    [reply] = thread_replies(bot)
    assert reply.username == "bob"  # read from our workspace, not the other's row
