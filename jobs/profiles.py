"""Each person's name and avatar as Slack gives them, kept in storage.people: read with the
roster (users.list, which has them already) and, for someone it missed, once by users.info."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage import people
from storage.db import Database
from storage.people import Profile

log = logging.getLogger(__name__)

# A person waits on this lookup: past it, their answer goes out in the bot's name.
LOOKUP_TIMEOUT_SECONDS = 2


def of_user(user: dict[str, Any]) -> Profile | None:
    """A Slack user object's name (display name, else real name) and avatar."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
    )
    if not user.get("id") or not name:
        return None
    image = profile.get("image_192") or profile.get("image_72")
    return Profile(user_id=user["id"], name=name, image_url=image)


def profiles_of(users: Iterable[dict[str, Any]]) -> list[Profile]:
    return [p for p in map(of_user, users) if p is not None]


def ensure(
    *, db: Database, client: WebClient, team_id: str, user_id: str, now: datetime
) -> Profile | None:
    """The person's stored profile; read from Slack (users.info, once, no waiting out a rate
    limit) when none is stored. None when Slack will not say: their answer is then posted
    in the bot's name, saying whose it is."""
    with db.reading() as session:
        known = people.profile_of(session, team_id=team_id, user_id=user_id)
    if known is not None:
        return known
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=LOOKUP_TIMEOUT_SECONDS)
    try:
        found = of_user(quick.users_info(user=user_id).get("user") or {})
    except (SlackApiError, OSError) as error:
        code = error.response.get("error") if isinstance(error, SlackApiError) else None
        log.warning("users.info of %s failed: %s", user_id, code or type(error).__name__)
        return None
    if found is not None:
        with db.transaction() as session:
            people.remember(session, team_id=team_id, profiles=[found], now=now)
    return found
