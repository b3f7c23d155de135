"""An experiment's value read from its run: what to read and from where, the value filled in
and judged as if typed, and a tracker that does not answer tried again with a backoff.

The first try runs right after the command's ack; the clock's sweep tries what is still
due. After a day of failures the author is told once; an answer that will not change by
itself (no such run, no such metric, a refused token) stops the tries and is told at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import permissions
from bot.errors import UsageError
from bot.experiments import outcomes, runlinks
from bot.experiments import service as experiments
from bot.experiments.changes import Changed, changed_of
from bot.problems import service as problems
from bot.trackers import mlflow, params
from bot.trackers import service as trackers
from bot.trackers.mlflow import Run, TrackerError, UnmappedMetric
from storage.experiments import Experiment
from storage.problems import Direction
from storage.secrets import SecretBox
from storage.trackers import FetchState, RunFetch, TrackerKind
from storage.types import utcnow

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
TELL_AFTER = timedelta(days=1)
# Slack's menus list at most 100 options.
KEYS_OFFERED = 100


@dataclass(frozen=True)
class Target:
    """Where to read one experiment's run, with the connection's token when it is its server."""

    fetch_id: int
    team_id: str
    number: int
    ref: str
    author_id: str
    problem_ref: str
    kind: TrackerKind
    run_id: str
    path: tuple[str, str]  # a W&B run's entity and project
    server: str | None  # None: W&B, not connected
    token: str | None
    metric_key: str | None
    metric_name: str | None
    # W&B: the entity the connected key is for, when the run is another's (not read).
    other_entity: str | None = None


def target(session: Session, *, fetch_id: int, box: SecretBox | None) -> Target | None:
    """What to read for a fetch still waiting; None once it is done or its experiment gone."""
    fetch = session.get(RunFetch, fetch_id)
    if fetch is None or fetch.state != FetchState.FETCHING:
        return None
    row = session.scalar(
        select(Experiment).where(
            Experiment.team_id == fetch.team_id, Experiment.id == fetch.experiment_id
        )
    )
    if row is None or row.deleted_at is not None or not row.run_url:
        return None
    wandb_run = runlinks.wandb_run(row.run_url)
    other_entity = None
    kind = TrackerKind.WANDB if wandb_run else TrackerKind.MLFLOW
    connected = trackers.credentials(session, team_id=row.team_id, kind=kind, box=box)
    if wandb_run is not None:
        entity, project, run_id = wandb_run
        path = (entity, project)
        server, token = (connected.url, connected.token) if connected else (None, None)
        # The key goes only to the runs of the entity it was connected for.
        if connected is not None and connected.entity not in (None, entity):
            server, token, other_entity = None, None, connected.entity
    else:
        run_id, path = runlinks.mlflow_run_id(row.run_url) or "", ("", "")
        # The workspace's token goes only to the server it was given for.
        if connected is not None and mlflow.same_server(row.run_url, connected.url):
            server, token = connected.url, connected.token
        else:
            server, token = mlflow.server_url(row.run_url), None
    return Target(
        fetch_id=fetch.id,
        team_id=row.team_id,
        number=row.number,
        ref=row.ref,
        author_id=row.author_id,
        problem_ref=row.problem.ref,
        kind=kind,
        run_id=run_id,
        path=path,
        server=server,
        token=token,
        metric_key=row.problem.metric_key,
        metric_name=row.problem.metric_name,
        other_entity=other_entity,
    )


def fetch_of(session: Session, *, team_id: str, number: int) -> int | None:
    """The fetch of E-<number>'s value, if it is read from its run."""
    return session.scalar(
        select(RunFetch.id)
        .join(Experiment, Experiment.id == RunFetch.experiment_id)
        .where(RunFetch.team_id == team_id, Experiment.number == number)
    )


def due(session: Session, *, now: datetime, limit: int = 50) -> list[int]:
    """Fetches whose next try has come, across workspaces, oldest first."""
    return list(
        session.scalars(
            select(RunFetch.id)
            .join(Experiment, Experiment.id == RunFetch.experiment_id)
            .where(
                RunFetch.state == FetchState.FETCHING,
                RunFetch.next_try_at <= now,
                # A deleted experiment's run waits for its restore.
                Experiment.deleted_at.is_(None),
            )
            .order_by(RunFetch.next_try_at)
            .limit(limit)
        )
    )


def value_of(target: Target, run: Run) -> tuple[str, float]:
    """The problem's metric in the run: by its metric key, else by the metric's name, else
    the run's only metric; or TrackerError naming the keys the run has and how to map one."""
    key, name = target.metric_key, target.metric_name
    found = key if key else name if name in run.metrics else None
    if found is None and not key and len(run.metrics) == 1:
        found = next(iter(run.metrics))
    if found in run.metrics:
        return found, run.metrics[found]
    problem_ref = target.problem_ref
    has = ", ".join(f"`{k}`" for k in sorted(run.metrics)[:10]) or "no metrics"
    wanted = f"no metric `{key}`" if key else "several metrics, and none is the problem's"
    tracker = "W&B" if target.kind == TrackerKind.WANDB else "MLflow"
    raise UnmappedMetric(
        f"{tracker} run {run.run_id[:12]} has {wanted} (it has {has}). Pick "
        f"{problem_ref}'s metric on the experiment's card, or type "
        f"`/problem {problem_ref} metric-key <key>`.",
        sorted(run.metrics)[:KEYS_OFFERED],
    )


def fill(session: Session, *, target: Target, run: Run) -> Changed:
    """The run's value as the experiment's, judged as a typed one would be."""
    key, value = value_of(target, run)
    fetch = session.get(RunFetch, target.fetch_id)
    assert fetch is not None
    row = session.get(Experiment, fetch.experiment_id)
    assert row is not None and row.team_id == target.team_id
    if row.value is not None or row.values:
        # Typed in the meantime (`/experiment edit`): the person's value stands.
        fetch.state, fetch.last_error = FetchState.FETCHED, None
        return changed_of(session, row, [])
    with outcomes.rejudged(session, team_id=row.team_id, number=row.problem.number) as changed:
        fetch.state, fetch.last_error = FetchState.FETCHED, None
        tracker = "W&B" if target.kind == TrackerKind.WANDB else "MLflow"
        fetch.source = f"{tracker} run {run.run_id[:12]} ({run.status.lower()}), `{key}`"
        fetch.params = dict(run.params)
        best = best_run(session, row)
        if best is not None:
            fetch.params_changed = params.phrase(best[0], best[1], run.params)
        row.values, row.value = [value], value
    return changed_of(session, row, changed)


def best_run(session: Session, row: Experiment) -> tuple[str, dict[str, str]] | None:
    """The problem's best experiment so far whose run was read, and that run's params."""
    read = session.execute(
        select(Experiment, RunFetch.params)
        .join(RunFetch, RunFetch.experiment_id == Experiment.id)
        .where(
            Experiment.team_id == row.team_id,
            Experiment.problem_id == row.problem_id,
            Experiment.id != row.id,
            Experiment.deleted_at.is_(None),
            Experiment.value.is_not(None),
            RunFetch.params.is_not(None),
        )
        .order_by(Experiment.number)  # of runs as good, the first
    ).all()
    if not read:
        return None
    higher = row.problem.direction == Direction.HIGHER
    best, best_params = max(read, key=lambda r: r[0].value if higher else -r[0].value)
    return best.ref, best_params


def failed(session: Session, *, fetch_id: int, error: TrackerError, now: datetime) -> str | None:
    """Record a failed try; what to tell the author, once: at once when it will not change by
    itself, after a day when the tracker keeps failing."""
    fetch = session.get(RunFetch, fetch_id)
    assert fetch is not None
    fetch.attempts += 1
    fetch.last_error = error.message
    fetch.first_failed_at = fetch.first_failed_at or now
    fetch.metric_keys = error.keys if isinstance(error, UnmappedMetric) else None
    if not isinstance(error, mlflow.TrackerDown):
        fetch.state = FetchState.FAILED
    else:
        wait = min(FIRST_RETRY * 2 ** (fetch.attempts - 1), LONGEST_WAIT)
        fetch.next_try_at = now + wait
        if now - fetch.first_failed_at < TELL_AFTER:
            return None
    if fetch.author_told:
        return None
    fetch.author_told = True
    return error.message


def pick_key(
    session: Session, *, team_id: str, number: int, index: str, actor: permissions.Actor
) -> tuple[experiments.Logged, str]:
    """The key at `index` of those E-<number>'s card offered, as its problem's metric key
    (set by who may change the problem), and the run read again: the experiment as it now
    stands (fetching), and the key."""
    logged = experiments.get(session, team_id=team_id, number=number)
    offered = logged.experiment.run_value.metric_keys if logged.experiment.run_value else ()
    if not index.isdigit() or int(index) >= len(offered):
        raise UsageError(
            f"{logged.experiment.ref}'s run was read again since this menu was drawn; "
            f"set the key with `/problem {logged.problem.ref} metric-key <key>`."
        )
    key = offered[int(index)]
    problems.set_metric_key(
        session, team_id=team_id, number=logged.problem.number, key=key, actor=actor
    )
    read_again(session, team_id=team_id, number=number)
    return experiments.get(session, team_id=team_id, number=number), key


def read_again(session: Session, *, team_id: str, number: int) -> int | None:
    """E-<number>'s run to be read again at once (its metric key was just picked): the id
    of its fetch, or None when its value is not read from a run."""
    fetch = session.scalar(
        select(RunFetch)
        .join(Experiment, Experiment.id == RunFetch.experiment_id)
        .where(RunFetch.team_id == team_id, Experiment.number == number)
    )
    if fetch is None:
        return None
    fetch.state, fetch.attempts, fetch.next_try_at = FetchState.FETCHING, 0, utcnow()
    fetch.last_error, fetch.first_failed_at, fetch.author_told = None, None, False
    fetch.metric_keys = None
    return fetch.id
