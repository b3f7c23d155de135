"""Signed requests delivered to the app, shaped like Slack's own payloads."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from sandbox.emulator import SlackEmulator
from tests.sandbox.conftest import REFERENCE, SECRET, TEAM, TOKEN, AppStub, Received

# Fields only Enterprise Grid installs carry; the emulated workspaces are not on a grid.
ENTERPRISE_ONLY = {"enterprise_id"}


def reference(name: str) -> dict:
    """A real Slack payload from the shared reference data."""
    return json.loads((REFERENCE / "payloads" / f"{name}.json").read_text())


def test_sign_reproduces_slacks_documented_signature(emulator: SlackEmulator):
    vector = json.loads((REFERENCE / "signing-test-vector.json").read_text())
    timestamp = int(vector["headers"]["X-Slack-Request-Timestamp"])
    headers = emulator.sign(
        vector["raw_body"].encode(), timestamp=timestamp, secret=vector["signing_secret"]
    )
    assert headers == vector["headers"]


def test_slash_command_is_a_signed_form_like_slacks(emulator: SlackEmulator, app: AppStub):
    emulator.app_url = app.url
    delivery = emulator.slash_command(
        team_id=TEAM, user_id="U1", channel_id="C1", command="/problem", text="list"
    )
    [received] = app.requests
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert SignatureVerifier(SECRET).is_valid_request(received.body, received.headers)
    form = received.form()
    assert form.keys() == reference("slash_command").keys()
    assert (form["command"], form["text"], form["user_name"], form["channel_name"]) == (
        "/problem",
        "list",
        "ada",
        "general",
    )
    assert (form["trigger_id"], form["response_url"]) == (
        delivery.trigger_id,
        delivery.response_url,
    )


def test_bad_signatures_and_retries_on_request(emulator: SlackEmulator, app: AppStub):
    common = {"team_id": TEAM, "user_id": "U1", "channel_id": "C1", "command": "/digest"}
    emulator.slash_command(**common, secret="wrong")
    emulator.slash_command(**common, timestamp=int(time.time()) - 600)
    emulator.slash_command(**common, signed=False)
    emulator.slash_command(**common, retry_num=1)
    verifier = SignatureVerifier(SECRET)
    wrong, stale, unsigned, retried = app.requests
    assert not verifier.is_valid_request(wrong.body, wrong.headers)
    assert not verifier.is_valid_request(stale.body, stale.headers)
    assert "X-Slack-Signature" not in unsigned.headers
    assert retried.headers["X-Slack-Retry-Num"] == "1"
    assert verifier.is_valid_request(retried.body, retried.headers)


def test_delivery_returns_the_apps_json_answer(emulator: SlackEmulator, app: AppStub):
    app.answer = lambda _request: (200, {"response_type": "ephemeral", "text": "usage: ..."})
    delivery = emulator.slash_command(team_id=TEAM, user_id="U1", channel_id="C1", command="/x")
    assert (delivery.status, delivery.body) == (
        200,
        {"response_type": "ephemeral", "text": "usage: ..."},
    )
    assert emulator.responses == []


def test_delivering_without_app_url_says_what_to_set(emulator: SlackEmulator):
    with pytest.raises(RuntimeError, match="app_url"):
        emulator.global_shortcut(team_id=TEAM, user_id="U1", callback_id="capture")


def open_modal_on_command(emulator: SlackEmulator, app: AppStub, view: dict) -> None:
    """Make the stub app open `view` from a slash command, as a Bolt handler would."""
    client = WebClient(base_url=emulator.api_url, token=TOKEN)

    def answer(request: Received) -> tuple[int, dict | None]:
        client.views_open(trigger_id=request.form()["trigger_id"], view=view)
        return 200, None

    app.answer = answer
    emulator.slash_command(team_id=TEAM, user_id="U1", channel_id="C1", command="/problem")
    app.answer = lambda _request: (200, None)


MODAL = {
    "type": "modal",
    "callback_id": "problem_new",
    "private_metadata": "C1",
    "title": {"type": "plain_text", "text": "New problem"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}
VALUES = {"title": {"value": {"type": "plain_text_input", "value": "Churn"}}}


def test_views_open_with_a_delivered_trigger_then_submit(emulator: SlackEmulator, app: AppStub):
    open_modal_on_command(emulator, app, MODAL)
    view = emulator.open_view("U1")
    assert view is not None and view.view["callback_id"] == "problem_new"
    delivery = emulator.submit_view(user_id="U1", values=VALUES)
    payload = app.requests[-1].payload()
    assert payload.keys() >= reference("view_submission").keys()
    assert payload["view"].keys() >= reference("view_submission")["view"].keys()
    assert payload["view"]["state"]["values"] == VALUES
    assert (payload["view"]["private_metadata"], payload["view"]["hash"]) == ("C1", view.hash)
    assert delivery.status == 200
    assert emulator.open_view("U1") is None and view.closed


def views_open_error(client: WebClient, *, trigger_id: str, view: dict) -> str:
    """The error views.open answers with."""
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id=trigger_id, view=view)
    return raised.value.response["error"]


def test_trigger_ids_are_single_use_known_and_short_lived(
    emulator: SlackEmulator, app: AppStub, client: WebClient
):
    used = emulator.global_shortcut(team_id=TEAM, user_id="U1", callback_id="capture").trigger_id
    client.views_open(trigger_id=used, view=MODAL)
    assert views_open_error(client, trigger_id=used, view=MODAL) == "exchanged_trigger_id"
    assert views_open_error(client, trigger_id="1.2.unknown", view=MODAL) == "invalid_trigger_id"
    stale = emulator.global_shortcut(team_id=TEAM, user_id="U1", callback_id="capture").trigger_id
    emulator.world.triggers[stale].issued_at -= 3.5
    assert views_open_error(client, trigger_id=stale, view=MODAL) == "expired_trigger_id"


@pytest.mark.parametrize(
    "change",
    [
        {"title": {"type": "plain_text", "text": "x" * 25}},
        {"submit": {"type": "plain_text", "text": "x" * 25}},
        {"blocks": [{"type": "divider"}] * 101},
        {"private_metadata": "x" * 3001},
        {"type": "home"},
    ],
)
def test_views_open_refuses_views_over_slacks_limits(
    emulator: SlackEmulator, app: AppStub, client: WebClient, change: dict
):
    trigger = emulator.global_shortcut(team_id=TEAM, user_id="U1", callback_id="c").trigger_id
    assert views_open_error(client, trigger_id=trigger, view=MODAL | change) == "invalid_arguments"
    assert emulator.views() == []


def test_views_update_by_id_with_hash_check_and_push(
    emulator: SlackEmulator, app: AppStub, client: WebClient
):
    open_modal_on_command(emulator, app, MODAL)
    view = emulator.open_view("U1")
    assert view is not None
    stale_hash = view.hash
    renamed = MODAL | {"title": {"type": "plain_text", "text": "Renamed"}}
    client.views_update(view_id=view.id, view=renamed, hash=view.hash)
    assert view.view["title"]["text"] == "Renamed" and view.hash != stale_hash
    with pytest.raises(SlackApiError) as raised:
        client.views_update(view_id=view.id, view=MODAL, hash=stale_hash)
    assert raised.value.response["error"] == "hash_conflict"
    trigger = emulator.click(team_id=TEAM, user_id="U1", action_id="more", view_id=view.id)
    pushed = client.views_push(trigger_id=trigger.trigger_id, view=MODAL)["view"]
    top = emulator.open_view("U1")
    assert top is not None and top.id == pushed["id"]
    assert pushed["previous_view_id"] == view.id and pushed["root_view_id"] == view.id


def test_submission_errors_keep_the_modal_open(emulator: SlackEmulator, app: AppStub):
    open_modal_on_command(emulator, app, MODAL)
    errors = {"title": "Say who has the problem"}
    app.answer = lambda _request: (200, {"response_action": "errors", "errors": errors})
    emulator.submit_view(user_id="U1", values=VALUES)
    view = emulator.open_view("U1")
    assert view is not None and view.errors == errors and not view.closed


def test_submission_update_push_and_clear(emulator: SlackEmulator, app: AppStub):
    open_modal_on_command(emulator, app, MODAL)
    root = emulator.open_view("U1")
    step_two = MODAL | {"callback_id": "step_two"}
    app.answer = lambda _request: (200, {"response_action": "update", "view": step_two})
    emulator.submit_view(user_id="U1", values=VALUES)
    assert emulator.open_view("U1") is root and root.view["callback_id"] == "step_two"
    app.answer = lambda _request: (200, {"response_action": "push", "view": MODAL})
    emulator.submit_view(user_id="U1", values=VALUES)
    assert len([v for v in emulator.views(user_id="U1") if not v.closed]) == 2
    app.answer = lambda _request: (200, {"response_action": "clear"})
    emulator.submit_view(user_id="U1", values=VALUES)
    assert emulator.open_view("U1") is None
    assert all(v.closed for v in emulator.views(team_id=TEAM))


def test_submission_answered_with_an_invalid_view_is_recorded(
    emulator: SlackEmulator, app: AppStub
):
    open_modal_on_command(emulator, app, MODAL)
    too_long = MODAL | {"title": {"type": "plain_text", "text": "x" * 30}}
    app.answer = lambda _request: (200, {"response_action": "update", "view": too_long})
    emulator.submit_view(user_id="U1", values=VALUES)
    view = emulator.open_view("U1")
    assert view is not None and "invalid_arguments" in (view.errors or {})["response_action"]


def test_double_submission_sends_the_same_payload_twice(emulator: SlackEmulator, app: AppStub):
    open_modal_on_command(emulator, app, MODAL)
    delivery = emulator.submit_view(user_id="U1", values=VALUES, double=True)
    first, second = app.requests[-2:]
    assert first.body == second.body
    assert [d.status for d in [delivery, *delivery.others]] == [200, 200]
    assert emulator.open_view("U1") is None


def test_close_view_notifies_only_when_asked(emulator: SlackEmulator, app: AppStub):
    open_modal_on_command(emulator, app, MODAL)
    assert emulator.close_view(user_id="U1") is None
    sent = len(app.requests)
    open_modal_on_command(emulator, app, MODAL | {"notify_on_close": True})
    delivery = emulator.close_view(user_id="U1")
    assert delivery is not None and len(app.requests) == sent + 2
    assert app.requests[-1].payload()["type"] == "view_closed"
    assert emulator.open_view("U1") is None


BUTTON_BLOCKS = [
    {
        "type": "actions",
        "block_id": "decide",
        "elements": [
            {
                "type": "button",
                "action_id": "ship",
                "value": "P-1",
                "text": {"type": "plain_text", "text": "Ship"},
            }
        ],
    }
]


def test_click_on_a_message_button_is_shaped_like_slacks(
    emulator: SlackEmulator, app: AppStub, client: WebClient
):
    ts = client.chat_postMessage(channel="C1", text="decide", blocks=BUTTON_BLOCKS)["ts"]
    delivery = emulator.click(
        team_id=TEAM, user_id="U2", action_id="ship", channel_id="C1", message_ts=ts
    )
    payload = app.requests[-1].payload()
    expected = reference("block_actions")
    assert payload.keys() >= expected.keys()
    assert payload["user"].keys() >= expected["user"].keys()
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    [action] = payload["actions"]
    assert action.keys() >= expected["actions"][0].keys()
    assert (action["block_id"], action["value"], action["type"]) == ("decide", "P-1", "button")
    assert payload["message"]["ts"] == ts
    assert payload["response_url"] == delivery.response_url


def test_a_pick_in_a_view_carries_the_choice_and_what_the_inputs_hold(
    emulator: SlackEmulator, app: AppStub, client: WebClient
):
    home = client.views_publish(
        user_id="U1",
        view={
            "type": "home",
            "blocks": [
                {
                    "type": "actions",
                    "block_id": "who",
                    "elements": [{"type": "users_select", "action_id": "assign"}],
                }
            ],
        },
    )["view"]
    typed = {"note": {"v": {"type": "plain_text_input", "value": "soon"}}}

    emulator.click(
        team_id=TEAM,
        user_id="U1",
        action_id="assign",
        view_id=home["id"],
        selected={"selected_user": "U2"},
        state_values=typed,
    )

    payload = app.requests[-1].payload()
    [action] = payload["actions"]
    assert (action["type"], action["block_id"], action["selected_user"]) == (
        "users_select",
        "who",
        "U2",
    )
    assert payload["state"]["values"] == payload["view"]["state"]["values"] == typed


def test_response_url_replaces_deletes_or_posts(
    emulator: SlackEmulator, app: AppStub, client: WebClient
):
    ts = client.chat_postMessage(channel="C1", text="decide", blocks=BUTTON_BLOCKS)["ts"]
    url = emulator.click(
        team_id=TEAM, user_id="U2", action_id="ship", channel_id="C1", message_ts=ts
    ).response_url
    assert url is not None
    assert httpx.post(url, json={"replace_original": True, "text": "shipped"}).status_code == 200
    assert [(m.text, m.edited) for m in emulator.messages("C1")] == [("shipped", True)]
    httpx.post(url, json={"text": "only for you"})
    assert [m.text for m in emulator.ephemerals("C1", "U2")] == ["only for you"]
    httpx.post(url, json={"response_type": "in_channel", "text": "for all"})
    assert [m.text for m in emulator.messages("C1")] == ["shipped", "for all"]
    httpx.post(url, json={"delete_original": True})
    assert [m.text for m in emulator.messages("C1")] == ["for all"]
    assert [r.body.get("text") for r in emulator.responses][:3] == [
        "shipped",
        "only for you",
        "for all",
    ]
    assert httpx.post(emulator.base_url + "/response/R404", json={"text": "x"}).status_code == 404


def test_click_in_a_view_carries_the_view(emulator: SlackEmulator, app: AppStub):
    open_modal_on_command(emulator, app, MODAL)
    view = emulator.open_view("U1")
    assert view is not None
    emulator.click(
        team_id=TEAM,
        user_id="U1",
        action_id="pick",
        view_id=view.id,
        selected_option={"value": "delivery"},
    )
    payload = app.requests[-1].payload()
    assert payload["container"] == {"type": "view", "view_id": view.id}
    assert payload["view"]["callback_id"] == "problem_new"
    assert payload["actions"][0]["selected_option"] == {"value": "delivery"}
    assert "response_url" not in payload


def test_message_shortcut_carries_the_message(emulator: SlackEmulator, app: AppStub):
    said = emulator.post_as_user(team_id=TEAM, user_id="U2", channel="C1", text="accuracy 0.91")
    emulator.message_shortcut(
        team_id=TEAM, user_id="U1", channel_id="C1", message_ts=said.ts, callback_id="log_exp"
    )
    payload = app.requests[-1].payload()
    assert payload.keys() >= reference("message_shortcut").keys()
    assert (payload["message"]["text"], payload["message"]["user"]) == ("accuracy 0.91", "U2")
    assert payload["callback_id"] == "log_exp"


def test_global_shortcut_shape(emulator: SlackEmulator, app: AppStub):
    delivery = emulator.global_shortcut(team_id=TEAM, user_id="U1", callback_id="capture")
    payload = app.requests[-1].payload()
    assert payload.keys() >= reference("global_shortcut").keys()
    assert (payload["type"], payload["trigger_id"]) == ("shortcut", delivery.trigger_id)


def test_event_envelope_and_retry_headers(emulator: SlackEmulator, app: AppStub):
    event = {"type": "member_joined_channel", "user": "U2", "channel": "C1"}
    emulator.event(team_id=TEAM, event=event, event_id="Ev1", retry_num=2, retry_reason="timeout")
    [received] = app.requests
    assert received.headers["Content-Type"] == "application/json"
    assert SignatureVerifier(SECRET).is_valid_request(received.body, received.headers)
    envelope = json.loads(received.body)
    assert envelope.keys() >= reference("app_home_opened").keys() - ENTERPRISE_ONLY
    assert (envelope["event_id"], envelope["event"]["user"]) == ("Ev1", "U2")
    assert (received.headers["X-Slack-Retry-Num"], received.headers["X-Slack-Retry-Reason"]) == (
        "2",
        "timeout",
    )


def test_open_home_sends_the_published_home(
    emulator: SlackEmulator, app: AppStub, client: WebClient
):
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    published = client.views_publish(user_id="U1", view=home)["view"]
    assert emulator.home(team_id=TEAM, user_id="U1") == published
    emulator.open_home(team_id=TEAM, user_id="U1")
    event = json.loads(app.requests[-1].body)["event"]
    assert event.keys() >= reference("app_home_opened")["event"].keys()
    assert (event["tab"], event["view"]["id"]) == ("home", published["id"])
    with pytest.raises(SlackApiError) as raised:
        client.views_publish(user_id="U404", view=home)
    assert raised.value.response["error"] == "user_not_found"
