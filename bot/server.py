"""HTTP servers: gunicorn for production, a threaded in-process server for tests and the sandbox."""

from __future__ import annotations

import gc
import os
import threading
from collections import Counter
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
        app = self.build()
        settle_heap()
        return app


def settle_heap() -> None:
    """Take what start-up left alive (modules, the app, its clients) out of the garbage
    collector's sight, once the app is built in the worker.

    Its 100,000-odd objects live as long as the worker, yet each full collection walked them
    all: 50-130 ms with every request of the process stopped, more often as a burst's
    follow-ups queued. Garbage left by start-up is collected first.
    """
    gc.collect()
    gc.freeze()


def give_a_cpu(server: Any, worker: Any) -> None:
    """gunicorn's pre_fork hook, in the master: the CPU a new worker is to run on, the one
    the fewest live workers have (workers replaced after a crash included)."""
    taken = Counter(getattr(live, "cpu", None) for live in server.WORKERS.values())
    worker.cpu = min(sorted(os.sched_getaffinity(0)), key=lambda cpu: taken[cpu])


def keep_to_its_cpu(server: Any, worker: Any) -> None:
    """gunicorn's post_fork hook, in a new worker before it starts any thread: keep the
    worker, every thread of it, on the one CPU it was given.

    A worker's threads take turns at one GIL. Left free to run on any CPU, each thread
    woken for its turn was as often woken on the other CPU, cold: on two cores, the ack
    benchmark's captures cost 0.75-0.92 ms of CPU in most runs, and 0.51-0.59 ms with each
    of the two workers kept to its own CPU (p99 12-16 ms against 22-27 ms).
    """
    cpu = getattr(worker, "cpu", None)
    if cpu is not None and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {cpu})


def gunicorn_options(*, port: int, host: str = "0.0.0.0", workers: int = 1) -> dict[str, Any]:
    """`ritualbot run`'s server; the Procfile's `web` has the same (bot.gunicorn_conf)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": WEB_THREADS,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": None,
        "errorlog": "-",
        "pre_fork": give_a_cpu,
        "post_fork": keep_to_its_cpu,
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
