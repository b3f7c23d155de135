"""Helpers for the watch tests: a problem shipped with a plan, a button pressed as Alice."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from tests.conftest import ALICE, TEAM
from tests.support.delivery import buttons, command, frame, log


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


SHIPPED_AT = utc(2027, 1, 4, 12)  # a Monday; the first weekly check is due on the 11th


def ship(bot, at: datetime, options: str = "alert=0.78") -> None:
    with time_machine.travel(at, tick=False):
        frame(bot)
        log(bot, "P-1 0.83 class-balanced loss")
        command(bot, "/problem", f"decide P-1 ship beats target {options}")


def press(bot, message, action_id: str, *, channel: str, times: int = 1) -> None:
    value = buttons(message.blocks)[action_id]["value"]
    for _ in range(times):
        bot.slack.click(
            team_id=TEAM,
            user_id=ALICE,
            action_id=action_id,
            value=value,
            channel_id=channel,
            message_ts=message.ts,
        )
        bot.settle()
