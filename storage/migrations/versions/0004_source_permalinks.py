"""delivery: the Slack message a problem or an experiment was captured from

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_permalink", sa.Text(), nullable=True))
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_permalink", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_column("source_permalink")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_column("source_permalink")
