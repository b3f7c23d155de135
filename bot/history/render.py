"""What is shown about any record's life: deletion with its Undo, restore, and history."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import actions, button, clip, context, moment, section, sections, user
from bot.history.service import Action, Version
from bot.text import escape

Blocks = list[dict[str, Any]]
VALUE_SHOWN = 300
VERSIONS_SHOWN = 15  # an edit of many long fields takes several sections; 50 blocks at most


def deleted(*, ref: str, number: int, undo_action: str, restore_command: str) -> Blocks:
    """The deletion confirmation: nothing is lost, and one click brings it back."""
    return [
        section(f"Deleted *{ref}*. It no longer shows in lists, the board or digests."),
        actions(button("Undo", action_id=undo_action, value=str(number), style="primary")),
        context(f"Changed your mind later? `{restore_command} {ref}` restores it."),
    ]


def restored(ref: str) -> Blocks:
    return [section(f"Restored *{ref}*; it is back in lists, the board and digests.")]


def _value(value: Any) -> str:
    if value is None or value == "":
        return "_empty_"
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"“{escape(clip(shown, VALUE_SHOWN))}”"


def versions(ref: str, history: tuple[Version, ...]) -> Blocks:
    """Who changed what and when, newest first; each edit with its old and new values."""
    if not history:
        return [section(f"*{ref}* has not been edited, deleted or restored since it was saved.")]
    blocks: Blocks = [section(f"*History of {ref}* (newest first)")]
    for version in history[:VERSIONS_SHOWN]:
        when = moment(version.changed_at)
        if version.action == Action.EDIT:
            blocks += sections(
                [f"{when} · edited by {user(version.changed_by)}"]
                + [
                    f"• {escape(c.field)}: {_value(c.old)} → {_value(c.new)}"
                    for c in version.changes
                ]
            )
        else:
            blocks.append(context(f"{when} · {version.action}d by {user(version.changed_by)}"))
    if len(history) > VERSIONS_SHOWN:
        blocks.append(context(f"Showing the latest {VERSIONS_SHOWN} of {len(history)} changes."))
    return blocks[:50]
