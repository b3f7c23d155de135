"""canvases.create and canvases.edit, for a problem's lab notebook.

Shaped from Slack's method reference: `document_content` is `{"type": "markdown",
"markdown": …}`; a workspace whose plan or admins turn canvases off answers
`canvas_disabled_user_team`, and a token without `canvases:write` answers `missing_scope`.
"""

from __future__ import annotations

from typing import Any

from sandbox.api import ApiError, ApiRequest
from sandbox.api_chat import writable_channel
from sandbox.records import Canvas

SCOPE = "canvases:write"


def _allowed(req: ApiRequest) -> None:
    if SCOPE not in req.workspace.scopes:
        raise ApiError("missing_scope")
    if not req.workspace.canvases:
        raise ApiError("canvas_disabled_user_team")


def _markdown(content: Any) -> str:
    """The Markdown of a `document_content` argument, refused as Slack refuses it."""
    if not isinstance(content, dict) or content.get("type") != "markdown":
        raise ApiError("invalid_arguments", "[ERROR] document_content.type must be markdown")
    markdown = content.get("markdown")
    if not isinstance(markdown, str):
        raise ApiError("invalid_arguments", "[ERROR] document_content.markdown must be a string")
    return markdown


def create(req: ApiRequest) -> dict[str, Any]:
    """canvases.create: a canvas with a title and Markdown content, tabbed in `channel_id`
    when given."""
    _allowed(req)
    content = req.args.get("document_content")
    markdown = "" if content is None else _markdown(content)
    channel = writable_channel(req, key="channel_id").id if req.text("channel_id") else None
    canvas = Canvas(
        id=req.world.next_id("F"),
        team_id=req.workspace.team_id,
        title=req.text("title") or "Untitled",
        markdown=markdown,
        channel_id=channel,
    )
    req.world.canvases[canvas.id] = canvas
    return {"ok": True, "canvas_id": canvas.id}


def edit(req: ApiRequest) -> dict[str, Any]:
    """canvases.edit: only `replace` of the whole document, the one change the app makes."""
    _allowed(req)
    canvas = req.world.canvases.get(req.required("canvas_id", error="canvas_not_found"))
    if canvas is None or canvas.team_id != req.workspace.team_id:
        raise ApiError("canvas_not_found")
    changes = req.args.get("changes")
    if not isinstance(changes, list) or not changes:
        raise ApiError("invalid_arguments", "[ERROR] changes must be a non-empty array")
    for change in changes:
        if change.get("operation") != "replace" or change.get("section_id"):
            raise ApiError("invalid_arguments", "[ERROR] only a whole-document replace is emulated")
        canvas.markdown = _markdown(change.get("document_content"))
    canvas.edits += 1
    return {"ok": True}
