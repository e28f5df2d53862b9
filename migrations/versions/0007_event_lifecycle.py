"""The event lifecycle in words: the reason for a cancellation or postponement, dates to be
confirmed or announced, the dates before a reschedule, and the edition an event follows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

def upgrade():
    # Plain ADD COLUMNs (no batch rebuild of the event table, so the FTS triggers stay).
    op.add_column("event", sa.Column("status_reason", sa.String(length=500), nullable=True))
    for name in ("dates_to_be_confirmed", "dates_to_be_announced"):
        op.add_column(
            "event", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.add_column("event", sa.Column("previous_starts_on", sa.Date(), nullable=True))
    op.add_column("event", sa.Column("previous_ends_on", sa.Date(), nullable=True))
    op.add_column("event", sa.Column("previous_edition_id", sa.Integer(), nullable=True))
    op.create_index(
        "ix_event_previous_edition_id", "event", ["previous_edition_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_event_previous_edition_id", table_name="event")
    for name in (
        "previous_edition_id",
        "previous_ends_on",
        "previous_starts_on",
        "dates_to_be_announced",
        "dates_to_be_confirmed",
        "status_reason",
    ):
        op.drop_column("event", name)
