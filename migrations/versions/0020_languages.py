"""The language a visitor wrote an inquiry or asked for alerts in, so that the mails that
follow later (staff replies, alert digests) are written in it. Columns with a default only: the
previous release ignores them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 13:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("inquiry", "alert_subscription"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("language", sa.String(length=16), nullable=False, server_default="en")
            )


def downgrade():
    for table in ("inquiry", "alert_subscription"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("language")
