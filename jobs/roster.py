"""Who takes part in a standup, in which timezone, under which name and avatar: read from
Slack, stored."""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable, Iterator
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.standup import service as standups
from bot.standup.service import StandupRecord
from jobs import profiles
from storage import people
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger(__name__)

PAGE = 200


def _pages(do: Callable[..., Any], key: str, **args: Any) -> Iterator[Any]:
    """Every item of a paginated Web API method, waiting out rate limits between pages."""
    cursor = ""
    while True:
        try:
            answer = do(limit=PAGE, cursor=cursor, **args)
        except SlackApiError as error:
            if error.response is None or error.response.status_code != 429:
                raise
            clock.sleep(float(error.response.headers.get("Retry-After", 1) or 1))
            continue
        yield from answer.get(key) or []
        cursor = (answer.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return


def sync(*, db: Database, client: WebClient, record: StandupRecord) -> StandupRecord:
    """Read who takes part and their timezones from Slack: users.list, not one call each."""
    try:
        if record.participants_rule == "channel":
            members = set(
                _pages(client.conversations_members, "members", channel=record.channel_id)
            )
        else:
            members = set(record.participants)
        taking_part = [
            user
            for user in _pages(client.users_list, "members")
            if user.get("id") in members
            and not user.get("is_bot")
            and not user.get("deleted")
            and user.get("id") != "USLACKBOT"
        ]
    except (SlackApiError, OSError) as error:
        log.warning("could not read the participants of standup %s: %s", record.id, error)
        return record
    roster = {user["id"]: user.get("tz") or record.timezone for user in taking_part}
    now = utcnow()
    with db.transaction() as session:
        # users.list gave each one's name and avatar too: their answers need no lookup.
        people.remember(
            session, team_id=record.team_id, profiles=profiles.profiles_of(taking_part), now=now
        )
        return standups.set_roster(
            session, team_id=record.team_id, ritual_id=record.id, roster=roster, now=now
        )
