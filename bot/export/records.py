"""The record kinds an export holds, and their rows as plain values, streamed.

A row carries every column of its record except the database's own ids: a record names
the one it belongs to by its human number (an experiment's `problem` is P-n's n; a watch
check's `problem` is the shipped problem its plan watches, one plan per problem), so the
rows mean the same in another database, and a restore can rebuild the links.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, Select, Table, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from storage.analyses import ErrorAnalysis, ErrorCategory, FollowUp
from storage.experiments import Experiment
from storage.problems import Decision, Problem
from storage.types import UTCDateTime
from storage.watch import Retrain, WatchCheck, WatchPlan

# Rows read from the database at a time: enough to keep round trips few, few enough that
# memory stays flat.
BATCH = 2000
# The columns a kind's records are ordered by within the record they belong to.
ORDERED_BY = ("position", "decided_at", "checked_at", "retrained_at")


@dataclass(frozen=True)
class Kind:
    """A record kind: its table, and the column naming the record it belongs to (`link`,
    in the table of `parent`), which the row carries as `parent_name`'s number.

    A record may belong to one without a number of its own (a check to its watch plan):
    `through` is that kind, one per parent, and the row carries the parent's parent's
    number. `problems` are further columns naming a problem, carried as its number."""

    name: str
    table: Table
    link: str | None = None
    parent: Table | None = None
    parent_name: str | None = None
    through: Kind | None = None
    problems: tuple[tuple[str, str], ...] = ()  # (column, field) pairs

    @property
    def columns(self) -> list[Column[Any]]:
        """The columns a row carries as they are: all but the ids and the workspace."""
        skipped = {"id", "team_id", self.link, *(column for column, _ in self.problems)}
        return [c for c in self.table.columns if c.name not in skipped]

    @property
    def fields(self) -> list[str]:
        head = [self.parent_name] if self.parent_name else []
        return head + [c.name for c in self.columns] + [field for _, field in self.problems]


PROBLEMS = Kind("problems", Problem.__table__)
EXPERIMENTS = Kind("experiments", Experiment.__table__, "problem_id", Problem.__table__, "problem")
ANALYSES = Kind(
    "analyses", ErrorAnalysis.__table__, "experiment_id", Experiment.__table__, "experiment"
)
CATEGORIES = Kind(
    "error_categories", ErrorCategory.__table__, "analysis_id", ErrorAnalysis.__table__, "analysis"
)
FOLLOW_UPS = Kind(
    "follow_ups", FollowUp.__table__, "analysis_id", ErrorAnalysis.__table__, "analysis"
)
DECISIONS = Kind("decisions", Decision.__table__, "problem_id", Problem.__table__, "problem")
WATCH_PLANS = Kind("watch_plans", WatchPlan.__table__, "problem_id", Problem.__table__, "problem")
WATCH_CHECKS = Kind(
    "watch_checks",
    WatchCheck.__table__,
    "plan_id",
    Problem.__table__,
    "problem",
    through=WATCH_PLANS,
    problems=(("opened_problem_id", "opened_problem"),),
)
RETRAINS = Kind(
    "retrains", Retrain.__table__, "plan_id", Problem.__table__, "problem", through=WATCH_PLANS
)

# In the order a restore must write them: each after the one it names.
KINDS = (
    PROBLEMS,
    EXPERIMENTS,
    ANALYSES,
    CATEGORIES,
    FOLLOW_UPS,
    DECISIONS,
    WATCH_PLANS,
    WATCH_CHECKS,
    RETRAINS,
)


def query(kind: Kind, *, team_id: str) -> Select[Any]:
    """The workspace's rows of `kind`, in a stable order (by number, or by its parent's
    number and then the order they were stored in)."""
    table = kind.table
    named = [_number_of(kind, column).label(field) for column, field in kind.problems]
    if kind.parent is None:
        return (
            select(*kind.columns, *named).where(table.c.team_id == team_id).order_by(table.c.number)
        )
    parent = kind.parent
    number = parent.c.number.label(kind.parent_name)
    order = [parent.c.number]
    order += [table.c.number] if "number" in table.c else []
    order += [table.c[c] for c in ORDERED_BY if c in table.c]
    statement = select(number, *kind.columns, *named)
    if kind.through is None:
        statement = statement.join_from(table, parent, parent.c.id == table.c[kind.link])
    else:
        owner = kind.through.table
        statement = statement.join_from(table, owner, owner.c.id == table.c[kind.link]).join(
            parent, parent.c.id == owner.c[kind.through.link]
        )
    return statement.where(table.c.team_id == team_id, parent.c.team_id == team_id).order_by(
        *order, table.c.id
    )


def _number_of(kind: Kind, column: str) -> ColumnElement[Any]:
    """The number of the problem a row's `column` names (None when it names none)."""
    named = Problem.__table__.alias(f"{column}_problem")
    return (
        select(named.c.number)
        .where(named.c.id == kind.table.c[column], named.c.team_id == kind.table.c.team_id)
        .scalar_subquery()
    )


def stream(session: Session, statement: Select[Any]) -> Iterator[Any]:
    """The statement's rows, a batch at a time (a server-side cursor on PostgreSQL)."""
    result = session.execute(statement.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        yield from batch


def rows(session: Session, kind: Kind, *, team_id: str) -> Iterator[dict[str, Any]]:
    """The workspace's rows of `kind` as plain values (see `plain`), streamed."""
    fields = kind.fields
    for values in lines(session, kind, team_id=team_id):
        yield dict(zip(fields, values, strict=True))


def lines(session: Session, kind: Kind, *, team_id: str) -> Iterator[list[Any]]:
    """The same rows as lists of values, in the order of `kind.fields`."""
    converters = [(n, plain) for n, c in enumerate(kind.columns, start=1) if _converted(c)]
    if kind.parent is None:
        converters = [(n - 1, convert) for n, convert in converters]
    for row in stream(session, query(kind, team_id=team_id)):
        values = list(row)
        for n, convert in converters:
            values[n] = convert(values[n])
        yield values


def _converted(column: Column[Any]) -> bool:
    """Whether the column's values need `plain`: times, days and enums."""
    return isinstance(column.type, UTCDateTime | Date) or hasattr(column.type, "enum_class")


def plain(value: Any) -> Any:
    """A value as JSON holds it: enums by their value, times and days in ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def stored(column: Column[Any], value: Any) -> Any:
    """What `plain` made of a value, as the column stores it again."""
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    enum_class = getattr(column.type, "enum_class", None)
    return enum_class(value) if enum_class is not None else value


def teams(session: Session) -> list[str]:
    """Every workspace with a problem."""
    return list(session.scalars(select(Problem.team_id).distinct().order_by(Problem.team_id)))
