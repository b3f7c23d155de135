"""Fixtures: a started emulator with one seeded workspace, a WebClient, and a stub app."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient

from sandbox.emulator import SlackEmulator

SECRET = "test-signing-secret"
TEAM = "T1"
TOKEN = "xoxb-T1-emulator"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REFERENCE = SHARED / "slack-reference"


@dataclass
class Received:
    """One request the stub app got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        """The form fields of the body."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def payload(self) -> dict[str, Any]:
        """The JSON of an interaction's `payload` field."""
        return json.loads(self.form()["payload"])


Answer = Callable[[Received], tuple[int, dict[str, Any] | None]]


@dataclass
class AppStub:
    """A tiny app: records each request and answers with `answer` (empty 200 by default)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answer: Answer = lambda _request: (200, None)


def _serve(app: AppStub) -> ThreadingHTTPServer:
    """Start the stub app's HTTP server in a thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            app.requests.append(received)
            status, body = app.answer(received)
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if data else "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    app.url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    return server


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    """An emulator with workspace T1: users U1 and U2, and a few kinds of channels."""
    with SlackEmulator(signing_secret=SECRET) as emu:
        emu.add_workspace(team_id=TEAM, name="Lab", domain="lab")
        emu.add_user(team_id=TEAM, user_id="U1", name="ada", tz="Europe/Paris", is_admin=True)
        emu.add_user(team_id=TEAM, user_id="U2", name="alan")
        emu.add_channel(team_id=TEAM, channel_id="C1", name="general", members=["U1", "U2"])
        emu.add_channel(team_id=TEAM, channel_id="C2", name="quiet", bot_is_member=False)
        emu.add_channel(team_id=TEAM, channel_id="C3", name="old", is_archived=True)
        emu.add_channel(
            team_id=TEAM, channel_id="G1", name="secret", is_private=True, bot_is_member=False
        )
        yield emu


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    """The real slack_sdk client, pointed at the emulator with T1's bot token."""
    return WebClient(base_url=emulator.api_url, token=TOKEN)


@pytest.fixture
def app(emulator: SlackEmulator) -> Iterator[AppStub]:
    """A stub app the emulator delivers to."""
    stub = AppStub()
    server = _serve(stub)
    emulator.app_url = stub.url
    yield stub
    server.shutdown()
    server.server_close()
