"""The sandbox page's JSON API, driven over HTTP against the real app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.ids import Command
from sandbox import surface
from sandbox.clock import Clock
from sandbox.page import Page
from sandbox.page_state import SLACKBOT
from tests.conftest import ALICE, BOB, CHANNEL, OTHER_TEAM, QUIET_CHANNEL


def state(bot, user: str, channel: str = "", thread: str = "") -> dict:
    answer = httpx.get(
        f"{bot.slack.base_url}/_sandbox/state",
        params={"user": user, "channel": channel, "thread": thread},
    )
    assert answer.status_code == 200
    return answer.json()


def act(bot, **body) -> httpx.Response:
    answer = httpx.post(f"{bot.slack.base_url}/_sandbox/act", json=body, timeout=15)
    bot.settle()
    return answer


def test_a_person_sees_their_channels_and_their_dm_with_the_app_only(bot):
    alice = {c["name"] for c in state(bot, ALICE)["channels"]}
    bob = {c["name"] for c in state(bot, BOB)["channels"]}

    assert alice == {"ml-team", "quiet", ALICE}
    assert bob == {"ml-team", BOB}


def test_a_slash_commands_ephemeral_answer_is_shown_to_its_author_alone(bot):
    assert act(bot, type="message", user=ALICE, channel=CHANNEL, text="/problem help").json()["ok"]

    seen_by_alice = state(bot, ALICE, CHANNEL)["messages"]
    assert [m["ephemeral"] for m in seen_by_alice] == [True]
    assert "/problem list" in str(seen_by_alice[0]["blocks"] or seen_by_alice[0]["text"])
    assert state(bot, BOB, CHANNEL)["messages"] == []


def test_a_command_the_app_does_not_answer_gets_slacks_own_error(bot):
    act(bot, type="message", user=ALICE, channel=CHANNEL, text="/nonsense now")

    [notice] = state(bot, ALICE, CHANNEL)["messages"]
    assert notice["user"] == SLACKBOT and notice["ephemeral"]
    assert '/nonsense failed with the error "dispatch_failed"' in notice["text"]


def test_typed_messages_are_posted_with_mentions_and_threads(bot):
    act(bot, type="message", user=ALICE, channel=CHANNEL, text="@bob can you look at E-2?")
    [parent] = state(bot, BOB, CHANNEL)["messages"]
    act(bot, type="message", user=BOB, channel=CHANNEL, text="on it", thread_ts=parent["ts"])

    seen = state(bot, ALICE, CHANNEL, thread=parent["ts"])
    assert parent["text"] == f"<@{BOB}> can you look at E-2?"
    assert [m["reply_count"] for m in seen["messages"]] == [1]
    assert [m["text"] for m in seen["thread"]] == [parent["text"], "on it"]


def test_the_modal_round_trip_shows_the_apps_validation_errors_then_closes(bot):
    act(bot, type="message", user=ALICE, channel=CHANNEL, text="/problem")
    modal = state(bot, ALICE, CHANNEL)["modal"]
    assert modal["view"]["title"]["text"] == "New problem"

    title = {"title": {"value": {"type": "plain_text_input", "value": "Churn misses new users"}}}
    bad_target = {"target": {"value": {"type": "plain_text_input", "value": "soon"}}}
    act(bot, type="submit", user=ALICE, view_id=modal["id"], values=title | bad_target)
    errors = state(bot, ALICE, CHANNEL)["modal"]["errors"]
    assert set(errors) == {"target"}

    act(bot, type="submit", user=ALICE, view_id=modal["id"], values=title)
    seen = state(bot, ALICE, CHANNEL)
    assert seen["modal"] is None
    assert "Churn misses new users" in str(seen["messages"][-1]["blocks"])


def test_buttons_in_the_home_tab_reach_the_app(bot):
    act(bot, type="home", user=ALICE)
    home = state(bot, ALICE)["home"]
    assert home is not None

    act(bot, type="action", user=ALICE, view_id=home["id"], action_id="problem_new")
    assert state(bot, ALICE)["modal"]["view"]["title"]["text"] == "New problem"


def test_someone_not_in_the_workspace_cannot_act(bot):
    answer = act(bot, type="message", user="U0NOBODY", channel=CHANNEL, text="hi")

    assert answer.status_code == 400
    assert "U0NOBODY" in answer.json()["error"]


def test_a_person_of_another_workspace_cannot_reach_this_ones_channels(bot):
    bot.slack.add_user(team_id=OTHER_TEAM, user_id="U0EVE", name="eve")

    answer = act(bot, type="message", user="U0EVE", channel=QUIET_CHANNEL, text="/problem")

    assert answer.status_code == 400 and QUIET_CHANNEL in answer.json()["error"]


def test_another_site_cannot_act_with_a_form_or_plain_text_post(bot):
    body = json.dumps({"type": "message", "user": ALICE, "channel": CHANNEL, "text": "hi"})
    for kind in ("text/plain", "application/x-www-form-urlencoded"):
        answer = httpx.post(
            f"{bot.slack.base_url}/_sandbox/act", content=body, headers={"Content-Type": kind}
        )
        assert answer.status_code == 415

    assert bot.slack.messages(CHANNEL) == []


def test_only_the_pages_own_files_are_served(emulator):
    page = httpx.get(f"{emulator.base_url}/")
    script = httpx.get(f"{emulator.base_url}/static/app.js")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert script.headers["content-type"].startswith("text/javascript")
    for outside in ("/static/../page.py", "/static/%2e%2e/page.py", "/static//etc/passwd"):
        assert httpx.get(f"{emulator.base_url}{outside}").status_code == 404


class FakeScheduler:
    def __init__(self, due: datetime | None) -> None:
        self.due, self.fired = due, []

    def next_due(self, after: datetime) -> datetime | None:
        return self.due if self.due and self.due > after else None

    def fire_due(self, now: datetime) -> None:
        self.fired.append(now)


def test_the_clock_fires_the_next_ritual_and_stays_there():
    real = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    due = real + timedelta(hours=1, minutes=30)
    scheduler = FakeScheduler(due)
    clock = Clock(scheduler=scheduler, real_now=lambda: real)

    answer = clock.advance()

    assert answer["ok"] and scheduler.fired == [due]
    assert clock.now() == due
    assert clock.advance()["error"] == "nothing_due"


def test_a_clock_started_at_an_instant_runs_on_from_it_and_fast_forwards_from_there():
    real = [datetime(2026, 11, 27, 11, 0, tzinfo=UTC)]
    start = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    due = start + timedelta(hours=2, minutes=30)
    scheduler = FakeScheduler(due)
    clock = Clock(scheduler=scheduler, real_now=lambda: real[0], start=start)

    assert clock.now() == start
    real[0] += timedelta(minutes=5)
    assert clock.now() == start + timedelta(minutes=5)
    assert clock.advance()["now"] == due.isoformat()
    assert scheduler.fired == [due] and clock.now() == due


def test_without_a_scheduler_the_clock_says_what_it_needs(emulator):
    answer = httpx.post(f"{emulator.base_url}/_sandbox/act", json={"type": "advance"}).json()

    assert answer["ok"] is False and answer["error"] == "no_scheduler"
    assert "next_due" in answer["message"] and "fire_due" in answer["message"]


def test_the_surface_is_what_the_manifest_declares():
    declared = surface.from_manifest(
        {
            "features": {
                "slash_commands": [{"command": "/problem", "description": "Frame a problem"}],
                "shortcuts": [
                    {"name": "Log experiment", "type": "message", "callback_id": "log_exp"},
                    {"name": "New problem", "type": "global", "callback_id": "new_problem"},
                ],
            },
            "settings": {"event_subscriptions": {"bot_events": ["app_home_opened"]}},
        }
    )

    assert [c["command"] for c in declared.commands] == ["/problem"]
    assert declared.message_shortcuts == ({"callback_id": "log_exp", "name": "Log experiment"},)
    assert declared.global_shortcuts == ({"callback_id": "new_problem", "name": "New problem"},)
    assert declared.bot_events == {"app_home_opened"}
    assert declared.messages_read_only is False
    read_only = {"features": {"app_home": {"messages_tab_read_only_enabled": True}}}
    assert surface.from_manifest(read_only).messages_read_only is True


def test_the_sandbox_offers_the_commands_of_this_apps_manifest():
    offered = {c["command"] for c in surface.load().commands}

    assert offered == {c.value for c in Command}


@pytest.mark.parametrize("events, delivered", [((), 0), (("message.channels",), 1)])
def test_messages_reach_the_app_only_when_it_subscribes(emulator, events, delivered):
    received = []
    emulator.app_url = "http://127.0.0.1:9/unused"
    emulator.page = Page(emulator, surface=surface.AppSurface(bot_events=frozenset(events)))
    emulator.event = lambda **kwargs: received.append(kwargs)  # type: ignore[method-assign]

    Page.act(emulator.page, {"type": "message", "user": ALICE, "channel": CHANNEL, "text": "hi"})

    assert len(received) == delivered
    assert [e["event"]["channel_type"] for e in received] == ["channel"] * delivered
    assert emulator.messages(CHANNEL)[-1].text == "hi"
