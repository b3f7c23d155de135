"""The external file upload flow, as files_upload_v2 drives it."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.emulator import SlackEmulator


def test_files_upload_v2_attaches_the_bytes_to_a_message(
    client: WebClient, emulator: SlackEmulator
):
    chart = b"\x89PNG fake chart bytes"
    answer = client.files_upload_v2(
        channel="C1", content=chart, filename="chart.png", title="Weekly", initial_comment="digest"
    )
    file_id = answer["file"]["id"]
    assert emulator.file_bytes(file_id) == chart
    [message] = emulator.messages("C1")
    assert message.text == "digest"
    assert [(f["id"], f["title"], f["mimetype"], f["size"]) for f in message.files] == [
        (file_id, "Weekly", "image/png", len(chart))
    ]
    served = httpx.get(f"{emulator.base_url}/files/{file_id}")
    assert (served.content, served.headers["content-type"]) == (chart, "image/png")
    assert [c.method for c in emulator.calls()] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


def test_complete_upload_refuses_files_never_uploaded(client: WebClient):
    reserved = client.files_getUploadURLExternal(filename="a.txt", length=3)
    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": reserved["file_id"]}], channel_id="C1")
    assert raised.value.response["error"] == "file_not_found"


def test_upload_into_a_channel_the_bot_is_not_in(client: WebClient):
    with pytest.raises(SlackApiError) as raised:
        client.files_upload_v2(channel="C2", content="x", filename="a.txt")
    assert raised.value.response["error"] == "not_in_channel"


def test_a_file_is_shared_with_a_person_in_their_dm_not_by_their_user_id(
    client: WebClient, emulator: SlackEmulator
):
    with pytest.raises(SlackApiError) as raised:
        client.files_upload_v2(channel="U1", content="notes", filename="P-1.md")
    assert raised.value.response["error"] == "invalid_arguments"

    dm = client.conversations_open(users="U1")["channel"]["id"]
    client.files_upload_v2(channel=dm, content="notes", filename="P-1.md")
    [message] = [m for m in emulator.messages(dm) if m.files]
    assert message.files[0]["name"] == "P-1.md"
