"""experiments: where each new experiment's confirmation is (pending, posting, posted, failed)

Like a problem's card (0007): the confirmation is posted after the ack, and one a killed
process left pending is posted by the clock's sweep. Confirmations already posted are marked
so; older experiments without one stay unmarked, so the sweep never posts history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_MESSAGE = sa.text("message_state = 'pending'")


def upgrade() -> None:
    # A plain ADD COLUMN (no constraint), so SQLite keeps the table and its search triggers.
    op.add_column("experiments", sa.Column("message_state", sa.String(16), nullable=True))
    op.execute("UPDATE experiments SET message_state = 'posted' WHERE message_ts IS NOT NULL")
    op.create_index(
        "ix_experiments_pending_messages",
        "experiments",
        ["created_at"],
        sqlite_where=PENDING_MESSAGE,
        postgresql_where=PENDING_MESSAGE,
    )


def downgrade() -> None:
    op.drop_index("ix_experiments_pending_messages", table_name="experiments")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the search triggers.
    op.drop_column("experiments", "message_state")
