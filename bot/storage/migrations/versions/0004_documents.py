"""What moderators add lives in the database: their documents (uploads, events) and the
version every instance compares its knowledge-base file with.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('upload', 'event')", name="documents_kind"),
    )
    version = op.create_table(
        "kb_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.Text(), nullable=False),
        sa.CheckConstraint("id = 1", name="kb_version_one_row"),
    )
    # "0" (bot.kb.build.NO_DOCUMENTS): no documents yet, so a KB built from data/ alone
    # is up to date with this database
    op.bulk_insert(version, [{"id": 1, "version": "0", "changed_at": "1970-01-01T00:00:00Z"}])


def downgrade() -> None:
    op.drop_table("kb_version")
    op.drop_table("documents")
