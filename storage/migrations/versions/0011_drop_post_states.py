"""problems, experiments: drop the per-record post states, now the outbox's (0010)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_problems_pending_cards", table_name="problems")
    op.drop_index("ix_experiments_pending_messages", table_name="experiments")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the search triggers.
    op.drop_column("problems", "card_state")
    op.drop_column("experiments", "message_state")


def downgrade() -> None:
    op.add_column("experiments", sa.Column("message_state", sa.String(16), nullable=True))
    op.add_column("problems", sa.Column("card_state", sa.String(16), nullable=True))
    op.create_index(
        "ix_experiments_pending_messages",
        "experiments",
        ["created_at"],
        sqlite_where=sa.text("message_state = 'pending'"),
        postgresql_where=sa.text("message_state = 'pending'"),
    )
    op.create_index(
        "ix_problems_pending_cards",
        "problems",
        ["created_at"],
        sqlite_where=sa.text("card_state = 'pending'"),
        postgresql_where=sa.text("card_state = 'pending'"),
    )
