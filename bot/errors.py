"""Typed domain errors. Each carries text fit to show the person who caused it."""

from __future__ import annotations


class RitualbotError(Exception):
    """An error the global handler turns into a message for the user."""

    def __init__(self, message: str, *, shown: str | None = None):
        super().__init__(message)
        self.message = message
        # The message as mrkdwn, for where Slack renders it, when it says more there (a
        # mention of who did what); the bot escaped any user text in it.
        self.shown = shown


class UsageError(RitualbotError):
    """Malformed input: the message says what was wrong and shows what to type."""


class NotFound(RitualbotError):
    """No such record in this workspace (records of other workspaces look the same)."""


class Forbidden(RitualbotError):
    """The user may not do this to this record."""


class ValidationFailed(RitualbotError):
    """Field-by-field problems with a form; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {text}" for field, text in errors.items()))
        self.errors = errors


class AlreadyHandled(RitualbotError):
    """The same Slack request came again (a redelivery or a replay): its change was made
    once, the first time, and nothing was changed now."""
