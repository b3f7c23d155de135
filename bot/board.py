"""The App Home board: open problems with their progress, owed analyses, recent decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot import decisions, experiments, problems
from bot.decisions import DecisionRecord
from bot.experiments import ExperimentRecord
from bot.problems import ProblemRecord
from storage.models import Track


@dataclass(frozen=True, kw_only=True)
class Board:
    """What the board shows one viewer."""

    problems: Mapping[Track, tuple[ProblemRecord, ...]]
    best: Mapping[int, float] = field(default_factory=dict)  # problem number → best value
    owed: tuple[ExperimentRecord, ...] = ()  # the viewer's failed experiments without analysis
    decisions: tuple[DecisionRecord, ...] = ()


def for_viewer(session: Session, *, team_id: str, user_id: str) -> Board:
    by_track = problems.open_by_track(session, team_id=team_id)
    shown = [p for track in by_track.values() for p in track]
    return Board(
        problems=by_track,
        best=experiments.best_results(session, team_id=team_id, problems=shown),
        owed=experiments.owed_analyses(session, team_id=team_id, user_id=user_id),
        decisions=decisions.recent(session, team_id=team_id),
    )
