"""Alembic environment: the engine comes from storage.migrate, never from an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from storage.schema import metadata

engine = context.config.attributes["engine"]


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    """SQLite's foreign key enforcement, switched where SQLite obeys: outside a transaction.

    A migration that rebuilds a SQLite table (a batch copy) drops the old table, and with
    enforcement on that drop deletes the rows referencing it (ON DELETE CASCADE)."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=sqlite,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.execute(text("PRAGMA foreign_key_check")).all()):
                raise RuntimeError(f"the migration left rows with no parent: {broken[:5]}")
        connection.commit()
    finally:
        connection.rollback()
        if sqlite:
            _foreign_keys(connection, on=True)
