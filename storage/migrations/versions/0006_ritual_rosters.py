"""rituals: each ritual's participant roster with their timezones

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("rituals") as batch:
        batch.add_column(sa.Column("roster", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("roster_synced_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rituals") as batch:
        batch.drop_column("roster_synced_at")
        batch.drop_column("roster")
