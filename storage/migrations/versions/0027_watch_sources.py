"""watch_plans.source_run, watch_plans.source_key, watch_checks.read_from: a watched model's
production value read from an MLflow run instead of asked

Plain ALTER TABLE ADD COLUMN (nullable): no batch copy on SQLite.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("watch_plans", sa.Column("source_run", sa.String(64), nullable=True))
    op.add_column("watch_plans", sa.Column("source_key", sa.String(250), nullable=True))
    op.add_column("watch_checks", sa.Column("read_from", sa.String(300), nullable=True))


def downgrade() -> None:
    op.drop_column("watch_checks", "read_from")
    op.drop_column("watch_plans", "source_key")
    op.drop_column("watch_plans", "source_run")
