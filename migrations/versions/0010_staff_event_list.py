"""The staff list of events in its own order (latest start first, the id breaking ties), for
all events and by status, so a page of it is read from an index at any number of events; the
status index also answers the dashboard's count of events by status.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:40:00

"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_event_staff_order", "event", ["starts_on", "id"])
    op.create_index("ix_event_status_staff_order", "event", ["status", "starts_on", "id"])


def downgrade():
    op.drop_index("ix_event_status_staff_order", table_name="event")
    op.drop_index("ix_event_staff_order", table_name="event")
