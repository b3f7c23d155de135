"""foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "counters",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "kind", name=op.f("pk_counters")),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("user_value", sa.Text(), nullable=True),
        sa.Column("feasibility", sa.Text(), nullable=True),
        sa.Column("metric_name", sa.String(length=200), nullable=True),
        sa.Column("metric_definition", sa.Text(), nullable=True),
        sa.Column(
            "direction",
            sa.Enum(
                "higher",
                "lower",
                name="direction",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("guardrails", sa.Text(), nullable=True),
        sa.Column("data_sources", sa.Text(), nullable=True),
        sa.Column("prior_work", sa.Text(), nullable=True),
        sa.Column(
            "track",
            sa.Enum(
                "discovery",
                "delivery",
                name="track",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_delivery",
                "shipped",
                "dropped",
                name="problemstatus",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("kill_criteria", sa.Text(), nullable=True),
        sa.Column("card_channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("source_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_problems_team_id_number")),
        sa.UniqueConstraint("team_id", "source_key", name=op.f("uq_problems_team_id_source_key")),
    )
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problems_team_id"), ["team_id"], unique=False)

    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "continue",
                "pivot",
                "cut",
                "ship",
                name="decisionkind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("source_key", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_decisions_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("team_id", "source_key", name=op.f("uq_decisions_team_id_source_key")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_team_id"))

    op.drop_table("decisions")
    op.drop_table("workspaces")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problems_team_id"))

    op.drop_table("problems")
    op.drop_table("counters")
