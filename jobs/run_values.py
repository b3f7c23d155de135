"""Experiments' values read from their runs (bot.trackers.runs), their messages redrawn
through the outbox: right after the command's ack, and from the clock's sweep."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from bot.experiments import service as experiments
from bot.text import escape
from bot.trackers import clients, mlflow
from bot.trackers import runs as run_values
from bot.trackers.mlflow import TrackerError
from jobs import messages
from storage import outbox
from storage.db import Database
from storage.outbox import Outgoing
from storage.secrets import SecretBox
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Fetched:
    """What one try did: the messages it queued, and what went wrong (None when filled)."""

    queued: list[int] = field(default_factory=list)
    problem: str | None = None
    told: bool = False  # the problem is the author's to hear now (they are told once)


def fetch(
    db: Database,
    *,
    fetch_id: int,
    box: SecretBox | None,
    notify: bool,
    now: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """Try once to read the run and fill the experiment in. With `notify`, what the author
    must hear is queued as a DM; without, the caller tells them in place."""
    with db.reading() as session:
        target = run_values.target(session, fetch_id=fetch_id, box=box)
    if target is None:
        return Fetched()
    try:
        if target.other_entity is not None:
            raise TrackerError(
                f"W&B is connected for the runs of `{target.other_entity}`, and this run is "
                f"`{target.path[0]}`'s: its key is not sent there. A workspace admin connects "
                f"W&B for it with `/ritual connect wandb <api key> {target.path[0]}`; or type "
                "the value with `/experiment edit`."
            )
        if target.server is None:
            raise TrackerError(
                "W&B is not connected in this workspace: a workspace admin connects it with "
                "`/ritual connect wandb <api key>`; then type the value with `/experiment edit`."
            )
        run = clients.get_run(
            target.kind,
            server=target.server,
            token=target.token,
            run_id=target.run_id,
            path=target.path,
            transport=transport,
        )
        with db.transaction() as session:
            changed = run_values.fill(session, target=target, run=run)
            return Fetched(queued=messages.corrections(session, changed))
    except TrackerError as error:
        log.info("reading the run of %s failed: %s", target.ref, error.message)
        with db.transaction() as session:
            tell = run_values.failed(session, fetch_id=fetch_id, error=error, now=now or utcnow())
            queued = [_notice(session, target, tell)] if tell and notify else []
            if not isinstance(error, mlflow.TrackerDown):  # the card says it will not come
                logged = experiments.get(session, team_id=target.team_id, number=target.number)
                queued += filter(None, [messages.confirmation_update(session, logged)])
        return Fetched(queued=queued, problem=error.message, told=tell is not None)


def _notice(session, target: run_values.Target, problem: str) -> int:  # type: ignore[no-untyped-def]
    return outbox.enqueue(
        session,
        Outgoing(
            team_id=target.team_id,
            what=f"a notice about {target.ref}'s run",
            channel=target.author_id,
            text=(
                f"I couldn't read the value of {target.ref} from its run: {escape(problem)} "
                f"{target.ref} stays logged without it; type it with "
                f"`/experiment edit {target.ref}` if you have it."
            ),
            key=f"run-value:{target.fetch_id}",
        ),
    )


def sweep(db: Database, *, box: SecretBox | None, now: datetime) -> list[int]:
    """Try every fetch whose time has come; the messages queued."""
    with db.reading() as session:
        due = run_values.due(session, now=now)
    queued: list[int] = []
    for fetch_id in due:
        queued += fetch(db, fetch_id=fetch_id, box=box, notify=True, now=now).queued
    return queued
