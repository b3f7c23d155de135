"""model_links: a problem's model in the team's MLflow registry, and its webhook there

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("model_name", sa.String(250), nullable=False),
        sa.Column("hook_key", sa.String(64), nullable=False),
        sa.Column("webhook_id", sa.String(64), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("linked_by", sa.String(32), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_model_links_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_links")),
        sa.UniqueConstraint("problem_id", name=op.f("uq_model_links_problem_id")),
        sa.UniqueConstraint("hook_key", name=op.f("uq_model_links_hook_key")),
    )
    op.create_index(op.f("ix_model_links_team_id"), "model_links", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_model_links_team_id"), table_name="model_links")
    op.drop_table("model_links")
