"""The record kinds an export holds, and their rows as plain values, streamed.

A row carries every column of its record except the database's own ids: a record names
the one it belongs to by its human number (an experiment's `problem` is P-n's n), so the
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

from storage.analyses import ErrorAnalysis, ErrorCategory, FollowUp
from storage.experiments import Experiment
from storage.problems import Decision, Problem
from storage.types import UTCDateTime

# Rows read from the database at a time: enough to keep round trips few, few enough that
# memory stays flat.
BATCH = 2000


@dataclass(frozen=True)
class Kind:
    """A record kind: its table, and the column naming the record it belongs to (`link`,
    in the table of `parent`), which the row carries as `parent_name`'s number."""

    name: str
    table: Table
    link: str | None = None
    parent: Table | None = None
    parent_name: str | None = None

    @property
    def columns(self) -> list[Column[Any]]:
        """The columns a row carries: all but the ids and the workspace."""
        return [c for c in self.table.columns if c.name not in ("id", "team_id", self.link)]

    @property
    def fields(self) -> list[str]:
        head = [self.parent_name] if self.parent_name else []
        return head + [c.name for c in self.columns]


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

# In the order a restore must write them: each after the one it names.
KINDS = (PROBLEMS, EXPERIMENTS, ANALYSES, CATEGORIES, FOLLOW_UPS, DECISIONS)


def query(kind: Kind, *, team_id: str) -> Select[Any]:
    """The workspace's rows of `kind`, in a stable order (by number, or by its parent's
    number and then the order they were stored in)."""
    table = kind.table
    if kind.parent is None:
        return select(*kind.columns).where(table.c.team_id == team_id).order_by(table.c.number)
    parent = kind.parent
    number = parent.c.number.label(kind.parent_name)
    order = [parent.c.number]
    order += [table.c.number] if "number" in table.c else []
    order += [table.c[c] for c in ("position", "decided_at") if c in table.c]
    return (
        select(number, *kind.columns)
        .join_from(table, parent, parent.c.id == table.c[kind.link])
        .where(table.c.team_id == team_id, parent.c.team_id == team_id)
        .order_by(*order, table.c.id)
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
