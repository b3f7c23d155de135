"""The migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import migrate
from storage.models import Base


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrating_twice_is_harmless(db):
    migrate.upgrade(db.engine)
    assert migrate.is_current(db.engine)
