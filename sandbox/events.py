"""Events API deliveries (Home opened, messages) and a person's messages in a channel's history."""

from __future__ import annotations

import json
from typing import Any

from sandbox import lookups, payloads
from sandbox.delivery import deliver
from sandbox.records import Delivery, Message
from sandbox.signed_requests import SignedRequests


class Events(SignedRequests):
    """event_callback deliveries, and what people post that the app may hear of."""

    def event(
        self,
        *,
        team_id: str,
        event: dict[str, Any],
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> Delivery:
        """An Events API event_callback; retry headers when retry_num is given."""
        workspace = lookups.workspace(self.world, team_id)
        envelope = payloads.event_callback(
            workspace=workspace,
            event=event,
            event_id=event_id or self.world.next_id("Ev"),
            now=self.world.seconds(),
        )
        headers = {}
        if retry_num is not None:
            headers = {
                "X-Slack-Retry-Num": str(retry_num),
                "X-Slack-Retry-Reason": retry_reason or "http_timeout",
            }
        return deliver(
            url=self._app_url(),
            body=json.dumps(envelope).encode(),
            content_type="application/json",
            secret=self.signing_secret,
            headers=headers,
        )

    def open_home(self, *, team_id: str, user_id: str) -> Delivery:
        """A user opens the app's Home tab."""
        lookups.people(self.world, team_id=team_id, user_id=user_id)
        with self.world.lock:
            dm = self.world.dm_channel(team_id=team_id, user_id=user_id)
            home = self.world.homes.get((team_id, user_id))
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": dm.id,
            "tab": "home",
        }
        if home is not None:
            event["view"] = home
        return self.event(team_id=team_id, event=event)

    def post_as_user(
        self, *, team_id: str, user_id: str, channel: str, text: str, thread_ts: str | None = None
    ) -> Message:
        """A person's message in a channel's history (nothing is delivered to the app)."""
        lookups.people(self.world, team_id=team_id, user_id=user_id)
        found = lookups.channel(self.world, team_id=team_id, channel_id=channel)
        with self.world.lock:
            message = Message(
                ts=self.world.next_ts(),
                channel=found.id,
                user=user_id,
                text=text,
                thread_ts=thread_ts,
            )
            self.world.history[found.id].append(message)
        return message

    def reply_in_dm(
        self,
        *,
        team_id: str,
        user_id: str,
        text: str,
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> tuple[Message, Delivery]:
        """A person types `text` in their DM with the bot: the message in its history, and
        the `message.im` event Slack sends the app (again, with `event_id` and `retry_num`,
        for a redelivery: see `redeliver_dm`)."""
        lookups.people(self.world, team_id=team_id, user_id=user_id)
        with self.world.lock:
            dm = self.world.dm_channel(team_id=team_id, user_id=user_id)
            message = Message(ts=self.world.next_ts(), channel=dm.id, user=user_id, text=text)
            self.world.history[dm.id].append(message)
        return message, self.redeliver_dm(
            team_id=team_id, message=message, event_id=event_id, retry_num=retry_num
        )

    def redeliver_dm(
        self,
        *,
        team_id: str,
        message: Message,
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> Delivery:
        """The `message.im` event of a message already in a DM's history."""
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": message.channel,
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "client_msg_id": f"msg-{message.ts}",
        }
        return self.event(team_id=team_id, event=event, event_id=event_id, retry_num=retry_num)
