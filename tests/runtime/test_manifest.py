"""manifest.yml is a valid Slack manifest and agrees with what the app listens to."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.ids import CallbackId, Command
from runtime.app import BOT_SCOPES
from tests.conftest import ALICE, CHANNEL, SHARED, TEAM

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_the_manifest_is_valid_against_slacks_schema():
    schema = json.loads((SHARED / "slack-reference" / "manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(MANIFEST, schema)


def test_the_manifest_declares_exactly_the_commands_the_app_handles():
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert declared == {c.value for c in Command}


def test_the_manifest_grants_exactly_the_scopes_the_app_asks_for():
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)


def test_interactivity_home_and_events_are_switched_on():
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    urls = {
        MANIFEST["settings"]["interactivity"]["request_url"],
        MANIFEST["settings"]["interactivity"]["message_menu_options_url"],
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        *(c["url"] for c in MANIFEST["features"]["slash_commands"]),
    }
    assert {u.rsplit("/", 2)[-2:] == ["slack", "events"] for u in urls} == {True}


def test_slack_asks_the_app_for_type_ahead_options_where_it_sends_interactions():
    # Without it Slack never sends block_suggestion, and the experiment form's problem menu
    # stays empty.
    interactivity = MANIFEST["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == interactivity["request_url"]


def test_every_declared_shortcut_has_a_callback_the_app_knows():
    declared = {s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])}
    assert declared <= {c.value for c in CallbackId}


@pytest.mark.parametrize("command", [c["command"] for c in MANIFEST["features"]["slash_commands"]])
def test_every_declared_command_is_answered(bot, command):
    answer = bot.slack.slash_command(
        team_id=TEAM, user_id=ALICE, channel_id=CHANNEL, command=command, text="help"
    )
    assert answer.status == 200 and command in json.dumps(answer.body)


# What each subscribed event makes the app do; a new subscription needs a line here.
EVENT_EFFECT = {"app_home_opened": "views.publish", "message.im": "chat.postMessage"}
# The event Slack sends for a subscription ("message.im" is a `message` in an im channel).
EVENT_SENT = {
    "app_home_opened": {"type": "app_home_opened", "user": ALICE, "tab": "home"},
    "message.im": {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ALICE",
        "user": ALICE,
        "text": "hello",
        "ts": "1764234000.000100",
    },
}


@pytest.mark.parametrize("event", MANIFEST["settings"]["event_subscriptions"]["bot_events"])
def test_every_subscribed_event_is_handled(bot, event):
    answer = bot.slack.event(team_id=TEAM, event=EVENT_SENT[event])
    bot.settle()

    assert answer.status == 200
    assert bot.slack.calls(EVENT_EFFECT[event])
