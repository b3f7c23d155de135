"""Records written straight through the models, as any service would write them."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.analyses import ErrorAnalysis, ErrorCategory
from storage.experiments import Experiment, Outcome
from storage.problems import Decision, DecisionKind, Problem
from storage.queries import next_number
from tests.conftest import ALICE, TEAM


class Seed:
    """Numbers records with the services' own counter; each write is its own transaction."""

    def __init__(self, bot, team: str = TEAM):
        self.db, self.team = bot.runtime.db, team

    def problem(self, title: str, **fields) -> int:
        with self.db.transaction() as session:
            row = Problem(
                team_id=self.team,
                number=next_number(session, team_id=self.team, kind="P"),
                title=title,
                owner_id=ALICE,
                created_by=ALICE,
                **fields,
            )
            session.add(row)
            session.flush()
            return row.id

    def experiment(self, problem_id: int, *, outcome=Outcome.NO_GAIN, **fields) -> int:
        with self.db.transaction() as session:
            row = Experiment(
                team_id=self.team,
                number=next_number(session, team_id=self.team, kind="E"),
                problem_id=problem_id,
                outcome=outcome,
                author_id=ALICE,
                **fields,
            )
            session.add(row)
            session.flush()
            return row.id

    def analysis(self, experiment_id: int, *, categories: dict[str, int] = {}, **fields) -> int:  # noqa: B006
        with self.db.transaction() as session:
            row = ErrorAnalysis(
                team_id=self.team,
                number=next_number(session, team_id=self.team, kind="A"),
                experiment_id=experiment_id,
                author_id=ALICE,
                categories=[
                    ErrorCategory(team_id=self.team, position=i, name=name, count=count)
                    for i, (name, count) in enumerate(categories.items())
                ],
                **fields,
            )
            session.add(row)
            session.flush()
            return row.id

    def decision(self, problem_id: int, kind: DecisionKind, rationale: str) -> None:
        with self.db.transaction() as session:
            session.add(
                Decision(
                    team_id=self.team,
                    problem_id=problem_id,
                    kind=kind,
                    rationale=rationale,
                    decided_by=ALICE,
                )
            )

    def soft_delete(self, model, row_id: int, *, deleted: bool = True) -> None:
        with self.db.transaction() as session:
            session.get(model, row_id).deleted_at = datetime.now(UTC) if deleted else None
