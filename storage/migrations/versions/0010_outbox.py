"""outbox: every message the bot sends on its own, stored before it is sent

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("pending", "claimed", "sent", "failed")
RELATIONS = ("follows", "reply", "edit")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("what", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=True),
        sa.Column("file", sa.LargeBinary(), nullable=True),
        sa.Column("filename", sa.String(120), nullable=True),
        sa.Column("file_title", sa.String(200), nullable=True),
        sa.Column("after", sa.Integer(), sa.ForeignKey("outbox.id"), nullable=True),
        sa.Column(
            "relation",
            sa.Enum(
                *RELATIONS, name="relation", native_enum=False, create_constraint=True, length=16
            ),
            nullable=True,
        ),
        sa.Column("target_ts", sa.String(32), nullable=True),
        sa.Column("slot", sa.String(32), nullable=True),
        sa.Column("record_number", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(32), nullable=True),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                *STATES, name="outboxstate", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column("ts", sa.String(32), nullable=True),
        sa.Column("sent_channel", sa.String(32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("team_id", "key", name="uq_outbox_team_id_key"),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "next_try_at"])
    op.create_index("ix_outbox_after", "outbox", ["after"])


def downgrade() -> None:
    op.drop_index("ix_outbox_after", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
