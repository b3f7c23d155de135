"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import migrate, outbox, search_index
from storage.models import Base


def ours(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """What the models describe: not the full-text index objects, which are engine-specific
    and owned by migration 0005, nor the tables slack_sdk's OAuth stores create at start-up."""
    if name in search_index.SEARCH_OBJECTS:
        return False
    return not (type_ == "table" and reflected and name not in Base.metadata.tables)


def test_migrated_schema_matches_the_models(db):
    assert outbox.OutboxMessage.__tablename__ in Base.metadata.tables
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _triggers(db) -> set[str]:  # type: ignore[no-untyped-def]
    query = (
        "SELECT tgname FROM pg_trigger"
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
