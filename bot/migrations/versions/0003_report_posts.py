"""report posts, and a covering index for error reports

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-04 16:24:22.492531
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("to_jid", sa.String(length=255), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "period_key"),
    )
    with op.batch_alter_table("error_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_error_events_time_batch_group",
            ["occurred_at", "batch_id", "group_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("error_events", schema=None) as batch_op:
        batch_op.drop_index("ix_error_events_time_batch_group")

    op.drop_table("report_posts")
