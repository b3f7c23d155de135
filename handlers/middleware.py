"""Bolt middleware that hands listeners what they need as keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext


def provide(**values: Any) -> Callable[..., Any]:
    """Put `values` in every request's context, so a listener can ask for `db` by name."""

    def middleware(context: BoltContext, next: Callable[[], Any]) -> Any:
        context.update(values)
        return next()

    return middleware
