"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import migrate, search_index
from storage.models import Base
from storage.schema import metadata


def ours(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """What the models describe: not the full-text index objects, which are engine-specific
    and owned by migration 0005, nor the tables slack_sdk's OAuth stores create at start-up."""
    if name in search_index.SEARCH_OBJECTS:
        return False
    return not (type_ == "table" and reflected and name not in metadata.tables)


def test_the_schema_holds_every_model():
    """storage.schema alone, in a fresh interpreter, holds every table mapped here (the app
    and the outbox imported): a model module it missed would escape the comparison below."""
    code = "from storage.schema import metadata; print(*sorted(metadata.tables))"
    fresh = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert fresh.stdout.split() == sorted(Base.metadata.tables)


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        diff = compare_metadata(context, metadata)
    assert diff == []


def _triggers(db) -> set[str]:  # type: ignore[no-untyped-def]
    query = (
        # Not PostgreSQL's internal foreign-key triggers: named by OID, they are made anew
        # for any table a migration drops and creates again.
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        if db.engine.dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    )
    with db.engine.connect() as connection:
        return set(connection.execute(text(query)).scalars().all())


def test_the_search_index_exists_on_this_engine(db):
    schema = inspect(db.engine)
    if db.engine.dialect.name == "postgresql":
        for table in search_index.PG_TABLES:
            assert search_index.VECTOR in {c["name"] for c in schema.get_columns(table)}
            assert search_index.pg_index_name(table) in {
                i["name"] for i in schema.get_indexes(table)
            }
        assert search_index.PG_CATEGORIES in {
            c["name"] for c in schema.get_columns("error_analyses")
        }
        assert {f"error_categories_search_{e}" for e in ("insert", "update", "delete")} <= (
            _triggers(db)
        )
        return
    assert search_index.FTS_TABLE in schema.get_table_names()
    assert set(search_index.sqlite_triggers()) <= _triggers(db)


def test_migrating_twice_is_harmless(db):
    migrate.upgrade(db.engine)
    assert migrate.is_current(db.engine)
