"""An alert may follow a region (`africa`, `europe`, …, the slugs of portal/core/regions.py), as
the list's region filter does. A nullable column: the previous release ignores it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("alert_subscription") as batch:
        batch.add_column(sa.Column("region", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("alert_subscription") as batch:
        batch.drop_column("region")
