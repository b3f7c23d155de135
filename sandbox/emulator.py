"""SlackEmulator: a local Slack for tests and the sandbox (Web API, deliveries, records)."""

from __future__ import annotations

import argparse
import threading
from types import TracebackType

from runtime.stopping import StopSignal
from sandbox.routes import Routes
from sandbox.server import EmulatorServer
from sandbox.slack import Slack

SHUTDOWN_POLL = 0.02


class SlackEmulator(Slack):
    """Impersonates Slack: answers the Web API and delivers signed requests to the app."""

    def __init__(
        self,
        *,
        signing_secret: str,
        app_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(signing_secret=signing_secret, app_url=app_url)
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
    stop = StopSignal()
    emulator.start()
    print(emulator.api_url, flush=True)
    try:
        stop.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
