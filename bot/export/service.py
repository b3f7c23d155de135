"""What `/ritual export` asks for, checked before the work starts, and what it says."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import NotFound
from storage import queries
from storage.experiments import Experiment
from storage.problems import Problem

# From this many experiments on, the person hears that the export is under way before the
# file comes: it takes a while to write.
LARGE = 5000


@dataclass(frozen=True)
class Size:
    problems: int
    experiments: int

    @property
    def large(self) -> bool:
        return self.experiments >= LARGE


def size(session: Session, *, team_id: str, number: int | None) -> Size:
    """How much the export holds: the workspace's, or P-`number`'s (NotFound if it has none)."""
    problem_id = None
    if number is not None:
        problem = queries.problem_by_number(session, team_id=team_id, number=number)
        if problem is None or problem.deleted_at is not None:
            raise NotFound(
                f"There is no P-{number} in this workspace to export. `/problem list all` "
                "shows its problems; `/ritual export` exports all of them."
            )
        problem_id = problem.id
    problems = select(func.count()).where(Problem.team_id == team_id, Problem.deleted_at.is_(None))
    experiments = select(func.count()).where(
        Experiment.team_id == team_id, Experiment.deleted_at.is_(None)
    )
    if problem_id is not None:
        problems = problems.where(Problem.id == problem_id)
        experiments = experiments.where(Experiment.problem_id == problem_id)
    return Size(session.scalar(problems) or 0, session.scalar(experiments) or 0)


def what(number: int | None) -> str:
    return f"P-{number}'s notebook" if number is not None else "the team's export"


def started(number: int | None) -> str:
    return f"Exporting {what(number)}: the file comes to you in a direct message from me."


def progress(size: Size) -> str:
    return (
        f"Writing the export of {size.problems:,} problems and {size.experiments:,} "
        "experiments; it takes a minute or two, and the file follows here."
    )


def comment(number: int | None, size: Size) -> str:
    if number is not None:
        return (
            f"P-{number}'s lab notebook ({size.experiments:,} experiments), in Markdown. "
            "`ritualbot export` on the server writes every problem's."
        )
    return (
        f"The team's lab notebook: {size.problems:,} problems and {size.experiments:,} "
        "experiments. notebooks/ holds a Markdown notebook per problem, csv/ a file per "
        "record kind (pandas.read_csv), and ritualbot.json every record, which "
        "`ritualbot import` restores on another server."
    )
