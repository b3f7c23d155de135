"""standup_conversations: a standup answered by replying in the DM, one question at a time

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standup_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("ritual_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("asking", sa.Integer(), nullable=True),
        sa.Column("prompted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ritual_id"],
            ["rituals.id"],
            name=op.f("fk_standup_conversations_ritual_id_rituals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_conversations")),
        sa.UniqueConstraint(
            "ritual_id",
            "day",
            "user_id",
            name=op.f("uq_standup_conversations_ritual_id_day_user_id"),
        ),
    )
    op.create_index(
        "ix_standup_conversations_team_id_user_id",
        "standup_conversations",
        ["team_id", "user_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("standup_conversations")
