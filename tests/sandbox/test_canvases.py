"""canvases.create and canvases.edit, as slack_sdk's WebClient calls them."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.emulator import SlackEmulator
from tests.sandbox.conftest import TEAM

MARKDOWN = {"type": "markdown", "markdown": "# P-1\n\nNo experiments yet.\n"}


def refused(call) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


def test_a_canvas_is_made_with_its_markdown_then_replaced_whole(
    client: WebClient, emulator: SlackEmulator
):
    made = client.canvases_create(title="P-1 · Drift", document_content=MARKDOWN)
    canvas = emulator.world.canvases[made["canvas_id"]]
    assert (canvas.title, canvas.markdown, canvas.channel_id) == (
        "P-1 · Drift",
        MARKDOWN["markdown"],
        None,
    )

    change = {"operation": "replace", "document_content": {"type": "markdown", "markdown": "new"}}
    assert client.canvases_edit(canvas_id=canvas.id, changes=[change])["ok"]
    assert (canvas.markdown, canvas.edits) == ("new", 1)


def test_an_edit_of_a_canvas_that_is_not_there_is_refused(client: WebClient):
    change = {"operation": "replace", "document_content": MARKDOWN}
    assert refused(lambda: client.canvases_edit(canvas_id="F404", changes=[change])) == (
        "canvas_not_found"
    )


def test_content_that_is_not_markdown_is_refused(client: WebClient):
    html = {"type": "html", "markdown": "<b>x</b>"}
    assert refused(lambda: client.canvases_create(title="x", document_content=html)) == (
        "invalid_arguments"
    )


def test_canvases_turned_off_or_the_scope_not_granted_are_refused(
    client: WebClient, emulator: SlackEmulator
):
    workspace = emulator.world.workspaces[TEAM]
    workspace.canvases = False
    create = lambda: client.canvases_create(title="x", document_content=MARKDOWN)  # noqa: E731
    assert refused(create) == "canvas_disabled_user_team"
    workspace.canvases = True
    workspace.scopes = tuple(s for s in workspace.scopes if s != "canvases:write")
    assert refused(create) == "missing_scope"
    assert not emulator.world.canvases
