"""Fixtures for the migration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.db import Database
from tests.support import database as testdb


@pytest.fixture
def unmigrated(tmp_path) -> Iterator[Database]:
    """An empty database of its own (the shared one is already at the newest schema)."""
    server = testdb.postgres_url()
    url = testdb.create_postgres_database(server) if server else f"sqlite:///{tmp_path}/old.db"
    db = Database.from_url(url)
    yield db
    db.dispose()
    if server:
        testdb.drop_postgres_database(server, url)
