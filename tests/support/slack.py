"""Reading what the bot sent to the emulator."""

from __future__ import annotations

import json
from typing import Any


def rendered(payload: Any) -> str:
    """Everything a payload would show, as one string to search."""
    return json.dumps(payload, ensure_ascii=False)


def posted(slack: Any, channel: str) -> list[Any]:
    """The chat.postMessage calls the bot made to `channel`."""
    return [c for c in slack.calls("chat.postMessage") if c.args.get("channel") == channel]
