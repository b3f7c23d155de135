"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import migrate
from storage.models import Base


def ours(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out the tables slack_sdk's OAuth stores create for themselves at start-up."""
    return not (type_ == "table" and reflected and name not in Base.metadata.tables)


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_migrating_twice_is_harmless(db):
    migrate.upgrade(db.engine)
    assert migrate.is_current(db.engine)
