"""handled_requests: the Slack requests that changed something; ritual_runs.started_by

A replayed or redelivered request (same trigger) finds its key here and changes nothing a
second time. `started_by` says who started a standup round by hand (`/standup now`), so the
people who asked at the same moment are told who did.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_requests",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("handled_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "key", name=op.f("pk_handled_requests")),
    )
    # A plain ADD COLUMN, so SQLite keeps the table as it is.
    op.add_column("ritual_runs", sa.Column("started_by", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("ritual_runs", "started_by")
    op.drop_table("handled_requests")
