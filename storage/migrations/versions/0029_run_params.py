"""run_fetches.params, run_fetches.params_changed: a run's params, and what it changed from
the problem's best run so far; tracker_connections.entity: the W&B entity a key is for

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("run_fetches", sa.Column("params", sa.JSON(), nullable=True))
    op.add_column("run_fetches", sa.Column("params_changed", sa.Text(), nullable=True))
    op.add_column("tracker_connections", sa.Column("entity", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("tracker_connections", "entity")
    op.drop_column("run_fetches", "params_changed")
    op.drop_column("run_fetches", "params")
