"""Dialect-aware INSERT … ON CONFLICT, the one piece of SQL that differs between engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert(session: Session, table: Table) -> Any:
    """An insert for `table` that supports `on_conflict_*` on the session's engine."""
    return DIALECT_INSERT[session.get_bind().dialect.name](table)
