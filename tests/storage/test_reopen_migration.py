"""Migration 0012 widens the decision kinds for 'reopen', up and down, on both engines,
keeping every decision and (on SQLite) the search triggers its table copy would lose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, inspect, select, text
from sqlalchemy.exc import IntegrityError

from bot.search import service as search
from storage import migrate, search_index
from storage.problems import Decision, DecisionKind, Problem
from tests.conftest import ALICE, TEAM
from tests.storage.test_migrations import _triggers

DECIDED_AT = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)


def _decisions(db) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, kind, rationale FROM decisions ORDER BY id"))
        return [tuple(r) for r in rows]


def _decide(db, kind: DecisionKind, rationale: str) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        problem = session.scalar(select(Problem).where(Problem.team_id == TEAM))
        session.add(
            Decision(
                team_id=TEAM,
                problem=problem,
                kind=kind,
                rationale=rationale,
                decided_by=ALICE,
                decided_at=DECIDED_AT,
            )
        )


def _found(db, words: str) -> list[str | None]:  # type: ignore[no-untyped-def]
    with db.reading() as session:
        return [f.detail for f in search.search(session, team_id=TEAM, text=words).found]


def _indexes(db) -> set[str]:  # type: ignore[no-untyped-def]
    return {i["name"] for i in inspect(db.engine).get_indexes("decisions")}


def test_reopen_decisions_migrate_up_and_down_keeping_every_decision(db):
    with db.transaction() as session:
        session.add(
            Problem(team_id=TEAM, number=1, title="Churn", owner_id=ALICE, created_by=ALICE)
        )
    _decide(db, DecisionKind.PIVOT, "try a retrieval model")
    _decide(db, DecisionKind.CUT, "no gain after four tries")
    indexes, triggers = _indexes(db), _triggers(db)
    migrate.downgrade(db.engine, "0011")
    try:
        before = _decisions(db)
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO decisions (team_id, problem_id, kind, rationale, decided_by, "
                    "decided_at) SELECT team_id, id, 'reopen', 'x', 'U1', created_at FROM problems"
                )
            )

        migrate.upgrade(db.engine)

        assert _decisions(db) == before
        assert _indexes(db) == indexes and _triggers(db) == triggers
        _decide(db, DecisionKind.REOPEN, "the vendor relabelled everything")
        assert _found(db, "relabelled") == ["reopen"] and _found(db, "retrieval") == ["pivot"]

        migrate.downgrade(db.engine, "0012")  # the later migrations first
        with pytest.raises(RuntimeError, match="1 decision"):
            migrate.downgrade(db.engine, "0011")
        assert migrate.current_revision(db.engine) == "0012" and len(_decisions(db)) == 3

        with db.transaction() as session:
            session.execute(delete(Decision).where(Decision.kind == DecisionKind.REOPEN))
        migrate.downgrade(db.engine, "0011")
        assert _decisions(db) == before
        assert _indexes(db) == indexes and _triggers(db) == triggers
    finally:
        migrate.upgrade(db.engine)
    if db.engine.dialect.name == "sqlite":
        assert set(search_index.sqlite_triggers()) <= _triggers(db)
