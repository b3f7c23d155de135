"""Setting up a standup without the modal, and reading what its prompts did."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from slack_sdk import WebClient

from bot.ids import ActionId
from bot.standup import service as standups
from bot.standup import settings as standup_settings
from jobs import roster
from runtime.clock import RitualScheduler
from runtime.config import load
from runtime.slack_api import job_client
from sandbox.emulator import SlackEmulator
from storage.db import Database
from tests.conftest import ALICE, CHANNEL, TEAM


def client_for(slack: SlackEmulator, team_id: str) -> WebClient:
    settings = load({"SLACK_API_URL": slack.api_url})
    return job_client(settings, token=slack.workspace(team_id).bot_token)


def make_standup(
    db: Database,
    slack: SlackEmulator,
    *,
    team_id: str,
    channel_id: str,
    owner: str,
    rule: str = "participant",
    zone: str = "UTC",
    at: time = time(9, 30),
    cutoff: time = time(17, 0),
    reminder: int | None = 60,
    holidays: str = "",
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5),
    participants: tuple[str, ...] = (),
) -> standups.StandupRecord:
    draft = standup_settings.SettingsDraft(
        weekdays=[str(d) for d in weekdays],
        local_time=at.strftime("%H:%M"),
        timezone_rule=rule,
        timezone=zone,
        participants_rule="chosen" if participants else "channel",
        participants=list(participants),
        questions="\n".join(standups.DEFAULT_QUESTIONS),
        reminder_minutes=str(reminder or 0),
        cutoff_time=cutoff.strftime("%H:%M"),
        holidays=holidays,
    )
    with db.transaction() as session:
        record = standup_settings.save(
            session, team_id=team_id, channel_id=channel_id, user_id=owner, draft=draft
        )
    return roster.sync(db=db, client=client_for(slack, team_id), record=record)


def half_an_hour_ago(now: datetime) -> tuple[time, str]:
    """A standup time half an hour before `now`, and the zone it is in: a fixed offset where
    `now` is 12:xx, so that time and a cut-off at 23:59 are both today, whatever the real
    hour (in UTC, at 00:29 half an hour ago is 23:59 yesterday, and no cut-off comes after)."""
    hours = 12 - now.astimezone(UTC).hour
    zone = f"Etc/GMT{-hours:+d}" if hours else "UTC"  # Etc/GMT-5 is UTC+5
    local = now.astimezone(ZoneInfo(zone)) - timedelta(minutes=30)
    return local.time().replace(second=0, microsecond=0), zone


def has_button(message: Any, action_id: str) -> bool:
    return any(
        element.get("action_id") == action_id
        for block in message.blocks
        for element in block.get("elements", [])
    )


def prompts(slack: SlackEmulator, user_id: str) -> list[Any]:
    """The standup prompts in the bot's DM with the user (reminders excluded)."""
    return [
        m
        for m in slack.messages(user_id)
        if has_button(m, ActionId.STANDUP_OPEN) and m.text.startswith("Standup time")
    ]


def reminders(slack: SlackEmulator, user_id: str) -> list[Any]:
    return [m for m in slack.messages(user_id) if m.text.startswith("Reminder")]


def element(kind: str, **values) -> dict:
    return {"value": {"type": kind, **values}}


def click_answer(bot, user: str):
    [prompt] = prompts(bot.slack, user)[-1:]
    button = next(
        e
        for b in prompt.blocks
        for e in b.get("elements", [])
        if e.get("action_id") == ActionId.STANDUP_OPEN
    )
    delivery = bot.slack.click(
        team_id=TEAM,
        user_id=user,
        action_id=ActionId.STANDUP_OPEN,
        value=button["value"],
        channel_id=user,
        message_ts=prompt.ts,
    )
    bot.settle()
    return delivery


def answers_form(*texts: str) -> dict[str, dict[str, dict]]:
    return {f"answer_{i}": element("plain_text_input", value=text) for i, text in enumerate(texts)}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def team_clock(bot, *, made_on: date) -> RitualScheduler:
    """A UTC standup of the channel owned by Alice, set up on `made_on`, and the clock that
    runs it (`fire`)."""
    with time_machine.travel(at(made_on, 9), tick=False):
        make_standup(
            bot.runtime.db, bot.slack, team_id=TEAM, channel_id=CHANNEL, owner=ALICE, rule="team"
        )
    return RitualScheduler(
        db=bot.runtime.db, client_factory=lambda _team: client_for(bot.slack, TEAM)
    )


def fire(clock: RitualScheduler, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        clock.fire_due(when)
