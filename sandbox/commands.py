"""Slash commands and shortcuts a person runs, delivered to the app as Slack sends them."""

from __future__ import annotations

from sandbox import lookups, payloads
from sandbox.delivery import deliver, form_body
from sandbox.records import Delivery, ResponseTarget
from sandbox.signed_requests import FORM, SignedRequests


class Commands(SignedRequests):
    """Slash commands, message shortcuts and global shortcuts."""

    def slash_command(
        self,
        *,
        team_id: str,
        user_id: str,
        channel_id: str,
        command: str,
        text: str = "",
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        signed: bool = True,
    ) -> Delivery:
        """A user runs a slash command in a channel."""
        workspace, user = lookups.people(self.world, team_id=team_id, user_id=user_id)
        channel = lookups.channel(self.world, team_id=team_id, channel_id=channel_id)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        response_url = self._response_url(
            ResponseTarget(team_id=team_id, channel_id=channel.id, user_id=user_id)
        )
        fields = payloads.slash_command(
            workspace=workspace,
            user=user,
            channel=channel,
            command=command,
            text=text,
            response_url=response_url,
            trigger_id=trigger_id,
        )
        headers = {} if retry_num is None else {"X-Slack-Retry-Num": str(retry_num)}
        delivery = deliver(
            url=self._app_url(),
            body=form_body(fields),
            content_type=FORM,
            secret=(secret if secret is not None else self.signing_secret) if signed else None,
            timestamp=timestamp,
            headers=headers,
        )
        delivery.trigger_id, delivery.response_url = trigger_id, response_url
        return delivery

    def message_shortcut(
        self, *, team_id: str, user_id: str, channel_id: str, message_ts: str, callback_id: str
    ) -> Delivery:
        """A user runs a message shortcut on a message of a channel's history."""
        workspace, user = lookups.people(self.world, team_id=team_id, user_id=user_id)
        channel = lookups.channel(self.world, team_id=team_id, channel_id=channel_id)
        message, _ = lookups.message(self.world, channel=channel, ts=message_ts)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        response_url = self._response_url(
            ResponseTarget(team_id=team_id, channel_id=channel.id, user_id=user_id)
        )
        payload = payloads.interaction(
            kind="message_action", workspace=workspace, user=user, trigger_id=trigger_id
        )
        payload |= {
            "action_ts": payloads.action_ts(self.world.seconds()),
            "callback_id": callback_id,
            "channel": {"id": channel.id, "name": payloads.channel_name(channel)},
            "message_ts": message.ts,
            "message": message.to_api(team_id=team_id),
            "response_url": response_url,
        }
        delivery = self._post_payload(payload)
        delivery.trigger_id, delivery.response_url = trigger_id, response_url
        return delivery

    def global_shortcut(self, *, team_id: str, user_id: str, callback_id: str) -> Delivery:
        """A user runs a global shortcut."""
        workspace, user = lookups.people(self.world, team_id=team_id, user_id=user_id)
        trigger_id = self._trigger(team_id=team_id, user_id=user_id)
        payload = payloads.interaction(
            kind="shortcut", workspace=workspace, user=user, trigger_id=trigger_id
        )
        payload |= {
            "action_ts": payloads.action_ts(self.world.seconds()),
            "callback_id": callback_id,
        }
        delivery = self._post_payload(payload)
        delivery.trigger_id = trigger_id
        return delivery
