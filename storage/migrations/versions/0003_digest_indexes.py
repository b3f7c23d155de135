"""digest indexes: a week of a workspace's records without reading its history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_problems_team_id_status", "problems", ["team_id", "status"]),
    ("ix_problems_team_id_updated_at", "problems", ["team_id", "updated_at"]),
    ("ix_decisions_team_id_decided_at", "decisions", ["team_id", "decided_at"]),
    ("ix_experiments_team_id_created_at", "experiments", ["team_id", "created_at"]),
    ("ix_error_analyses_team_id_created_at", "error_analyses", ["team_id", "created_at"]),
    ("ix_ritual_runs_ritual_id_scheduled_for", "ritual_runs", ["ritual_id", "scheduled_for"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
