"""Typing in a type-ahead menu of a modal: Slack's block_suggestion, and what it lists."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from sandbox.api import ApiError
from sandbox.blockkit import check_options
from sandbox.emulator import SlackEmulator
from tests.sandbox.conftest import SECRET, AppStub
from tests.sandbox.test_delivery import open_modal_on_command, reference


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def menu(block_id: str, action_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain("Problem"),
        "element": {"type": "external_select", "action_id": action_id, **extra},
    }


FORM = {
    "type": "modal",
    "callback_id": "log",
    "title": plain("Log an experiment"),
    "submit": plain("Save"),
    "blocks": [
        menu("problem", "problem_choice", min_query_length=0),
        menu("owner", "owner_choice"),
        {
            "type": "input",
            "block_id": "value",
            "label": plain("Value"),
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
    ],
}


def test_typing_sends_a_signed_block_suggestion_shaped_like_slacks(
    emulator: SlackEmulator, app: AppStub
):
    open_modal_on_command(emulator, app, FORM)
    view = emulator.open_view("U1")
    assert view is not None
    app.answer = lambda _request: (200, {"options": [option("P-12 Recall", "12")]})
    typed = {"value": {"value": {"type": "plain_text_input", "value": "0.8"}}}

    delivery = emulator.suggest(
        user_id="U1", action_id="problem_choice", value="rec", state_values=typed
    )

    received = app.requests[-1]
    assert SignatureVerifier(SECRET).is_valid_request(received.body, received.headers)
    payload, expected = received.payload(), reference("block_suggestion")
    assert payload.keys() >= expected.keys() and "trigger_id" not in payload
    assert payload["user"].keys() >= expected["user"].keys()
    assert payload["view"].keys() >= expected["view"].keys()
    assert (payload["type"], payload["action_id"], payload["block_id"], payload["value"]) == (
        "block_suggestion",
        "problem_choice",
        "problem",
        "rec",
    )
    assert payload["container"] == {"type": "view", "view_id": view.id}
    assert payload["view"]["state"]["values"] == typed
    assert delivery is not None
    assert check_options(delivery.body) == {"options": [option("P-12 Recall", "12")]}


def test_slack_asks_only_once_min_query_length_characters_are_typed(
    emulator: SlackEmulator, app: AppStub
):
    open_modal_on_command(emulator, app, FORM)
    asked = len(app.requests)

    assert emulator.suggest(user_id="U1", action_id="owner_choice", value="ad") is None
    assert len(app.requests) == asked
    assert emulator.suggest(user_id="U1", action_id="owner_choice", value="ada") is not None
    assert emulator.suggest(user_id="U1", action_id="problem_choice", value="") is not None
    assert len(app.requests) == asked + 2
    with pytest.raises(LookupError, match="no external_select 'value'"):
        emulator.suggest(user_id="U1", action_id="value", value="abc")


@pytest.mark.parametrize(
    "answer, why",
    [
        ({"options": [option(f"P-{n}", str(n)) for n in range(101)]}, "at most 100"),
        ({"options": [option("x" * 76, "1")]}, "text must be at most 75"),
        ({"options": [option("P-1", "1" * 151)]}, "value must be at most 150"),
        ({"options": [{"text": {"type": "mrkdwn", "text": "*P-1*"}, "value": "1"}]}, "plain_text"),
        ({"option_groups": [{"label": plain("Open"), "options": "P-1"}]}, "must be a list"),
        ("P-1", "not a JSON object"),
    ],
)
def test_options_slack_would_not_list_are_refused(answer: Any, why: str):
    with pytest.raises(ApiError) as refused:
        check_options(answer)
    assert refused.value.error == "invalid_options" and why in " ".join(refused.value.messages)


def test_grouped_options_within_limits_are_listed():
    groups = [{"label": plain("Open"), "options": [option("x" * 75, "1")]}]
    assert check_options({"option_groups": groups}) == {"option_groups": groups}


def test_the_page_lists_the_apps_options_or_says_why_slack_would_not(
    emulator: SlackEmulator, app: AppStub
):
    open_modal_on_command(emulator, app, FORM)

    def typing(action_id: str, value: str) -> dict[str, Any]:
        asked = {"type": "suggest", "user": "U1", "action_id": action_id, "value": value}
        return emulator.page.act(asked)

    app.answer = lambda _request: (200, {"options": [option("P-12 Recall", "12")]})
    assert typing("problem_choice", "") == {"ok": True, "options": [option("P-12 Recall", "12")]}
    assert typing("owner_choice", "ad") == {"ok": True, "options": []}  # not asked yet
    app.answer = lambda _request: (200, {"options": [option("x" * 76, "1")]})
    refused = typing("problem_choice", "rec")
    assert not refused["ok"]
    assert refused["notice"].startswith("ritualbot sent options Slack refused: invalid_options")
    app.answer = lambda _request: (500, None)
    assert "HTTP 500" in typing("problem_choice", "rec")["notice"]
