"""SlackEmulator: a local Slack for tests and the sandbox (Web API, deliveries, records)."""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import lookups
from sandbox.app_requests import AppRequests
from sandbox.delivery import deliver
from sandbox.faults import Fault, Faults
from sandbox.page import Page
from sandbox.ratelimits import RateLimiter
from sandbox.records import Call, Channel, Delivery, Message, Response, User, View, Workspace
from sandbox.routes import Routes
from sandbox.server import EmulatorServer
from sandbox.state import World
from sandbox.webapi import WebApi

APP_ID = "A0EMULATOR"
BOT_NAME = "ritualbot"
# What a typical install grants; tests can install with fewer to see `ritualbot doctor` object.
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
    "channels:history",
    "groups:history",
    "im:history",
)
SHUTDOWN_POLL = 0.02


class SlackEmulator(AppRequests):
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

    def add_workspace(
        self,
        *,
        team_id: str,
        name: str = "Ritual Lab",
        domain: str | None = None,
        bot_token: str | None = None,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
    ) -> Workspace:
        """Install the app in a workspace, with its bot user and token."""
        suffix = team_id[1:]
        workspace = Workspace(
            team_id=team_id,
            name=name,
            domain=domain or team_id.lower(),
            bot_token=bot_token or f"xoxb-{team_id}-emulator",
            bot_user_id=f"U{suffix}BOT",
            bot_id=f"B{suffix}BOT",
            app_id=APP_ID,
            scopes=tuple(scopes),
        )
        with self.world.lock:
            self.world.workspaces[team_id] = workspace
            self.world.tokens[workspace.bot_token] = team_id
        self.add_user(team_id=team_id, user_id=workspace.bot_user_id, name=BOT_NAME, is_bot=True)
        return workspace

    def add_user(
        self,
        *,
        team_id: str,
        user_id: str,
        name: str,
        real_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> User:
        """Add a member to a workspace; tz_offset and tz_label are those of now."""
        lookups.workspace(self.world, team_id)
        local = datetime.now(ZoneInfo(tz))
        offset = local.utcoffset()
        user = User(
            team_id=team_id,
            id=user_id,
            name=name,
            real_name=real_name or name,
            tz=tz,
            tz_offset=int(offset.total_seconds()) if offset else 0,
            tz_label=local.tzname() or tz,
            is_admin=is_admin,
            is_bot=is_bot,
            deleted=deleted,
        )
        with self.world.lock:
            self.world.users[user_id] = user
        return user

    def add_channel(
        self,
        *,
        team_id: str,
        channel_id: str,
        name: str,
        members: list[str] | tuple[str, ...] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> Channel:
        """Add a channel; the bot is a member unless told otherwise."""
        workspace = lookups.workspace(self.world, team_id)
        bot = [workspace.bot_user_id] if bot_is_member else []
        channel = Channel(
            team_id=team_id,
            id=channel_id,
            name=name,
            members=[*members, *bot],
            is_private=is_private,
            is_archived=is_archived,
            created=int(time.time()),
        )
        with self.world.lock:
            self.world.channels[channel_id] = channel
            self.world.history[channel_id] = []
        return channel

    def workspace(self, team_id: str) -> Workspace:
        """A workspace added with add_workspace."""
        return self.world.workspaces[team_id]

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

    def register_oauth_client(self, *, client_id: str, client_secret: str) -> None:
        """Let an app with these credentials exchange codes at oauth.v2.access."""
        with self.world.lock:
            self.world.oauth_clients[client_id] = client_secret

    def approve_install(self, *, team_id: str, user_id: str) -> str:
        """A user approves the app on Slack's consent page: the code Slack redirects with."""
        code = f"code-{team_id}-{len(self.world.oauth_codes)}-{int(time.time() * 1000)}"
        with self.world.lock:
            self.world.oauth_codes[code] = (team_id, user_id)
        return code

    def revoke_token(self, token: str) -> None:
        """Make later calls with the token fail with invalid_auth."""
        with self.world.lock:
            self.world.tokens.pop(token, None)

    def reset(self) -> None:
        """Forget the world, calls, responses and faults; switch rate limits off."""
        self.world.clear()
        self.faults.clear()
        self.limiter.configure(enabled=False)

    def calls(self, method: str | None = None, *, team_id: str | None = None) -> list[Call]:
        """Recorded Web API calls, oldest first, optionally of one method or workspace."""
        with self.world.lock:
            return [
                call
                for call in self.world.calls
                if method in (None, call.method) and team_id in (None, call.team_id)
            ]

    def clear_calls(self) -> None:
        """Forget the recorded calls."""
        with self.world.lock:
            self.world.calls.clear()

    @property
    def responses(self) -> list[Response]:
        """What the app POSTed to response_urls, oldest first."""
        with self.world.lock:
            return list(self.world.responses)

    def messages(self, channel: str) -> list[Message]:
        """A channel's history, oldest first (a user id means the bot's DM with that user)."""
        with self.world.lock:
            return list(self.world.history.get(self.world.channel_id_of(channel), []))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """A thread's parent and replies, oldest first."""
        return [m for m in self.messages(channel) if thread_ts in (m.ts, m.thread_ts)]

    def ephemerals(self, channel: str, user: str) -> list[Message]:
        """Ephemeral messages one user saw in a channel, oldest first."""
        with self.world.lock:
            return list(self.world.ephemerals.get((self.world.channel_id_of(channel), user), []))

    def views(self, *, team_id: str | None = None, user_id: str | None = None) -> list[View]:
        """Every modal opened so far, open or closed, oldest first."""
        with self.world.lock:
            return [
                view
                for view in self.world.views.values()
                if team_id in (None, view.team_id) and user_id in (None, view.user_id)
            ]

    def open_view(self, user_id: str) -> View | None:
        """The modal on top of the user's stack, if any is open."""
        with self.world.lock:
            return self.world.top_view(user_id)

    def home(self, *, team_id: str, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for the user."""
        with self.world.lock:
            return self.world.homes.get((team_id, user_id))

    def file_bytes(self, file_id: str) -> bytes | None:
        """The bytes uploaded for a file."""
        with self.world.lock:
            stored = self.world.files.get(file_id)
        return stored.data if stored else None

    def wait_for(self, predicate: Callable[[], Any], *, timeout: float = 5.0) -> None:
        """Poll until predicate() is truthy; AssertionError after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            time.sleep(0.01)

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
