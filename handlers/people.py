"""Who is asking: the acting user, with whether Slack says they administer the workspace."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.permissions import Actor

log = logging.getLogger(__name__)

# users.info is asked before the ack (edit, delete, decide), so it must leave room inside
# Slack's 3 seconds; a slower answer counts as "not an admin", like a failed one.
LOOKUP_TIMEOUT_SECONDS = 1.0


class People:
    """Looks up admins with users.info (is_admin / is_owner), remembering answers briefly.

    Admin rights change rarely; a minute of staleness saves a users.info call per click.
    """

    def __init__(self, ttl_seconds: float = 60.0):
        self.ttl_seconds = ttl_seconds
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def actor(self, client: WebClient, *, team_id: str, user_id: str) -> Actor:
        """The user as an Actor. When Slack cannot be asked, they count as no admin:
        authors and owners can still act, and nobody gains rights from an outage."""
        key, now = (team_id, user_id), time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self.ttl_seconds:
            return Actor(user_id=user_id, is_admin=cached[1])
        lookup = WebClient(
            token=client.token, base_url=client.base_url, timeout=LOOKUP_TIMEOUT_SECONDS
        )
        try:
            info = lookup.users_info(user=user_id)["user"]
        except (SlackApiError, OSError) as error:
            log.warning("users.info for %s failed: %s", user_id, type(error).__name__)
            return Actor(user_id=user_id, is_admin=False)
        is_admin = bool(
            info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner")
        )
        with self._lock:
            self._cache[key] = (now, is_admin)
        return Actor(user_id=user_id, is_admin=is_admin)
