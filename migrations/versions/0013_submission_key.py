"""Each form shown carries a submission key, kept with the inquiry it stored, so the same form
posted twice (a visitor who got an error after the first was stored, and sends again) stores
one inquiry: a nullable column (the previous release writes none), and its unique index built
without locking the table on PostgreSQL (CONCURRENTLY, outside the migration's transaction).
Also a partial index of the inquiries whose search_text is empty, which the release before
writes during a deploy and the outbox worker fills (inquiries/maintenance.py).

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-03 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    # Expand only: a nullable column with no default is a change of the catalogue on
    # PostgreSQL, not a rewrite of the table; the previous release keeps inserting without it.
    with op.batch_alter_table("inquiry") as batch:
        batch.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_inquiry_submission_key",
            "inquiry",
            ["submission_key"],
            unique=True,
            postgresql_concurrently=True,
        )
        op.create_index(
            "ix_inquiry_unsearched",
            "inquiry",
            ["id"],
            sqlite_where=sa.text("search_text = ''"),
            postgresql_where=sa.text("search_text = ''"),
            postgresql_concurrently=True,
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_inquiry_unsearched", table_name="inquiry", postgresql_concurrently=True)
        op.drop_index(
            "ix_inquiry_submission_key", table_name="inquiry", postgresql_concurrently=True
        )
    with op.batch_alter_table("inquiry") as batch:
        batch.drop_column("submission_key")
