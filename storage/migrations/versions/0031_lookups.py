"""lookups: a record's outbox messages, and the recent ritual runs, found by index

A capture, and every change to a problem, asks the outbox for the problem's canvas
message (`of_record`, `waiting_of_record`): without an index that read scanned the whole
outbox (a month of every workspace's messages) twice per change. A clock asks every ten
seconds whether a dead one left a recent run unfinished (`claimers.orphaned`).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_outbox_record", "outbox", ["team_id", "slot", "record_number"]),
    ("ix_ritual_runs_scheduled_for", "ritual_runs", ["scheduled_for"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
