"""Slack's Block Kit limits for messages, modals and App Home views."""

from __future__ import annotations

from typing import Any

from sandbox.api import ApiError

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
MESSAGE_TEXT = 40_000
VIEW_LABEL = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
MENU_OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150


def check_message(*, text: str, blocks: Any) -> None:
    """Refuse a message as chat.postMessage and chat.update do."""
    if not text and not blocks:
        raise ApiError("no_text")
    if len(text) > MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    if blocks is None or blocks == "":
        return
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise ApiError(
            "invalid_blocks", "[ERROR] must be an array of objects [json-pointer:/blocks]"
        )
    if len(blocks) > MESSAGE_BLOCKS:
        raise ApiError(
            "invalid_blocks", "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
        )
    _check_sections(blocks, error="invalid_blocks", pointer="/blocks")


def check_view(view: Any, *, kind: str) -> None:
    """Refuse a view of the wrong type or over Slack's limits with invalid_arguments."""
    if not isinstance(view, dict) or view.get("type") != kind:
        raise ApiError(
            "invalid_arguments", f"[ERROR] view type must be {kind} [json-pointer:/view]"
        )
    fields = ("title", "submit", "close") if kind == "modal" else ()
    for field in fields:
        text = (view.get(field) or {}).get("text", "")
        if len(text) > VIEW_LABEL:
            raise ApiError(
                "invalid_arguments",
                f"[ERROR] must be less than 25 characters [json-pointer:/view/{field}/text]",
            )
    if kind == "modal" and not view.get("title"):
        raise ApiError("invalid_arguments", "[ERROR] missing required field: title")
    blocks = view.get("blocks") or []
    if len(blocks) > VIEW_BLOCKS:
        raise ApiError(
            "invalid_arguments",
            "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]",
        )
    if len(view.get("private_metadata") or "") > PRIVATE_METADATA:
        raise ApiError(
            "invalid_arguments",
            "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]",
        )
    if len(view.get("callback_id") or "") > CALLBACK_ID:
        raise ApiError(
            "invalid_arguments",
            "[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]",
        )
    _check_sections(blocks, error="invalid_arguments", pointer="/view/blocks")


def find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str, dict[str, Any]] | None:
    """The block id and interactive element that carry an action_id."""
    for block in blocks:
        candidates = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id", ""), element
    return None


def check_options(answer: Any) -> dict[str, list[dict[str, Any]]]:
    """What a menu lists from the app's answer to a block_suggestion; ApiError if Slack would
    list nothing (the menu then says it could not load options)."""
    if not isinstance(answer, dict):
        raise ApiError("invalid_options", "the answer is not a JSON object")
    key = "option_groups" if "option_groups" in answer else "options"
    items = answer.get(key)
    if not isinstance(items, list) or len(items) > MENU_OPTIONS:
        raise ApiError("invalid_options", f"{key} must be a list of at most {MENU_OPTIONS}")
    groups = items if key == "option_groups" else [{"options": items}]
    for group in groups:
        options = group.get("options") if isinstance(group, dict) else None
        if not isinstance(options, list) or len(options) > MENU_OPTIONS:
            raise ApiError("invalid_options", f"options must be a list of at most {MENU_OPTIONS}")
        for option in options:
            _check_option(option)
    return {key: items}


def _check_option(option: Any) -> None:
    text = option.get("text") if isinstance(option, dict) else None
    if not isinstance(text, dict) or text.get("type") != "plain_text":
        raise ApiError("invalid_options", "an option's text must be plain_text")
    if len(text.get("text") or "") > OPTION_TEXT:
        raise ApiError("invalid_options", f"an option's text must be at most {OPTION_TEXT} long")
    value = option.get("value")
    if not isinstance(value, str) or len(value) > OPTION_VALUE:
        raise ApiError("invalid_options", f"an option's value must be at most {OPTION_VALUE} long")


def _check_sections(blocks: list[dict[str, Any]], *, error: str, pointer: str) -> None:
    """Refuse section text over 3000 characters."""
    for index, block in enumerate(blocks):
        text = block.get("text") if block.get("type") == "section" else None
        if isinstance(text, dict) and len(text.get("text", "")) > SECTION_TEXT:
            where = f"json-pointer:{pointer}/{index}/text/text"
            raise ApiError(error, f"[ERROR] must be less than 3001 characters [{where}]")
