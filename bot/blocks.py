"""Block Kit pieces: sections, buttons and the rest, kept within Slack's limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

SECTION_MAX = 3000
FIELD_MAX = 2000
HEADER_MAX = 150
PLAIN_MAX = 75


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def user(user_id: str) -> str:
    """A mention of a Slack user id that the bot itself chose to mention."""
    return f"<@{user_id}>"


def when(at: datetime, *, shown: str = "{time}", zone: str = "UTC", fallback: str = "%H:%M") -> str:
    """`at` as Slack shows it to each reader, in the reader's own timezone (`shown` is Slack's
    date format); `fallback`, formatted in `zone`, where Slack cannot render it."""
    local = at.astimezone(ZoneInfo(zone))
    return f"<!date^{int(at.timestamp())}^{shown}|{local.strftime(fallback)}>"


def moment(at: datetime) -> str:
    """`at` as each reader's day and time (`Nov 30 at 09:30`); `Mon 30 Nov at 14:30 UTC` where
    Slack cannot show it in the reader's timezone."""
    return when(at, shown="{date_short_pretty} at {time}", fallback="%a %d %b at %H:%M UTC")


def day_of(at: datetime) -> str:
    """The day `at` fell on in each reader's own timezone (`Nov 30, 2026`); UTC's without."""
    return when(at, shown="{date_short}", fallback="%d %b %Y")


def plain(text: str, limit: int = PLAIN_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, SECTION_MAX)}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def fields(*texts: str) -> dict[str, Any]:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": clip(t, FIELD_MAX)} for t in texts[:10]],
    }


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_MAX)}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


DIVIDER: dict[str, Any] = {"type": "divider"}


def sections(lines: list[str], *, limit: int = SECTION_MAX - 200) -> list[dict[str, Any]]:
    """Lines grouped into as few sections as keep each inside Slack's 3,000 characters."""
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(c) + 1 for c in chunk) + len(line) > limit:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def paragraphs(text: str, *, limit: int = SECTION_MAX - 100) -> list[dict[str, Any]]:
    """Escaped mrkdwn of any length as sections of at most `limit` characters each.

    Long user text is never clipped: it is cut at a line break where one is near, and
    never inside an entity such as `&amp;`.
    """
    blocks: list[dict[str, Any]] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = limit
            entity = text.rfind("&", cut - 5, cut)
            if entity != -1 and ";" not in text[entity:cut]:
                cut = entity
        blocks.append(section(text[:cut]))
        text = text[cut:].lstrip("\n")
    blocks.append(section(text))
    return blocks
