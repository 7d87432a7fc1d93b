"""plans and deploys: pending plans, deploy facts on batches, server environments

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-04 16:56:38.413465
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("batch", sa.String(length=200), nullable=False),
        sa.Column("server", sa.String(length=100), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("plan_hash", sa.String(length=64), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=True),
        sa.Column("requested_by", sa.String(length=255), nullable=False),
        sa.Column("requested_name", sa.String(length=255), nullable=False),
        sa.Column("to_jid", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("needed", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("confirmed_by", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plans_status_created", ["status", "created_at"], unique=False
        )

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deployed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("artifact", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("artifact_sha256", sa.String(length=64), nullable=True)
        )

    with op.batch_alter_table("servers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("environments", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("servers", schema=None) as batch_op:
        batch_op.drop_column("environments")

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("artifact_sha256")
        batch_op.drop_column("artifact")
        batch_op.drop_column("deployed_at")

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_status_created")

    op.drop_table("plans")
