"""Query functions shared by the services; every one is scoped by `team_id`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Table, bindparam, cast, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from storage.models import Counter, Problem, RitualRun, Workspace
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


class AlreadyStored(Exception):
    """A row of a group was stored before: store the group's rows one at a time instead."""


def add_numbered_many(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, kind: str
) -> list[int | None]:
    """Insert `rows` (of any workspaces) under each workspace's next numbers of `kind`, in
    order, and return their numbers.

    A single row whose `source_key` is already stored (the same Slack request, delivered
    again) is not inserted: its number is given back and None returned for it. A group of
    rows with one already stored raises instead (AlreadyStored, or on PostgreSQL the unique
    violation itself) and writes nothing, so no number is skipped; Database.together then
    stores each row alone.

    On PostgreSQL a group is numbered and inserted by one statement, whatever its
    workspaces, so that it may run outside a transaction (Database.together). On SQLite it
    costs one counter bump and one insert per workspace, in the caller's transaction.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _add_with_arrays(session, table, rows, kind=kind)
    numbers: list[int | None] = [None] * len(rows)
    teams: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        teams.setdefault(row["team_id"], []).append(index)
    for team_id, indexes in sorted(teams.items()):
        last = session.execute(
            _counter_add(dialect), {"team_id": team_id, "kind": kind, "by": len(indexes)}
        ).scalar_one()
        first = last - len(indexes) + 1
        values = [{**rows[i], "number": n} for n, i in enumerate(indexes, start=first)]
        added = len(session.execute(_insert_new(dialect, table), values).all())
        if added < len(indexes):
            if len(rows) > 1:
                raise AlreadyStored(f"{len(indexes) - added} of {len(indexes)} rows")
            _give_back(session, team_id=team_id, kind=kind)
            return [None]
        for n, i in enumerate(indexes, start=first):
            numbers[i] = n
        if first == 1:
            ensure_workspace(session, team_id=team_id)
    return numbers


def _add_with_arrays(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, kind: str
) -> list[int | None]:
    """PostgreSQL: add_numbered_many in one statement."""
    first = rows[0]
    columns = sorted(first)
    # A value every row shares (the time, every empty field of a quick capture, usually the
    # workspace) is sent once: psycopg dumps arrays element by element, and one per column
    # was a fifth of a group's CPU.
    shared = tuple(c for c in columns if all(row[c] == first[c] for row in rows[1:]))
    varying = tuple(c for c in columns if c not in shared)
    values: dict[str, Any] = {f"one_{c}": first[c] for c in shared}
    values.update({f"each_{c}": [row[c] for row in rows] for c in varying})
    values.update(kind=kind, at=list(range(len(rows))))
    # A single row (a request stored alone) skips a duplicate and gives its number back; a
    # group fails as a whole on one (its statement inserts every row or none).
    alone = len(rows) == 1
    inserted = session.execute(_bump_and_insert_arrays(table, shared, varying, alone), values)
    firsts: dict[str, int] = {}
    for team_id, number in inserted:
        firsts[team_id] = min(number, firsts.get(team_id, number))
    if alone and not firsts:
        _give_back(session, team_id=first["team_id"], kind=kind)
        return [None]
    # Each workspace's rows are numbered from its first number, in order.
    numbers: list[int | None] = []
    for row in rows:
        numbers.append(firsts[row["team_id"]])
        firsts[row["team_id"]] += 1
    return numbers


@cache
def _bump_and_insert_arrays(
    table: Table, shared: tuple[str, ...], varying: tuple[str, ...], alone: bool
) -> Any:
    """PostgreSQL: one statement that bumps each workspace's counter by its number of rows,
    makes sure each workspace has its row, and inserts the rows (the `shared` values and one
    array per `varying` column) numbered in order up to their workspace's new count.

    Its text is the same for any number of rows, so psycopg converts it once and the server
    prepares it; a multi-row VALUES was a new statement for every group size, several
    kilobytes long, which psycopg parsed afresh for every group (under the ack benchmark, a
    third of the worker's time holding the GIL). Counters are locked in workspace order, so
    two groups bumping the same two counters never deadlock each other.
    """
    arrays = select(
        # Cast: a NULL sent alone would be taken for text.
        *(
            cast(bindparam(f"one_{c}", type_=table.c[c].type), table.c[c].type).label(c)
            for c in shared
        ),
        *(
            func.unnest(bindparam(f"each_{c}", type_=postgresql.ARRAY(table.c[c].type))).label(c)
            for c in varying
        ),
        func.unnest(bindparam("at", type_=postgresql.ARRAY(Integer()))).label("at"),
    ).cte("rows")
    teams = (
        select(arrays.c.team_id, func.count().label("n")).group_by(arrays.c.team_id).cte("teams")
    )
    counters = Counter.__table__
    bump = postgresql.insert(counters).from_select(
        ["team_id", "kind", "value"],
        select(teams.c.team_id, bindparam("kind"), teams.c.n).order_by(teams.c.team_id),
    )
    bumped = (
        bump.on_conflict_do_update(
            index_elements=["team_id", "kind"],
            set_={"value": counters.c.value + bump.excluded.value},
        )
        .returning(counters.c.team_id, counters.c.value)
        .cte("bumped")
    )
    workspaces = (
        postgresql.insert(Workspace.__table__)
        .from_select(
            ["team_id", "created_at"],
            select(teams.c.team_id, func.now()).order_by(teams.c.team_id),
            include_defaults=False,
        )
        .on_conflict_do_nothing(index_elements=["team_id"])
        .cte("workspaces")
    )
    columns = (*shared, *varying)
    position = func.row_number().over(partition_by=arrays.c.team_id, order_by=arrays.c.at)
    numbered = select(
        *(arrays.c[c] for c in columns), bumped.c.value - teams.c.n + position
    ).select_from(
        arrays.join(teams, teams.c.team_id == arrays.c.team_id).join(
            bumped, bumped.c.team_id == arrays.c.team_id
        )
    )
    statement = postgresql.insert(table).from_select([*columns, "number"], numbered)
    if alone:
        statement = statement.on_conflict_do_nothing(index_elements=["team_id", "source_key"])
    return statement.add_cte(workspaces).returning(table.c.team_id, table.c.number)


def _give_back(session: Session, *, team_id: str, kind: str) -> None:
    """Take back the number just allocated: safe until commit (the counter is ours)."""
    session.execute(
        update(Counter)
        .where(Counter.team_id == team_id, Counter.kind == kind)
        .values(value=Counter.value - 1)
    )


@cache
def _counter_add(dialect: str) -> Any:
    """Add `by` to the workspace's counter of `kind` (created at `by`); the new value."""
    table = Counter.__table__
    stmt = DIALECT_INSERT[dialect](table).values(
        team_id=bindparam("team_id"), kind=bindparam("kind"), value=bindparam("by")
    )
    return stmt.on_conflict_do_update(
        index_elements=["team_id", "kind"], set_={"value": table.c.value + stmt.excluded.value}
    ).returning(table.c.value)


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


def problem_by_number(session: Session, *, team_id: str, number: int) -> Problem | None:
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
