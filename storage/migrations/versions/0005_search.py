"""full-text search: FTS5 on SQLite, weighted tsvector columns with GIN indexes on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from storage import search_index

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column(
            "error_analyses", sa.Column(search_index.PG_CATEGORIES, postgresql.TSVECTOR())
        )
        for statement in search_index.pg_categories_ddl():
            op.execute(statement)
        op.execute("UPDATE error_categories SET name = name")
        for table in search_index.PG_TABLES:
            # Generated and stored: PostgreSQL keeps the vector right on every write.
            op.add_column(
                table,
                sa.Column(
                    search_index.VECTOR,
                    postgresql.TSVECTOR(),
                    sa.Computed(search_index.pg_vector_expression(table), persisted=True),
                ),
            )
            op.create_index(
                search_index.pg_index_name(table),
                table,
                [search_index.VECTOR],
                postgresql_using="gin",
            )
        return
    for statement in search_index.sqlite_ddl() + search_index.sqlite_backfill():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in search_index.PG_TABLES:
            op.drop_index(search_index.pg_index_name(table), table_name=table)
            op.drop_column(table, search_index.VECTOR)
        for statement in search_index.pg_categories_drop():
            op.execute(statement)
        op.drop_column("error_analyses", search_index.PG_CATEGORIES)
        return
    for trigger in search_index.sqlite_triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute(f"DROP TABLE IF EXISTS {search_index.FTS_TABLE}")
