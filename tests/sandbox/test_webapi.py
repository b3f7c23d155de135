"""The emulated Web API, driven with the real slack_sdk WebClient."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.emulator import SlackEmulator
from tests.sandbox.conftest import TEAM, TOKEN


def error_of(call, **kwargs) -> str:
    """The Slack error a WebClient call fails with."""
    with pytest.raises(SlackApiError) as raised:
        call(**kwargs)
    return raised.value.response["error"]


def test_auth_test_names_the_bot_and_workspace(client: WebClient, emulator: SlackEmulator):
    answer = client.auth_test()
    workspace = emulator.world.workspaces[TEAM]
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == (
        TEAM,
        workspace.bot_user_id,
        workspace.bot_id,
    )
    assert answer["url"] == emulator.base_url + "/"


def test_bad_missing_and_revoked_tokens(emulator: SlackEmulator, client: WebClient):
    bad = WebClient(base_url=emulator.api_url, token="xoxb-nope")
    assert error_of(bad.auth_test) == "invalid_auth"
    assert httpx.post(emulator.api_url + "auth.test").json()["error"] == "not_authed"
    emulator.revoke_token(TOKEN)
    assert error_of(client.auth_test) == "invalid_auth"
    assert [c.team_id for c in emulator.calls("auth.test")] == [None, None, None]


def test_token_as_form_or_query_param_and_unknown_method(emulator: SlackEmulator):
    by_form = httpx.post(emulator.api_url + "users.info", data={"token": TOKEN, "user": "U1"})
    by_query = httpx.get(emulator.api_url + "users.info", params={"token": TOKEN, "user": "U2"})
    assert by_form.json()["user"]["name"] == "ada"
    assert by_query.json()["user"]["name"] == "alan"
    unknown = httpx.post(emulator.api_url + "chat.teleport", data={"token": TOKEN})
    assert (unknown.status_code, unknown.json()["error"]) == (200, "unknown_method")


def test_post_message_is_stored_and_recorded_with_decoded_blocks(
    client: WebClient, emulator: SlackEmulator
):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    [stored, reply] = emulator.messages("C1")
    assert (stored.text, stored.blocks, stored.user) == (
        "hi",
        blocks,
        client.auth_test()["user_id"],
    )
    assert reply.thread_ts == first["ts"]
    assert emulator.thread("C1", first["ts"]) == [stored, reply]
    [call, _] = emulator.calls("chat.postMessage", team_id=TEAM)
    assert call.args["blocks"] == blocks
    assert call.response["ts"] == first["ts"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("channel", "kwargs", "error"),
    [
        ("C404", {"text": "x"}, "channel_not_found"),
        ("G1", {"text": "x"}, "channel_not_found"),
        ("C2", {"text": "x"}, "not_in_channel"),
        ("C3", {"text": "x"}, "is_archived"),
        ("C1", {}, "no_text"),
        ("C1", {"text": "x" * 40_001}, "msg_too_long"),
        ("C1", {"blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        (
            "C1",
            {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]},
            "invalid_blocks",
        ),
    ],
)
def test_post_message_refusals(client: WebClient, emulator: SlackEmulator, channel, kwargs, error):
    assert error_of(client.chat_postMessage, channel=channel, **kwargs) == error
    assert emulator.messages(channel) == []
    assert emulator.calls("chat.postMessage")[0].response["error"] == error


def test_user_id_as_channel_posts_to_that_users_dm(client: WebClient, emulator: SlackEmulator):
    opened = client.conversations_open(users="U2")
    posted = client.chat_postMessage(channel="U2", text="standup time")
    assert posted["channel"] == opened["channel"]["id"]
    assert client.conversations_open(users="U2")["channel"]["id"] == opened["channel"]["id"]
    assert [m.text for m in emulator.messages("U2")] == ["standup time"]
    assert emulator.messages(opened["channel"]["id"]) == emulator.messages("U2")


def test_update_delete_and_permalink(client: WebClient, emulator: SlackEmulator):
    ts = client.chat_postMessage(channel="C1", text="draft")["ts"]
    human = emulator.post_as_user(team_id=TEAM, user_id="U1", channel="C1", text="mine")
    client.chat_update(channel="C1", ts=ts, text="final")
    assert (emulator.messages("C1")[0].text, emulator.messages("C1")[0].edited) == ("final", True)
    assert error_of(client.chat_update, channel="C1", ts=human.ts, text="x") == (
        "cant_update_message"
    )
    assert error_of(client.chat_update, channel="C1", ts="1.000001", text="x") == (
        "message_not_found"
    )
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link == f"{emulator.base_url}/archives/C1/p{ts.replace('.', '')}"
    client.chat_delete(channel="C1", ts=ts)
    assert emulator.messages("C1") == [human]


def test_post_ephemeral_needs_a_channel_member(client: WebClient, emulator: SlackEmulator):
    emulator.add_user(team_id=TEAM, user_id="U3", name="grace")
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert error_of(client.chat_postEphemeral, channel="C1", user="U3", text="x") == (
        "user_not_in_channel"
    )
    assert [m.text for m in emulator.ephemerals("C1", "U1")] == ["only you"]
    assert emulator.messages("C1") == []


def test_users_info_carries_timezone_and_profile(client: WebClient):
    user = client.users_info(user="U1")["user"]
    assert user["tz"] == "Europe/Paris"
    assert user["tz_offset"] in (3600, 7200)
    assert user["tz_label"] in ("CET", "CEST")
    assert (user["is_admin"], user["profile"]["display_name"]) == (True, "ada")
    assert error_of(client.users_info, user="U404") == "user_not_found"


def test_users_from_another_workspace_are_invisible(client: WebClient, emulator: SlackEmulator):
    emulator.add_workspace(team_id="T2")
    emulator.add_user(team_id="T2", user_id="U9", name="other")
    emulator.add_channel(team_id="T2", channel_id="C9", name="theirs")
    assert error_of(client.users_info, user="U9") == "user_not_found"
    assert error_of(client.chat_postMessage, channel="C9", text="x") == "channel_not_found"


def test_users_list_and_members_paginate_with_cursors(client: WebClient, emulator: SlackEmulator):
    for n in range(5):
        emulator.add_user(team_id=TEAM, user_id=f"U10{n}", name=f"u{n}")
    emulator.add_channel(
        team_id=TEAM, channel_id="C5", name="big", members=[f"U10{n}" for n in range(5)]
    )
    listed = [m["id"] for page in client.users_list(limit=3) for m in page["members"]]
    assert len(listed) == len(set(listed)) == 8
    pages = list(client.conversations_members(channel="C5", limit=2))
    assert [len(p["members"]) for p in pages] == [2, 2, 2]
    assert pages[-1]["response_metadata"]["next_cursor"] == ""
    assert error_of(client.users_list, cursor="%%%") == "invalid_cursor"


def test_history_and_replies(client: WebClient, emulator: SlackEmulator):
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    emulator.post_as_user(team_id=TEAM, user_id="U1", channel="C1", text="reply", thread_ts=parent)
    client.chat_postMessage(channel="C1", text="later")
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["later", "parent"]
    assert history[1]["reply_count"] == 1
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]
    assert error_of(client.conversations_history, channel="C2") == "not_in_channel"


def test_conversations_info_and_team_info(client: WebClient):
    info = client.conversations_info(channel="C1")["channel"]
    assert (info["name"], info["is_member"], info["is_archived"]) == ("general", True, False)
    assert client.conversations_info(channel="C3")["channel"]["is_archived"] is True
    assert client.team_info()["team"]["domain"] == "lab"


def test_reset_drops_world_and_calls(client: WebClient, emulator: SlackEmulator):
    client.chat_postMessage(channel="C1", text="x")
    emulator.reset()
    assert emulator.calls() == [] and emulator.messages("C1") == []
    assert error_of(client.auth_test) == "invalid_auth"


def test_unparsable_json_body_is_answered_and_recorded(emulator: SlackEmulator):
    answer = httpx.post(
        emulator.api_url + "chat.postMessage",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.json()["error"] == "invalid_json"
    assert [c.response["error"] for c in emulator.calls("chat.postMessage")] == ["invalid_json"]
