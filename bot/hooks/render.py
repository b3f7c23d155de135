"""What `/ritual connect webhook` and `/ritual disconnect webhook` answer. Pure."""

from __future__ import annotations

from bot.hooks.service import Connected

DISCONNECTED = (
    "The webhook token is revoked: scripts sending it are refused from now on. "
    "`/ritual connect webhook` makes a new one."
)


def connected_text(connected: Connected) -> str:
    """The token, shown once, with the lines that use it at the end of a training script."""
    rotated = " The previous token no longer works." if connected.rotated else ""
    return (
        ":key: This workspace's webhook token, shown only to you and only this once: copy it "
        f"now.{rotated}\n```{connected.token}```\n"
        "Experiments sent with it are logged in your name and their confirmations posted in "
        f"<#{connected.channel_id}>. At the end of a training script (the URL is the "
        "one Slack sends requests to, without `/slack/events`):\n"
        "```export RITUALBOT_URL=https://ritualbot.example.com\n"
        f"export RITUALBOT_TOKEN={connected.token}\n"
        'ritualbot log P-12 0.83 0.84 --n 2000 --run-url "$RUN_URL" --note "what changed"```\n'
        "`/ritual connect webhook` again makes a new token; `/ritual disconnect webhook` "
        "revokes it."
    )
