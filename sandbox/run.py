"""`ritualbot sandbox`: the emulator, the real bot over HTTP, and the page, in one process."""

from __future__ import annotations

import logging
import secrets
import tempfile
import webbrowser
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from runtime.config import load
from runtime.server import InProcessServer
from runtime.stopping import StopSignal
from sandbox import demo, demo_team, fonts, surface
from sandbox.clock import Clock
from sandbox.emulator import SlackEmulator
from sandbox.page import Page
from storage.types import run_on

if TYPE_CHECKING:
    from datetime import datetime

    from runtime.clock import RitualScheduler
    from runtime.process import Runtime

PORTS_TO_TRY = 50
STARTER_TEAM = "T0SANDBOX"


class Sandbox:
    """Everything `ritualbot sandbox` runs; a context manager, so tests run exactly this."""

    def __init__(
        self,
        *,
        port: int = 3000,
        demo_data: bool = False,
        database_url: str | None = None,
        clock_start: datetime | None = None,
    ) -> None:
        """`clock_start`: the sandbox time to begin at, for tests that must not depend on
        the hour they run at; real time by default."""
        self._tmp = tempfile.TemporaryDirectory(prefix="ritualbot-sandbox-")
        self.database_url = database_url or f"sqlite:///{Path(self._tmp.name) / 'sandbox.db'}"
        self.demo_data = demo_data
        self.clock_start = clock_start
        self.emulator = _emulator_on_free_port(port, signing_secret=secrets.token_hex(16))
        self.url = self.emulator.base_url
        self.team_id = demo_team.TEAM if demo_data else STARTER_TEAM
        if demo_data:
            demo_team.add_people(self.emulator)
        else:
            _starter_workspace(self.emulator)
        self.runtime: Runtime | None = None
        self.scheduler: RitualScheduler | None = None
        self._bot: InProcessServer | None = None

    def start(self) -> Sandbox:
        """Serve the emulator, build the bot against it (Bolt checks its token), seed, serve."""
        from runtime.process import build  # after run_sandbox has quietened the migrations' logging

        self.emulator.start()
        runtime = build(
            load(
                {
                    "SLACK_BOT_TOKEN": self.emulator.workspace(self.team_id).bot_token,
                    "SLACK_SIGNING_SECRET": self.emulator.signing_secret,
                    "SLACK_API_URL": self.emulator.api_url,
                    "DATABASE_URL": self.database_url,
                }
            )
        )
        self.runtime = runtime
        clock = Clock(start=self.clock_start)
        # One clock for everything the page and the bot show: message stamps, records, boards.
        self.emulator.world.now = clock.now
        run_on(clock.now)
        if self.demo_data:
            # Dated from sandbox time, so a clock started elsewhere still sees weeks of history.
            demo.seed(self.emulator, runtime.db, now=clock.now())
        self.scheduler = clock.scheduler = ritual_scheduler(runtime, clock)
        self.scheduler.start()
        self.emulator.page = Page(
            self.emulator, surface=surface.load(), clock=clock, emoji_font=fonts.emoji_font()
        )
        self._bot = InProcessServer(runtime.web).start()
        self.emulator.app_url = f"{self._bot.url}/slack/events"
        return self

    @property
    def bot_url(self) -> str:
        """Where the bot listens: Slack's requests, and training scripts' (`ritualbot log`)."""
        assert self._bot is not None, "the sandbox is not started"
        return self._bot.url

    def stop(self) -> None:
        """Stop both servers, give the app back real time, throw the sandbox database away."""
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self._bot is not None:
            self._bot.stop()
        self.emulator.stop()
        if self.runtime is not None:
            self.runtime.db.dispose()
        run_on(None)
        self._tmp.cleanup()

    def __enter__(self) -> Sandbox:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def ritual_scheduler(runtime: Runtime, clock: Clock) -> RitualScheduler:
    """The bot's ritual scheduler, running on sandbox time so the page can fast-forward it."""
    from runtime.clock import RitualScheduler
    from runtime.clock_process import client_factory

    return RitualScheduler(
        db=runtime.db,
        client_factory=client_factory(runtime.settings, runtime.db),
        now=clock.now,
    )


def run_sandbox(
    *, port: int, demo: bool, open_browser: bool, clock_start: datetime | None = None
) -> int:
    """Serve the sandbox until Ctrl-C (or SIGTERM); its clock from `clock_start` if given."""
    # Migration chatter, and a line per click for each request the emulator sends the bot,
    # would bury the one line that matters: the page's address.
    for chatty in ("alembic", "httpx", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # Each fast-forward moves sandbox time past the clock's lease, which then reads as run
    # out: with one clock nothing was taken over, so the warning would only alarm.
    logging.getLogger("jobs.lease").setLevel(logging.ERROR)
    stop = StopSignal()
    with Sandbox(port=port, demo_data=demo, clock_start=clock_start) as sandbox:
        moved = "" if port == 0 or sandbox.url.endswith(f":{port}") else f" (port {port} was taken)"
        print(f"ritualbot sandbox: open {sandbox.url}{moved}", flush=True)
        print("Pick who you are at the top, type /problem in #ml-team, or open ritualbot's Home.")
        print(
            "Training scripts: `/ritual connect webhook` on the page, then "
            f"RITUALBOT_URL={sandbox.bot_url} RITUALBOT_TOKEN=<token> ritualbot log P-1 0.83"
        )
        print("Ctrl-C stops it; the sandbox database is thrown away.", flush=True)
        if open_browser:
            webbrowser.open(sandbox.url)
        stop.wait()
        print("\nritualbot sandbox: stopped", flush=True)
    return 0


def _starter_workspace(emulator: SlackEmulator) -> None:
    """Without --demo: two people and an empty #ml-team."""
    emulator.add_workspace(team_id=STARTER_TEAM, name="Ritual Lab")
    for user_id, name, real_name, tz in (
        ("U0ADA", "ada", "Ada Lovelace", "America/Toronto"),
        ("U0ALAN", "alan", "Alan Turing", "Europe/London"),
    ):
        emulator.add_user(
            team_id=STARTER_TEAM, user_id=user_id, name=name, real_name=real_name, tz=tz
        )
    emulator.add_channel(
        team_id=STARTER_TEAM, channel_id="C0MLTEAM", name="ml-team", members=["U0ADA", "U0ALAN"]
    )


def _emulator_on_free_port(port: int, *, signing_secret: str) -> SlackEmulator:
    """An emulator on `port`, or on the next free port after it."""
    for candidate in range(port, port + PORTS_TO_TRY):
        try:
            return SlackEmulator(signing_secret=signing_secret, port=candidate)
        except OSError:
            continue
    raise OSError(f"ports {port} to {port + PORTS_TO_TRY - 1} are all taken; pass --port")
