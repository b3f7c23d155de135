"""The emulated Slack short of its HTTP server: its world, faults, rate limits and page."""

from __future__ import annotations

from sandbox.app_requests import AppRequests
from sandbox.delivery import deliver
from sandbox.faults import Fault, Faults
from sandbox.inspection import Inspection
from sandbox.page import Page
from sandbox.ratelimits import RateLimiter
from sandbox.records import Delivery
from sandbox.state import World
from sandbox.webapi import WebApi
from sandbox.workspaces import WorkspaceSetup


class Slack(WorkspaceSetup, Inspection, AppRequests):
    """Everything the emulator answers and delivers; SlackEmulator serves it on a port."""

    def __init__(self, *, signing_secret: str, app_url: str | None = None) -> None:
        self.signing_secret = signing_secret
        self.app_url = app_url
        self.world = World()
        self.faults = Faults()
        self.limiter = RateLimiter()
        self.webapi = WebApi(world=self.world, faults=self.faults, limiter=self.limiter)
        # The sandbox page's API; `ritualbot sandbox` gives it the app's surface and a clock.
        self.page = Page(self)

    def redeliver(
        self, delivery: Delivery, *, retry_num: int = 1, reason: str = "http_timeout"
    ) -> Delivery:
        """Send a delivered request again, freshly signed, as Slack does when it retries."""
        if delivery.request is None:
            raise ValueError("that delivery has no request to send again")
        url, body, content_type = delivery.request
        again = deliver(
            url=url,
            body=body,
            content_type=content_type,
            secret=self.signing_secret,
            headers={"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason},
        )
        again.trigger_id, again.response_url = delivery.trigger_id, delivery.response_url
        return again

    def reset(self) -> None:
        """Forget the world, calls, responses and faults; switch rate limits off."""
        self.world.clear()
        self.faults.clear()
        self.limiter.configure(enabled=False)

    def inject(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        delay: float = 0.0,
        retry_after: int | None = None,
        times: int = 1,
        lose_answer: bool = False,
    ) -> None:
        """Misbehave on the next `times` calls of a method ("*" for any)."""
        self.faults.add(
            Fault(
                method=method,
                status=status,
                error=error,
                delay=delay,
                retry_after=retry_after,
                times=times,
                lose_answer=lose_answer,
            )
        )

    def set_rate_limits(self, *, enabled: bool, scale: float = 1.0) -> None:
        """Enforce Slack's rate limits; windows last 60 s / scale, limits stay Slack's."""
        self.limiter.configure(enabled=enabled, scale=scale)
