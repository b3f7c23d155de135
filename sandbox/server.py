"""The emulator's HTTP plumbing: a threaded stdlib server handing requests to a router."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class HttpRequest:
    """One request as the router sees it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpAnswer:
    """One answer as the router gives it."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, data: Any, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> HttpAnswer:
        """A JSON answer."""
        return cls(
            status, json.dumps(data).encode(), "application/json; charset=utf-8", headers or {}
        )


Router = Callable[[HttpRequest], HttpAnswer]


class EmulatorServer(ThreadingHTTPServer):
    """A threaded HTTP server whose every request goes to `router`."""

    daemon_threads = True
    # Not socketserver's default backlog of 5: an app posting a burst of cards opens many
    # connections at once (slack_sdk opens one per call). 60 callers at once, five times:
    # with 5, 73 of 300 calls took over a second and 16 failed to connect at all; with 128,
    # none took over 16 ms. Slack's servers take them all.
    request_queue_size = 128

    def __init__(self, *, host: str, port: int, router: Router) -> None:
        super().__init__((host, port), _Handler)
        self.router = router

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A caller gone before its answer was written (a process killed mid-call) is not
        the emulator's error: say nothing. Anything else is printed, as socketserver does."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


# An answer with this status is not sent: the connection is closed instead, as when a
# response is lost on its way back (sandbox.faults, lose_answer).
LOST = 0


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, asks the router, writes the answer."""

    server: EmulatorServer

    def do_GET(self) -> None:
        """Serve a GET."""
        self._serve()

    def do_POST(self) -> None:
        """Serve a POST."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read the recorded calls instead of a log."""

    def _serve(self) -> None:
        """Route the request and write the answer."""
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = HttpRequest(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={key.title(): value for key, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        answer = self.server.router(request)
        if answer.status == LOST:
            self.close_connection = True
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(answer.body)
