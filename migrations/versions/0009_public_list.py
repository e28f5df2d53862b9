"""The public list by country: upcoming events of one country in reading order, read from one
index (the list of a country no longer reads each upcoming event's row to learn its country).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:50:00

"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_event_country_upcoming",
        "event",
        ["country", "starts_at", "id", "ends_at", "status"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_event_country_upcoming", table_name="event")
