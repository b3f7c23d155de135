"""Test databases: a fresh SQLite file per test, or a PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from runtime.config import load


def postgres_url() -> str | None:
    """The PostgreSQL server under test, when DATABASE_URL points at one."""
    url = os.environ.get("DATABASE_URL", "")
    return load({"DATABASE_URL": url}).database_url if url.startswith("postgres") else None


def create_postgres_database(server_url: str) -> str:
    """A new, empty database on the server; its URL."""
    name = f"ritualbot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(engine) -> None:  # type: ignore[no-untyped-def]
    """Empty every table but Alembic's, including those slack_sdk's OAuth stores create."""
    with engine.begin() as connection:
        names = connection.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).all()
        if names:
            tables = ", ".join(f'"{name}"' for name in names)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
