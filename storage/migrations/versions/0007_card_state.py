"""problems: where each new problem's channel card is (pending, posting, posted, failed)

The card is posted after the ack; a process killed in between leaves it pending, and the
clock's sweep posts it. Cards already posted are marked so; older problems without one
stay unmarked, so the sweep never posts cards for history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_CARD = sa.text("card_state = 'pending'")


def upgrade() -> None:
    # A plain ADD COLUMN (no constraint), so SQLite keeps the table and its search triggers.
    op.add_column("problems", sa.Column("card_state", sa.String(16), nullable=True))
    op.execute("UPDATE problems SET card_state = 'posted' WHERE card_ts IS NOT NULL")
    op.create_index(
        "ix_problems_pending_cards",
        "problems",
        ["created_at"],
        sqlite_where=PENDING_CARD,
        postgresql_where=PENDING_CARD,
    )


def downgrade() -> None:
    op.drop_index("ix_problems_pending_cards", table_name="problems")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the search triggers.
    op.drop_column("problems", "card_state")
