"""Migration 0013 (metric kinds, seeds, the wider outcomes) on a database holding records:
nothing lost on the way up or down, search still in step, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import migrate, search_index
from storage.db import Database
from storage.search import hits
from storage.search_index import Kind

BEFORE = "0012"
NOW = "'2026-12-01 10:00:00+00:00'"


def _records_of_before(db: Database) -> None:
    """A problem, a measured experiment, a broken one with an analysis, as 0012 held them."""
    stamps = f"{NOW}, {NOW}"
    with db.transaction() as session:
        for statement in (
            "INSERT INTO problems (id, team_id, number, title, direction, track, status, "
            "owner_id, created_by, created_at, updated_at) VALUES (1, 'T1', 1, "
            f"'Recall on rare classes', 'higher', 'delivery', 'open', 'U1', 'U1', {stamps})",
            "INSERT INTO experiments (id, team_id, number, problem_id, approach, value, metrics, "
            "outcome, author_id, created_at, updated_at) VALUES "
            f"(1, 'T1', 1, 1, 'hard negatives mined', 0.71, '{{}}', 'improved', 'U1', {stamps}), "
            f"(2, 'T1', 2, 1, 'bigger batch', NULL, '{{}}', 'broken', 'U1', {stamps})",
            "INSERT INTO error_analyses (id, team_id, number, experiment_id, root_causes, "
            f"author_id, created_at, updated_at) VALUES (1, 'T1', 1, 2, 'out of memory', 'U1', "
            f"{stamps})",
            "INSERT INTO error_categories (team_id, analysis_id, position, name, count) "
            "VALUES ('T1', 1, 0, 'oversized images', 7)",
        ):
            session.execute(text(statement))


def _found(db: Database, words: str) -> set[tuple[Kind, int]]:
    with db.reading() as session:
        found = hits(session, team_id="T1", terms=words.split(), every=True, limit=10)
    return {(h.kind, h.id) for h in found}


def _rows(session: Session, query: str) -> list[tuple]:
    return [tuple(row) for row in session.execute(text(query))]


def test_upgrading_keeps_every_record_and_gives_each_measured_one_its_seed(unmigrated):
    db = unmigrated
    migrate.upgrade(db.engine, BEFORE)
    _records_of_before(db)

    migrate.upgrade(db.engine)

    with db.reading() as session:
        assert _rows(
            session, 'SELECT id, value, "values", eval_size FROM experiments ORDER BY id'
        ) in (
            [(1, 0.71, [0.71], None), (2, None, [], None)],
            [(1, 0.71, "[0.71]", None), (2, None, "[]", None)],  # SQLite hands back JSON text
        )
        assert _rows(session, "SELECT number, experiment_id FROM error_analyses") == [(1, 2)]
        assert _rows(session, "SELECT metric_kind, metric_low, eval_size FROM problems") == [
            (None, None, None)
        ]
    # Search still follows every table, the rebuilt one included.
    assert _found(db, "hard negatives") == {(Kind.EXPERIMENT, 1)}
    assert _found(db, "oversized") == {(Kind.ANALYSIS, 1)}
    with db.transaction() as session:
        session.execute(text("UPDATE experiments SET approach = 'focal loss' WHERE id = 1"))
    assert _found(db, "focal loss") == {(Kind.EXPERIMENT, 1)} and not _found(db, "negatives")
    if db.engine.dialect.name == "sqlite":
        with db.reading() as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            triggers = session.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
            assert set(search_index.sqlite_triggers()) <= set(triggers)


def test_the_wider_outcomes_are_stored_and_anything_else_is_still_refused(unmigrated):
    db = unmigrated
    migrate.upgrade(db.engine, BEFORE)
    _records_of_before(db)
    migrate.upgrade(db.engine)

    for outcome in ("beat_baseline", "inconclusive", "unjudged"):
        with db.transaction() as session:
            session.execute(text(f"UPDATE experiments SET outcome = '{outcome}' WHERE id = 1"))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.execute(text("UPDATE experiments SET outcome = 'splendid' WHERE id = 1"))


def test_downgrading_keeps_the_records_and_judges_new_outcomes_as_the_nearest_old_ones(
    unmigrated,
):
    db = unmigrated
    migrate.upgrade(db.engine, BEFORE)
    _records_of_before(db)
    migrate.upgrade(db.engine)
    with db.transaction() as session:
        session.execute(text("UPDATE experiments SET outcome = 'beat_baseline' WHERE id = 1"))
        session.execute(text("UPDATE experiments SET outcome = 'unjudged' WHERE id = 2"))

    migrate.downgrade(db.engine, BEFORE)

    assert migrate.current_revision(db.engine) == BEFORE
    schema = inspect(db.engine)
    assert {"values", "eval_size"}.isdisjoint(c["name"] for c in schema.get_columns("experiments"))
    assert {"metric_kind", "metric_low", "metric_high", "eval_size"}.isdisjoint(
        c["name"] for c in schema.get_columns("problems")
    )
    with db.reading() as session:
        assert _rows(session, "SELECT id, value, outcome FROM experiments ORDER BY id") == [
            (1, 0.71, "improved"),
            (2, None, "no_gain"),
        ]
        assert _rows(session, "SELECT number, experiment_id FROM error_analyses") == [(1, 2)]
    assert _found(db, "hard negatives") == {(Kind.EXPERIMENT, 1)}
    with db.transaction() as session:
        session.execute(text("UPDATE experiments SET approach = 'focal loss' WHERE id = 1"))
    assert _found(db, "focal loss") == {(Kind.EXPERIMENT, 1)}

    migrate.upgrade(db.engine)
    assert migrate.is_current(db.engine)
