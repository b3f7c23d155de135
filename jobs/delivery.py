"""Calling Slack from a job: wait out rate limits, and say whether a failure may be retried."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

log = logging.getLogger(__name__)

REVOKED = (
    "Slack no longer accepts my token (the app may have been removed from this workspace): "
    "ask a workspace admin to reinstall ritualbot"
)
# What a person can understand (and do) about each of Slack's answers: the one vocabulary
# for every message, whoever sends it.
CANNOT_POST = {
    "not_in_channel": "I'm not a member of the channel: invite me with `/invite @ritualbot`",
    "channel_not_found": "I can't see the channel (private channels need `/invite @ritualbot`)",
    "is_archived": "the channel is archived",
    "channel_is_archived": "the channel is archived",
    "invalid_auth": REVOKED,
    "token_revoked": REVOKED,
    "account_inactive": REVOKED,
    "not_authed": REVOKED,
    "ratelimited": "Slack is rate-limiting me right now",
    "http_429": "Slack is rate-limiting me right now",
    "user_not_found": "they are no longer in the workspace",
    "cannot_dm_bot": "it is a bot",
    "user_disabled": "their Slack account is deactivated",
    "msg_too_long": "the message is too long for Slack",
    "invalid_blocks": "Slack refused the message layout",
    # Not Slack's answers: what became of a call that got none.
    "timeout": "Slack did not answer in time (it may have posted it)",
    "no_answer": "Slack's answer was lost on the way back (it may have posted it)",
    "unreachable": "Slack could not be reached",
    "unconfirmed": (
        "Slack did not confirm it, and I can't read the channel to check (it may be there)"
    ),
}
RATE_LIMIT_PATIENCE = 15 * 60.0


class RateGate:
    """One pause shared by every sender of a fan-out: a 429 to one holds them all back.

    Waiting exactly Retry-After, once, instead of each call backing off on its own with
    jitter, is what keeps a large fan-out close to the rate Slack allows.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, self._clock() + seconds)

    def wait(self) -> float:
        """Sleep until the pause is over; how long that was."""
        waited = 0.0
        while True:
            with self._lock:
                left = self._until - self._clock()
            if left <= 0:
                return waited
            self._sleep(left)
            waited += left


@dataclass(frozen=True)
class Sent:
    """What became of one call: the message ts, or why not and whether to try again."""

    ts: str | None = None
    error: str | None = None
    retry: bool = False
    # True when Slack may have acted without answering (a timeout): never send it again.
    unknown: bool = False

    @property
    def why(self) -> str:
        if (self.error or "").startswith("http_5"):
            return "Slack is having trouble right now"
        return CANNOT_POST.get(self.error or "", f"Slack answered '{self.error}'")


def call(
    do: Callable[..., SlackResponse],
    *,
    gate: RateGate | None = None,
    patience: float = RATE_LIMIT_PATIENCE,
    **args: Any,
) -> Sent:
    """Make one Web API call that posts, edits or uploads a message.

    A 429 is waited out (Retry-After, shared through `gate`) for up to `patience`, because
    a rate limit always ends; 5xx are retried by the client.
    """
    gate = gate or RateGate()
    waited = 0.0
    while True:
        waited += gate.wait()
        try:
            answer = do(**args)
        except SlackApiError as error:
            status = error.response.status_code if error.response is not None else 0
            if status == 429 and waited < patience:
                gate.pause(float(error.response.headers.get("Retry-After", 1) or 1))
                continue
            code = error.response.get("error", "") if error.response is not None else ""
            if status >= 500:  # an error page, whatever the client read into it
                code = f"http_{status}"
            retry = status == 429 or status >= 500 or code in ("internal_error", "fatal_error")
            log.warning("Slack call failed: %s (HTTP %s)", code or "no error code", status)
            return Sent(error=code or f"http_{status}", retry=retry)
        except TimeoutError:
            log.warning("Slack did not answer in time; not sending again")
            return Sent(error="timeout", unknown=True)
        except URLError as error:  # never reached Slack: refused, or broken off while sending
            log.warning("Slack unreachable: %s", type(error.reason).__name__)
            return Sent(error="unreachable", retry=True)
        except OSError as error:  # reached Slack, but the answer was lost: it may have acted
            log.warning("Slack's answer was lost (%s); not sending again", type(error).__name__)
            return Sent(error="no_answer", unknown=True)
        # An upload answers with its file, a canvas with its id: each stands for the ts.
        made = (answer.get("file") or {}).get("id") or answer.get("canvas_id")
        return Sent(ts=answer.get("ts") or made)


def permalink(client: WebClient, *, channel: str, ts: str) -> str | None:
    """A link to a message, or None when Slack cannot give one (what needs it does without)."""
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except (SlackApiError, OSError) as error:
        code = error.response.get("error") if isinstance(error, SlackApiError) else None
        log.warning("chat.getPermalink of %s/%s failed: %s", channel, ts, code or error)
        return None
