"""Changing a logged experiment: edits, deletions and restores, each kept as a version,
and its outcome and its problem's others judged again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import permissions
from bot.experiments import outcomes
from bot.experiments.drafts import ExperimentDraft, check
from bot.experiments.service import Logged, experiment_row, logged_of
from bot.history import service as history
from bot.metric import Metric
from storage.experiments import Experiment

KIND = "experiment"


def _check(actor: permissions.Actor, row: Experiment, *, verb: str) -> None:
    permissions.check(
        actor, ref=row.ref, author_id=row.author_id, owner_id=row.problem.owner_id, verb=verb
    )


def may_change(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Logged:
    """The experiment, when the actor may edit it (to open the edit form); Forbidden otherwise."""
    row = experiment_row(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    return logged_of(session, row)


def update(
    session: Session, *, team_id: str, number: int, draft: ExperimentDraft, actor: permissions.Actor
) -> Logged:
    """Replace what was typed, recompute the outcome, and keep the previous version."""
    row = experiment_row(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    values = check(draft, metric=Metric.of(row.problem))
    names = (*values, "outcome")
    before = history.snapshot(row, names)
    for name, value in values.items():
        setattr(row, name, value)
    row.outcome = outcomes.assess(
        session, problem=row.problem, value=row.value, number=row.number
    ).outcome
    history.record(
        session,
        team_id=team_id,
        kind=KIND,
        record_id=row.id,
        action=history.Action.EDIT,
        user_id=actor.user_id,
        before=before,
        after=history.snapshot(row, names),
    )
    outcomes.reassess_problem(session, row.problem)
    return logged_of(session, row)


def delete(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Logged:
    """Soft-delete: it leaves lists, the board and digests; its id is never reused."""
    row = experiment_row(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="delete")
    history.soft_delete(
        session, row, kind=KIND, user_id=actor.user_id, restore_command="/experiment restore"
    )
    outcomes.reassess_problem(session, row.problem)
    return logged_of(session, row)


def restore(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Logged:
    """Undo a deletion; restoring one that is not deleted changes nothing."""
    row = experiment_row(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="restore")
    history.restore(session, row, kind=KIND, user_id=actor.user_id)
    outcomes.reassess_problem(session, row.problem)
    return logged_of(session, row)


def versions(session: Session, *, team_id: str, number: int) -> tuple[history.Version, ...]:
    row = experiment_row(session, team_id=team_id, number=number, deleted=True)
    return history.versions(session, team_id=team_id, kind=KIND, record_id=row.id)
