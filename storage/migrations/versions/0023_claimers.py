"""claimers: each clock process's lease, and which one holds each claim and ritual run

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claimers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claimers")),
    )
    op.create_index(op.f("ix_claimers_seen_at"), "claimers", ["seen_at"], unique=False)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
    with op.batch_alter_table("ritual_runs") as batch:
        batch.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ritual_runs") as batch:
        batch.drop_column("claimed_by")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
    op.drop_index(op.f("ix_claimers_seen_at"), table_name="claimers")
    op.drop_table("claimers")
