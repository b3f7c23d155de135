"""POST /hooks/experiments: a training script logs an experiment as `/experiment` would.

Not Slack's: the workspace's bearer token (`/ritual connect webhook`) authenticates it, and
Bolt never sees it. The experiment is stored with its confirmation queued in one
transaction, then the confirmation is sent at once (the clock's sweep sends it if Slack is
down); the answer is JSON, with a message saying what was wrong and an example body.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.decisions.closure import ProblemClosed
from bot.errors import NotFound, UsageError, ValidationFailed
from bot.experiments import plausible
from bot.experiments import service as experiments
from bot.experiments.render import confirmation_text
from bot.hooks import body as hook_body
from bot.hooks import service as hooks
from jobs import messages
from jobs.outbox import PERSON_WAITING_PATIENCE, Sender
from storage.db import CommitUnknown, Database

log = logging.getLogger(__name__)

PATH = "/hooks/experiments"
BEARER = re.compile(r"Bearer +(\S{1,200})", re.IGNORECASE)
NO_TOKEN = (
    "Send the workspace's webhook token as `Authorization: Bearer <token>`. "
    "`/ritual connect webhook` in Slack makes one."
)
WRONG_TOKEN = (
    "This token is not a webhook token of any workspace: it was mistyped, rotated or "
    "revoked. `/ritual connect webhook` in Slack makes a new one."
)

NOT_POSTED = (
    "The experiment is saved, but Slack did not take its confirmation: it is posted when "
    "Slack does, or, if Slack refuses it, whoever connected the webhook is told by DM."
)


@dataclass(frozen=True)
class Answer:
    status: str
    payload: dict[str, Any]


# What a hook answers 503 to, so its sender tries again.
DATABASE_FAILURES = (OperationalError, InterfaceError, PoolTimeout, CommitUnknown)


def refused(status: str, error: str, message: str, **more: Any) -> Answer:
    return Answer(status, {"error": error, "message": message, **more})


def _bad(message: str, **more: Any) -> Answer:
    return refused("400 Bad Request", "bad request", message, **more, example=hook_body.EXAMPLE)


class ExperimentsHook:
    def __init__(self, *, db: Database, sender: Sender):
        self.db = db
        self.sender = sender

    def answer(self, *, method: str, environ: dict[str, Any], raw: bytes) -> Answer:
        """The answer to one request; 503 when the database could not be used, which a
        script retries safely with the same key."""
        try:
            return self._answer(method=method, environ=environ, raw=raw)
        except DATABASE_FAILURES as error:
            log.warning("webhook: the database failed (%s)", type(error).__name__)
            return refused(
                "503 Service Unavailable",
                "database unavailable",
                "The database could not be reached. Send it again in a minute with the same "
                '"key" (a key logs it once however often it is sent).',
            )

    def _answer(self, *, method: str, environ: dict[str, Any], raw: bytes) -> Answer:
        if method != "POST":
            return refused(
                "405 Method Not Allowed", "method not allowed", f"POST an experiment to {PATH}."
            )
        bearer = BEARER.fullmatch(environ.get("HTTP_AUTHORIZATION", "").strip())
        if bearer is None:
            return refused("401 Unauthorized", "unauthorized", NO_TOKEN)
        with self.db.reading() as session:
            caller = hooks.caller_of(session, token=bearer.group(1))
        if caller is None:
            log.warning("refused a webhook request with a token no workspace has")
            return refused("401 Unauthorized", "unauthorized", WRONG_TOKEN)
        media = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if media != "application/json":
            return _bad(f"Send JSON with `Content-Type: application/json`, not {media!r}.")
        try:
            submission = hook_body.read(raw)
        except hook_body.BadBody as error:
            return _bad(error.message)
        return self._log(caller, submission)

    def _log(self, caller: hooks.Caller, submission: hook_body.Submission) -> Answer:
        try:
            with self.db.transaction() as session:
                logged = experiments.create(
                    session,
                    team_id=caller.team_id,
                    user_id=caller.user_id,
                    channel_id=caller.channel_id,
                    draft=submission.draft,
                    source_key=f"webhook:{submission.key}" if submission.key else None,
                    confirmed=submission.confirmed,
                )
                queued = logged.created and messages.confirmation(
                    session, logged, channel=caller.channel_id
                )
        except NotFound as error:
            return refused("404 Not Found", "unknown problem", error.message)
        except ProblemClosed as error:
            return refused("409 Conflict", "closed problem", error.message)
        except plausible.Unusual as error:
            return refused(
                "422 Unprocessable Entity",
                "unusual value",
                f'{error.message} Send it again with "confirmed": true to log it as sent.',
            )
        except ValidationFailed as error:
            fields = {hook_body.FIELD_OF.get(k, k): v for k, v in error.errors.items()}
            message = "; ".join(f"{name}: {text}" for name, text in fields.items())
            return _bad(message, fields=fields)
        except UsageError as error:
            return _bad(error.message)
        e = logged.experiment
        shown: dict[str, Any] = {
            "id": e.ref,
            "problem": logged.problem.ref,
            "outcome": e.outcome.value,
            "verdict": confirmation_text(logged),
            "created": logged.created,
        }
        if not logged.created:
            return Answer("200 OK", shown)
        # Sent as the bot's own messages are: one Slack refuses is failed and its owner (who
        # connected the webhook) told once by DM, since no one is in Slack to be told in place.
        shown["posted"] = self.sender.send([queued], patience=PERSON_WAITING_PATIENCE) > 0
        if not shown["posted"]:
            shown["delivery"] = NOT_POSTED
        return Answer("201 Created", shown)
