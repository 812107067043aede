"""Reminders the day before a reception: users may turn them off, and each reception's
reminder is recorded when it is queued, once (the primary key keeps a second instance
from queueing it again).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("reminders", sa.Boolean(), server_default="1", nullable=False)
        )
    op.create_table(
        "reception_reminders",
        sa.Column("reception_id", sa.Text(), nullable=False),
        sa.Column("date", sa.Text(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcements.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("reception_id", "date"),
    )


def downgrade() -> None:
    op.drop_table("reception_reminders")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("reminders")
