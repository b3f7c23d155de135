"""HTTP servers: gunicorn for production, a threaded in-process server for tests and the sandbox."""

from __future__ import annotations

import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from gunicorn.app.base import BaseApplication

WEB_THREADS = 16


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from code; `build` is called in the worker, after the fork."""

    def __init__(self, build: Callable[[], Any], options: dict[str, Any]):
        self.build = build
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.build()


def gunicorn_options(*, port: int, host: str = "0.0.0.0", workers: int = 1) -> dict[str, Any]:
    """`ritualbot run`'s server: the Procfile's `web` settings."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": WEB_THREADS,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": None,
        "errorlog": "-",
    }


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when Slack (or a test) sends
    # a burst of requests at once.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class InProcessServer:
    """A WSGI app served over real HTTP from a background thread (port 0 picks a free port)."""

    def __init__(self, app: Callable[..., Any], *, host: str = "127.0.0.1", port: int = 0):
        self._server = make_server(
            host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> InProcessServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
