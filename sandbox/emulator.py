"""SlackEmulator: a local Slack for tests and the sandbox (Web API, deliveries, records)."""

from __future__ import annotations

import argparse
import threading
from types import TracebackType

from sandbox.app_requests import AppRequests
from sandbox.delivery import deliver
from sandbox.faults import Fault, Faults
from sandbox.inspection import Inspection
from sandbox.page import Page
from sandbox.ratelimits import RateLimiter
from sandbox.records import Delivery
from sandbox.routes import Routes
from sandbox.server import EmulatorServer
from sandbox.state import World
from sandbox.webapi import WebApi
from sandbox.workspaces import WorkspaceSetup

SHUTDOWN_POLL = 0.02


class SlackEmulator(WorkspaceSetup, Inspection, AppRequests):
    """Impersonates Slack: answers the Web API and delivers signed requests to the app."""

    def __init__(
        self,
        *,
        signing_secret: str,
        app_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.signing_secret = signing_secret
        self.app_url = app_url
        self.world = World()
        self.faults = Faults()
        self.limiter = RateLimiter()
        self.webapi = WebApi(world=self.world, faults=self.faults, limiter=self.limiter)
        # The sandbox page's API; `ritualbot sandbox` gives it the app's surface and a clock.
        self.page = Page(self)
        self._server = EmulatorServer(host=host, port=port, router=Routes(self))
        self.base_url = f"http://{host}:{self._server.server_address[1]}"
        self.api_url = f"{self.base_url}/api/"
        self._thread: threading.Thread | None = None

    def start(self) -> SlackEmulator:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL},
            name="slack-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

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


def seed(emulator: SlackEmulator) -> None:
    """A small workspace to try the app in: T0001, two people, #general."""
    emulator.add_workspace(team_id="T0001", name="Ritual Lab", domain="ritual-lab")
    emulator.add_user(team_id="T0001", user_id="U0001", name="ada", real_name="Ada Lovelace")
    emulator.add_user(
        team_id="T0001", user_id="U0002", name="alan", real_name="Alan Turing", tz="Europe/London"
    )
    emulator.add_channel(
        team_id="T0001", channel_id="C0001", name="general", members=["U0001", "U0002"]
    )


def main(argv: list[str] | None = None) -> int:
    """Run a seeded emulator until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--app-url", default=None)
    args = parser.parse_args(argv)
    emulator = SlackEmulator(
        signing_secret=args.signing_secret, app_url=args.app_url, host=args.host, port=args.port
    )
    seed(emulator)
    emulator.start()
    print(emulator.api_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
