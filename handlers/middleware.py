"""Bolt middleware that hands listeners what they need as keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.text import cleaned


class Provide(Middleware):
    """Put `values` in every request's context, so a listener can ask for `db` by name.

    A Middleware subclass rather than a function: Bolt calls it directly, where it would
    inspect a function's arguments again on every request.
    """

    def __init__(self, **values: Any) -> None:
        self.values = values

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context.update(self.values)
        return next()


class Clean(Middleware):
    """Clean every string in the request (`bot.text.clean`) before any listener reads it.

    Here rather than in each form's checks: text arrives in commands, forms, buttons,
    messages and shortcuts, and a listener that forgot would store a NUL that SQLite keeps
    and PostgreSQL refuses. The ids in the request are ASCII, which cleaning leaves alone.
    """

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.body = cleaned(req.body)
        return next()
