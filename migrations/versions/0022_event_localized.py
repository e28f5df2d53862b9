"""An event's title and summary in other languages, as staff write them (issue 24): a JSON
object `{"ja": {"title": "…", "summary": "…"}}`, shown when that language is served.

A plain ALTER, not batch mode (as 0004 and 0014): SQLite adds the column in place, so `event`
is not rebuilt and its full-text triggers (0001) stay. The default `{}` means "none", so the
previous release, which ignores the column, keeps working.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 18:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "event", sa.Column("localized", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )


def downgrade():
    # SQLite (3.35+) drops a column in place too (as 0014).
    op.drop_column("event", "localized")
