"""people: the name and avatar each person's standup answers are posted under; outbox: the
name and avatar a message is posted under, and whether it links to the message it follows

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("image_url", sa.String(500), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_people_team_id_user_id")),
    )
    # Plain ADD COLUMNs: SQLite keeps the outbox table as it is.
    op.add_column("outbox", sa.Column("username", sa.String(120), nullable=True))
    op.add_column("outbox", sa.Column("icon_url", sa.String(500), nullable=True))
    op.add_column("outbox", sa.Column("links_after", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("links_after")
        batch.drop_column("icon_url")
        batch.drop_column("username")
    op.drop_table("people")
