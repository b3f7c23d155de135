"""files.getUploadURLExternal and files.completeUploadExternal."""

from __future__ import annotations

import mimetypes
from typing import Any

from sandbox.api import ApiError, ApiRequest
from sandbox.api_chat import writable_channel
from sandbox.records import Message, StoredFile

# What a conversation id starts with: a channel, a private one, a DM, a group DM.
CONVERSATIONS = "CGDZ"


def get_upload_url(req: ApiRequest) -> dict[str, Any]:
    """files.getUploadURLExternal: reserve a file id and the URL to send its bytes to."""
    name = req.required("filename")
    try:
        length = int(req.required("length"))
    except ValueError:
        raise ApiError("invalid_arguments", "[ERROR] length must be an integer") from None
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    stored = StoredFile(
        id=req.world.next_id("F"),
        team_id=req.workspace.team_id,
        name=name,
        length=length,
        mimetype=mimetype,
    )
    req.world.files[stored.id] = stored
    return {"ok": True, "upload_url": f"{req.base_url}/upload/{stored.id}", "file_id": stored.id}


def complete_upload(req: ApiRequest) -> dict[str, Any]:
    """files.completeUploadExternal: title the uploaded files and share them in a channel."""
    listed = req.args.get("files")
    if not isinstance(listed, list) or not listed:
        raise ApiError("invalid_arguments", "[ERROR] files must be a non-empty array")
    files: list[StoredFile] = []
    for item in listed:
        stored = req.world.files.get(str(item.get("id")))
        if stored is None or stored.team_id != req.workspace.team_id or stored.data is None:
            raise ApiError("file_not_found")
        stored.title = str(item.get("title") or stored.name)
        files.append(stored)
    shown = [f.to_api(base_url=req.base_url) for f in files]
    if req.text("channel_id")[:1] not in ("", *CONVERSATIONS):
        # As Slack answers a user id: a file is shared in a conversation (conversations.open).
        raise ApiError(
            "invalid_arguments",
            "[ERROR] input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]",
        )
    if req.text("channel_id"):
        channel = writable_channel(req, key="channel_id")
        message = Message(
            ts=req.world.next_ts(),
            channel=channel.id,
            user=req.workspace.bot_user_id,
            text=req.text("initial_comment"),
            thread_ts=req.text("thread_ts") or None,
            files=shown,
            bot_id=req.workspace.bot_id,
        )
        req.world.history[channel.id].append(message)
    return {"ok": True, "files": shown}
