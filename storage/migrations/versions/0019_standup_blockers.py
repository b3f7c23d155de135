"""standup_blockers: each blocker raised in a standup, open until its person resolves it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standup_blockers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("ritual_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ritual_id"],
            ["rituals.id"],
            name=op.f("fk_standup_blockers_ritual_id_rituals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_blockers")),
    )
    op.create_index(
        op.f("ix_standup_blockers_team_id"), "standup_blockers", ["team_id"], unique=False
    )
    op.create_index(
        "ix_standup_blockers_ritual_id_user_id",
        "standup_blockers",
        ["ritual_id", "user_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("standup_blockers")
