"""Where a watched model's production value is read instead of asked: a run on the
workspace's connected MLflow, named at ship (`run=`, `key=`) or later (`/problem P-12
watch-source`). What the watch ritual reads is gathered here in a session; the reading
itself (HTTP) happens outside any transaction (jobs.watch)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import permissions
from bot.errors import NotFound, RitualbotError, UsageError, ValidationFailed
from bot.experiments import runlinks
from bot.ids import WatchField
from bot.problems.service import ProblemRecord
from bot.trackers import mlflow
from bot.trackers import service as trackers
from bot.trackers.mlflow import Run, TrackerError
from bot.watch.plan import WatchSource
from bot.watch.service import WatchLog
from storage import queries
from storage.problems import ProblemStatus
from storage.secrets import SecretBox
from storage.trackers import TrackerConnection, TrackerKind
from storage.watch import WatchPlan

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
KEY_MAX = 250
NOT_CONNECTED = (
    "MLflow is not connected in this workspace, so there is no run to read: a workspace admin "
    "connects it with `/ritual connect mlflow <url>`."
)


def _run_id(text: str, server: str) -> tuple[str | None, str | None]:
    """(the run's id, None) from a run id or a run's link on `server`; else (None, why)."""
    if text.lower().startswith(("http://", "https://")):
        run_id = runlinks.mlflow_run_id(text)
        if run_id is None:
            return None, (
                f"'{text[:60]}' is not a link to an MLflow run: paste the run's page, e.g. "
                f"{server}/#/experiments/1/runs/<run id>."
            )
        if not mlflow.same_server(text, server):
            return None, (
                f"That run is not on this workspace's MLflow ({server}): paste a run from it, "
                "or connect the other server with `/ritual connect mlflow <url>`."
            )
        return run_id, None
    if RUN_ID.match(text.lower()):
        return text.lower(), None
    return None, (
        f"'{text[:40]}' is not an MLflow run id (32 letters and digits, as in "
        "0123456789abcdef0123456789abcdef) or a run's link."
    )


def _connected(session: Session, *, team_id: str) -> str | None:
    """The address of the workspace's MLflow, if it is connected."""
    return session.scalar(
        select(TrackerConnection.url).where(
            TrackerConnection.team_id == team_id, TrackerConnection.kind == TrackerKind.MLFLOW
        )
    )


def checked(
    session: Session,
    *,
    team_id: str,
    run: str | None,
    key: str | None,
    default_key: str,
    fields: bool,
    example: str,
) -> WatchSource | None:
    """The source as typed (`run`, `key`), checked against the workspace's MLflow; None when
    neither was said. Every wrong part said at once: per form field when `fields`."""
    run_text = (run or "").strip().strip("<>").split("|")[0].strip()
    key_text = (key or "").strip()
    if not run_text and not key_text:
        return None
    errors: dict[str, str] = {}
    run_id = None
    server = _connected(session, team_id=team_id)
    if not run_text:
        errors[WatchField.RUN] = (
            "A metric key is read from a run: say which run too (its id or its link)."
        )
    elif server is None:
        errors[WatchField.RUN] = NOT_CONNECTED
    else:
        run_id, why = _run_id(run_text, server)
        if why:
            errors[WatchField.RUN] = why
    if len(key_text.split()) > 1 or len(key_text) > KEY_MAX:
        errors[WatchField.KEY] = (
            f"Give the metric as the run names it, one key of up to {KEY_MAX} characters "
            "without spaces, e.g. `val/recall_at_10`."
        )
    if errors:
        if fields:
            raise ValidationFailed(errors)
        raise UsageError(" ".join(errors.values()) + f" Example: `{example}`.")
    assert run_id is not None
    return WatchSource(run_id=run_id, key=key_text or default_key)


def set_source(
    session: Session,
    *,
    team_id: str,
    number: int,
    run: str | None,
    key: str | None,
    actor: permissions.Actor,
) -> ProblemRecord:
    """Read P-<number>'s production value from `run` (its `key`), or ask the owner again
    when `run` is None."""
    problem = queries.problem_by_number(session, team_id=team_id, number=number)
    if problem is None or problem.deleted_at is not None:
        raise NotFound(
            f"There is no problem P-{number} in this workspace. "
            "Type `/problem list` to see the open problems and their ids."
        )
    plan = session.scalar(
        select(WatchPlan).where(WatchPlan.team_id == team_id, WatchPlan.problem_id == problem.id)
    )
    if plan is None or problem.status != ProblemStatus.IN_PRODUCTION:
        raise UsageError(
            f"{problem.ref} is not in production; ship it first: "
            f"`/problem decide {problem.ref} ship <why> run=<run id or link>`."
        )
    permissions.check(
        actor,
        ref=problem.ref,
        author_id=problem.created_by,
        owner_id=plan.owner_id,
        verb="say where the watch reads",
    )
    source = None
    if run is not None:
        source = checked(
            session,
            team_id=team_id,
            run=run,
            key=key,
            default_key=problem.metric_key or plan.metric_name,
            fields=False,
            example=f"/problem {problem.ref} watch-source <run id or link> [metric key]",
        )
    plan.source_run = source.run_id if source else None
    plan.source_key = source.key if source else None
    session.flush()
    session.expire(problem, ["watch_plan"])
    return ProblemRecord.of(problem)


@dataclass(frozen=True)
class Pull:
    """One due check to read from MLflow: where, with the connection's token."""

    number: int
    source: WatchSource
    server: str | None  # None: MLflow is not connected any more
    token: str | None
    problem: str | None = None  # why it cannot be read, known before trying


@dataclass(frozen=True)
class Reading:
    """What a pull found: the value, or why there is none (fit to show the owner)."""

    source: WatchSource
    value: float | None = None
    why: str | None = None


def pull_of(session: Session, log: WatchLog, *, box: SecretBox | None) -> Pull | None:
    """What to read for `log`'s due check; None when its plan names no source."""
    source = log.terms.source
    if source is None:
        return None
    team_id = log.problem.team_id
    try:
        found = trackers.credentials(session, team_id=team_id, kind=TrackerKind.MLFLOW, box=box)
    except RitualbotError as error:  # a sealed token and no key to open it
        return Pull(log.problem.number, source, None, None, problem=error.message)
    if found is None:
        return Pull(log.problem.number, source, None, None, problem=NOT_CONNECTED)
    return Pull(log.problem.number, source, found.url, found.token)


def value_in(source: WatchSource, run: Run) -> Reading:
    """The source's metric (its latest value) in the run, or why it is not there."""
    if source.key in run.metrics:
        return Reading(source, value=run.metrics[source.key])
    has = ", ".join(f"`{k}`" for k in sorted(run.metrics)[:10]) or "no metrics"
    return Reading(
        source,
        why=f"MLflow run {source.run_id[:12]} has no metric `{source.key}` (it has {has}).",
    )


def failed(source: WatchSource, error: TrackerError) -> Reading:
    return Reading(source, why=error.message)
