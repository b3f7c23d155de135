"""Reading what the bot sent to the emulator."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


def rendered(payload: Any) -> str:
    """Everything a payload would show, as one string to search."""
    return json.dumps(payload, ensure_ascii=False)


SLACK_DATE = re.compile(r"<!date\^(\d+)\^([^|^>]+)(?:\^[^|>]*)?\|([^>]*)>")


def seen_by(text: str, zone: str) -> str:
    """`text` as a Slack client in `zone` shows it: each `<!date^…>` in that reader's time."""

    def local(match: re.Match[str]) -> str:
        at = datetime.fromtimestamp(int(match.group(1)), ZoneInfo(zone))
        return (
            match.group(2)
            .replace("{time_secs}", f"{at:%H:%M:%S}")
            .replace("{time}", f"{at:%H:%M}")
            .replace("{date_short_pretty}", f"{at:%b} {at.day}")
            .replace("{date_short}", f"{at:%b} {at.day}, {at.year}")
            .replace("{date_num}", f"{at:%Y-%m-%d}")
        )

    return SLACK_DATE.sub(local, text)


def posted(slack: Any, channel: str) -> list[Any]:
    """The chat.postMessage calls the bot made to `channel`."""
    return [c for c in slack.calls("chat.postMessage") if c.args.get("channel") == channel]
