"""Each event keeps its own iCalendar UID, given when it is made, so that a feed fetched at
another address (127.0.0.1, localhost, the public name) carries the same UIDs: a nullable
column (the previous release inserts without it; the feed then names such a row as before)
with a unique index, filled for the events already there with the UID the feed gave them
when PORTAL_BASE_URL was set (`event-<id>@<its host>`), else with a fixed domain that no
request decides. And the fold of each time (PEP 495), so that an instant in the second pass
of a repeated hour is kept as that instant.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:00:00

"""

from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FIXED_DOMAIN = "events-portal.invalid"  # portal/events/uids.py, as it was written here


def _domain() -> str:
    try:
        from flask import current_app

        base = current_app.config.get("BASE_URL")
    except RuntimeError:  # alembic run without the app
        base = None
    return (urlsplit(base).hostname if base else None) or FIXED_DOMAIN


def upgrade():
    # Plain ALTERs, not batch mode (as 0004): SQLite adds these columns in place, so `event`
    # is not rebuilt and its full-text triggers (0001) stay. The booleans carry no CHECK
    # constraint (which SQLite cannot add in place) and a default, so old rows are read false.
    op.add_column("event", sa.Column("uid", sa.String(length=255), nullable=True))
    for name in ("start_fold", "end_fold"):
        op.add_column(
            "event",
            sa.Column(
                name,
                sa.Boolean(create_constraint=False),
                nullable=False,
                server_default=sa.false(),
            ),
        )
    op.execute(
        sa.text(
            "UPDATE event SET uid = 'event-' || CAST(id AS VARCHAR(20)) || '@' || :domain"
        ).bindparams(domain=_domain())
    )
    op.create_index("ix_event_uid", "event", ["uid"], unique=True)


def downgrade():
    # SQLite (3.35+) drops a column in place too, once no index names it.
    op.drop_index("ix_event_uid", table_name="event")
    op.drop_column("event", "end_fold")
    op.drop_column("event", "start_fold")
    op.drop_column("event", "uid")
