"""Changing an error analysis: edits, deletions and restores, each kept as a version."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot import permissions
from bot.analyses.drafts import TEXT_FIELDS, AnalysisDraft, check
from bot.analyses.service import AnalysisRecord, analysis_row, fill, record_of
from bot.history import service as history
from storage.analyses import ErrorAnalysis

KIND = "analysis"


def _snapshot(row: ErrorAnalysis) -> dict[str, Any]:
    out = history.snapshot(row, (*TEXT_FIELDS, "sample_size"))
    out["categories"] = "\n".join(f"{c.name}: {c.count}" for c in row.categories) or None
    out["follow_ups"] = (
        "\n".join(f"{f.text} ({f.owner_id or 'no owner'})" for f in row.follow_ups) or None
    )
    return out


def _check(actor: permissions.Actor, row: ErrorAnalysis, *, verb: str) -> None:
    permissions.check(
        actor,
        ref=row.ref,
        author_id=row.author_id,
        owner_id=row.experiment.problem.owner_id,
        verb=verb,
    )


def may_change(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> AnalysisRecord:
    row = analysis_row(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    return record_of(row)


def update(
    session: Session, *, team_id: str, number: int, draft: AnalysisDraft, actor: permissions.Actor
) -> AnalysisRecord:
    row = analysis_row(session, team_id=team_id, number=number)
    _check(actor, row, verb="edit")
    values = check(draft)
    before = _snapshot(row)
    fill(row, values)
    session.flush()
    history.record(
        session,
        team_id=team_id,
        kind=KIND,
        record_id=row.id,
        action=history.Action.EDIT,
        user_id=actor.user_id,
        before=before,
        after=_snapshot(row),
    )
    return record_of(row)


def delete(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> AnalysisRecord:
    """Soft-delete: the experiment owes an analysis again until this is restored."""
    row = analysis_row(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="delete")
    history.soft_delete(
        session, row, kind=KIND, user_id=actor.user_id, restore_command="/analysis restore"
    )
    return record_of(row)


def restore(
    session: Session, *, team_id: str, number: int, actor: permissions.Actor
) -> AnalysisRecord:
    """Undo a deletion; restoring one that is not deleted changes nothing."""
    row = analysis_row(session, team_id=team_id, number=number, deleted=True)
    _check(actor, row, verb="restore")
    history.restore(session, row, kind=KIND, user_id=actor.user_id)
    return record_of(row)


def versions(session: Session, *, team_id: str, number: int) -> tuple[history.Version, ...]:
    row = analysis_row(session, team_id=team_id, number=number, deleted=True)
    return history.versions(session, team_id=team_id, kind=KIND, record_id=row.id)
