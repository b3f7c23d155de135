"""Query functions shared by the services; every one is scoped by `team_id`."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from storage.models import Counter, Workspace
from storage.problems import Problem
from storage.rituals import RitualRun
from storage.types import utcnow
from storage.upsert import DIALECT_INSERT, insert


def ensure_workspace(session: Session, *, team_id: str) -> None:
    stmt = insert(session, Workspace.__table__).values(team_id=team_id)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["team_id"]))


def lock(session: Session, row: object) -> None:
    """Read `row` again, locked until commit (PostgreSQL; SQLite has one writer at a time):
    of requests changing it at the same moment, each then sees what the one before did."""
    session.refresh(row, with_for_update=True)


def next_number(session: Session, *, team_id: str, kind: str) -> int:
    """Allocate the next human id of `kind` in the workspace.

    The upsert takes a row lock on PostgreSQL (and SQLite serialises writers), so
    concurrent transactions never receive the same number.
    """
    bump = _counter_bump(session.get_bind().dialect.name)
    return session.execute(bump, {"team_id": team_id, "kind": kind}).scalar_one()


def add_numbered(session: Session, table: Table, row: dict[str, Any], *, kind: str) -> int | None:
    """Insert `row` under the workspace's next number of `kind`: that number, or None when
    a row with the same `source_key` is already stored (and then the number is given back).

    No savepoint: until commit the number stays this transaction's (the counter's row lock
    on PostgreSQL, the one writer on SQLite), so giving it back is safe.
    """
    team_id = row["team_id"]
    dialect = session.get_bind().dialect.name
    number = next_number(session, team_id=team_id, kind=kind)
    if session.execute(_insert_new(dialect, table), {**row, "number": number}).first() is None:
        _give_back(session, team_id=team_id, kind=kind)
        return None
    if number == 1:
        ensure_workspace(session, team_id=team_id)
    return number


def _give_back(session: Session, *, team_id: str, kind: str) -> None:
    """Take back the number just allocated: safe until commit (the counter is ours)."""
    session.execute(
        update(Counter)
        .where(Counter.team_id == team_id, Counter.kind == kind)
        .values(value=Counter.value - 1)
    )


@cache
def _counter_bump(dialect: str) -> Any:
    table = Counter.__table__
    return (
        DIALECT_INSERT[dialect](table)
        .values(team_id=bindparam("team_id"), kind=bindparam("kind"), value=1)
        .on_conflict_do_update(
            index_elements=["team_id", "kind"], set_={"value": table.c.value + 1}
        )
        .returning(table.c.value)
    )


@cache
def _insert_new(dialect: str, table: Table) -> Any:
    return (
        DIALECT_INSERT[dialect](table)
        .on_conflict_do_nothing(index_elements=["team_id", "source_key"])
        .returning(table.c.id)
    )


NUMBER_MAX = 2**31 - 1  # what an integer column holds on every engine


def problem_by_number(session: Session, *, team_id: str, number: int) -> Problem | None:
    """P-<number>; None for a number no problem can have (a tampered form, an id too large)."""
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number <= NUMBER_MAX:
        return None
    return session.scalar(
        select(Problem).where(Problem.team_id == team_id, Problem.number == number)
    )


def problem_by_source(session: Session, *, team_id: str, source_key: str) -> Problem | None:
    return session.scalar(
        select(Problem).where(Problem.team_id == team_id, Problem.source_key == source_key)
    )


def claim_run(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    occurrence: str,
    scheduled_for: datetime,
    started_by: str | None = None,
    claimed_by: int | None = None,
) -> RitualRun | None:
    """Claim one occurrence of a ritual: the new run, or None if another process has it.

    The unique (ritual_id, occurrence) row is the lock; commit it before posting anything,
    so a retry, a restart or a second scheduler never posts the same occurrence twice.
    """
    stmt = (
        insert(session, RitualRun.__table__)
        .values(
            team_id=team_id,
            ritual_id=ritual_id,
            occurrence=occurrence,
            scheduled_for=scheduled_for,
            state="claimed",
            attempts=0,
            started_by=started_by,
            claimed_by=claimed_by,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["ritual_id", "occurrence"])
        .returning(RitualRun.__table__.c.id)
    )
    run_id = session.execute(stmt).scalar_one_or_none()
    return None if run_id is None else session.get(RitualRun, run_id)


def claim_runs(
    session: Session,
    *,
    team_id: str,
    ritual_id: int,
    occurrences: list[str],
    scheduled_for: datetime,
) -> None:
    """Claim many occurrences in one statement, as claim_run would each (a fan-out's DMs)."""
    if not occurrences:
        return
    now = utcnow()
    rows = [
        {
            "team_id": team_id,
            "ritual_id": ritual_id,
            "occurrence": occurrence,
            "scheduled_for": scheduled_for,
            "state": "claimed",
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for occurrence in occurrences
    ]
    stmt = insert(session, RitualRun.__table__).on_conflict_do_nothing(
        index_elements=["ritual_id", "occurrence"]
    )
    session.execute(stmt, rows)


def unstarted_run(session: Session, *, team_id: str, ritual_id: int, occurrence: str) -> int | None:
    """The id of the occurrence's run if it is claimed but nobody has begun to send it."""
    return session.scalar(
        select(RitualRun.id).where(
            RitualRun.team_id == team_id,
            RitualRun.ritual_id == ritual_id,
            RitualRun.occurrence == occurrence,
            RitualRun.state == "claimed",
        )
    )


def take_run(
    session: Session, *, team_id: str, run_id: int, states: tuple[str, ...] = ("claimed",)
) -> bool:
    """Move a run from one of `states` to "sending"; True for the one caller that did it.

    A compare-and-set, so of two processes holding the same claimed run only one sends it.
    """
    result = session.execute(
        update(RitualRun)
        .where(
            RitualRun.id == run_id,
            RitualRun.team_id == team_id,
            RitualRun.state.in_(states),
        )
        .values(state="sending", attempts=RitualRun.attempts + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
