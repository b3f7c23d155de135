"""Changing a logged experiment: edits, deletions and restores, each kept as a version,
and its verdict and its problem's others judged again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot import permissions
from bot.experiments import outcomes, plausible
from bot.experiments.drafts import ExperimentDraft, check
from bot.experiments.service import Logged, experiment_row, logged_of
from bot.history import service as history
from bot.metric import Metric
from storage.experiments import Experiment

KIND = "experiment"


@dataclass(frozen=True)
class Changed:
    """The changed experiment, and the numbers of its problem's other experiments whose
    verdict or best so far changed with it: their posted messages are out of date."""

    logged: Logged
    others: tuple[int, ...] = ()


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
    session: Session,
    *,
    team_id: str,
    number: int,
    draft: ExperimentDraft,
    actor: permissions.Actor,
    confirmed: bool = False,
) -> Changed:
    """Replace what was typed, judge it and its problem's others again, and keep the
    previous version. A new value implausibly far from the rest raises plausible.Unusual
    unless `confirmed`."""
    row = experiment_row(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    values = check(draft, metric=Metric.of(row.problem))
    stored = list(row.values or ([] if row.value is None else [row.value]))
    if not confirmed and values["values"] != stored:
        plausible.check(session, problem=row.problem, values=values["values"], excluding=row.id)
    names = (*values, "outcome")
    before = history.snapshot(row, names)
    with outcomes.rejudged(session, team_id=team_id, number=row.problem.number) as changed:
        for name, value in values.items():
            setattr(row, name, value)
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
    return changed_of(session, row, changed)


def delete(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Changed:
    """Soft-delete: it leaves lists, the board and digests; its id is never reused."""
    row = experiment_row(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="delete")
    with outcomes.rejudged(session, team_id=team_id, number=row.problem.number) as changed:
        history.soft_delete(
            session, row, kind=KIND, user_id=actor.user_id, restore_command="/experiment restore"
        )
    return changed_of(session, row, changed)


def restore(session: Session, *, team_id: str, number: int, actor: permissions.Actor) -> Changed:
    """Undo a deletion; restoring one that is not deleted changes nothing."""
    row = experiment_row(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="restore")
    with outcomes.rejudged(session, team_id=team_id, number=row.problem.number) as changed:
        history.restore(session, row, kind=KIND, user_id=actor.user_id)
    return changed_of(session, row, changed)


def changed_of(session: Session, row: Experiment, changed: list[int]) -> Changed:
    others = tuple(number for number in changed if number != row.number)
    return Changed(logged_of(session, row), others)


def versions(session: Session, *, team_id: str, number: int) -> tuple[history.Version, ...]:
    row = experiment_row(session, team_id=team_id, number=number, deleted=True)
    return history.versions(session, team_id=team_id, kind=KIND, record_id=row.id)
