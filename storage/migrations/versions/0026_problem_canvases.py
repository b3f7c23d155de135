"""problems.canvas_id, problems.canvas_error: a problem's lab notebook as a Slack canvas

Plain ALTER TABLE ADD COLUMN (no batch copy): SQLite adds a nullable column in place, so the
search index's triggers on problems are left as they are.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("problems", sa.Column("canvas_id", sa.String(32), nullable=True))
    op.add_column("problems", sa.Column("canvas_error", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("problems", "canvas_error")
    op.drop_column("problems", "canvas_id")
