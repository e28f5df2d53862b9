"""The inbox at a million inquiries: indexes in the inbox's own order (newest first, with the
id to break ties) for the whole list and each filter, the events that have inquiries and the
inquiries routed to a contact; and a folded `search_text` for the text search (lower case
without accents), filled here for the inquiries already there, with on PostgreSQL a trigram
index on it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:40:00

On PostgreSQL the trigram index needs the pg_trgm extension (shipped with PostgreSQL, and
"trusted" since PostgreSQL 13, so the database's owner may create it). Where it cannot be
created the migration says so and goes on: the search then still works, by reading every row.
Filling search_text and building the index take a few minutes a million inquiries. On
PostgreSQL none of it holds a lock that stops the inquiry forms: the column is added (with a
constant default, which rewrites nothing) and committed at once, search_text is filled in
batches of their own transactions, and the indexes are built CONCURRENTLY, outside the
migration's transaction. The release before keeps inserting inquiries meanwhile, with an empty
search_text: the outbox worker fills those when it starts (inquiries/cli.py `reindex`).
"""

import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

RECEIVED = ["created_at", "id"]
SEARCHED = ("name", "email", "organization", "topic", "message")
BATCH = 5000


def fold(text):
    """portal.events.models.fold as it is at this revision (a migration keeps its own copy)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def upgrade():
    op.add_column("inquiry", sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        upgrade_online()
        return
    fill_search_text()
    with op.batch_alter_table("inquiry") as batch:
        batch.drop_index("ix_inquiry_created_at")
        batch.drop_index("ix_inquiry_status")
        batch.drop_index("ix_inquiry_assignee_id")
        batch.create_index("ix_inquiry_received", RECEIVED)
        batch.create_index("ix_inquiry_status_received", ["status", *RECEIVED])
        batch.create_index("ix_inquiry_assignee_received", ["assignee_id", *RECEIVED])
        batch.create_index("ix_inquiry_event", ["event_id"])
        batch.create_index("ix_inquiry_status_kind", ["status", "kind"])  # the dashboard
    with op.batch_alter_table("inquiry_contact") as batch:
        batch.drop_index("ix_inquiry_contact_contact")
        batch.create_index("ix_inquiry_contact_contact", ["contact_id", "inquiry_id"])
    if op.get_bind().dialect.name == "postgresql":
        create_search_index()


def upgrade_online():
    """PostgreSQL: the same, without a lock that holds the inquiry forms up (see above)."""
    concurrently = {"postgresql_concurrently": True}
    with op.get_context().autocommit_block():  # commits the column first: its lock goes
        fill_search_text()
        for name in ("ix_inquiry_created_at", "ix_inquiry_status", "ix_inquiry_assignee_id",
                     "ix_inquiry_contact_contact"):  # fmt: skip
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        op.create_index("ix_inquiry_received", "inquiry", RECEIVED, **concurrently)
        op.create_index("ix_inquiry_status_received", "inquiry", ["status", *RECEIVED], **concurrently)
        op.create_index(
            "ix_inquiry_assignee_received", "inquiry", ["assignee_id", *RECEIVED], **concurrently
        )
        op.create_index("ix_inquiry_event", "inquiry", ["event_id"], **concurrently)
        op.create_index("ix_inquiry_status_kind", "inquiry", ["status", "kind"], **concurrently)
        op.create_index(
            "ix_inquiry_contact_contact",
            "inquiry_contact",
            ["contact_id", "inquiry_id"],
            **concurrently,
        )
        create_search_index(concurrently=True)


def fill_search_text():
    inquiry = sa.table("inquiry", sa.column("id"), sa.column("search_text"),
                       *(sa.column(name) for name in SEARCHED))  # fmt: skip
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(inquiry.c.id, *(inquiry.c[name] for name in SEARCHED))
            .where(inquiry.c.id > last)
            .order_by(inquiry.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            inquiry.update()
            .where(inquiry.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("text")),
            [
                {"row_id": row[0], "text": fold(" ".join(part for part in row[1:] if part))}
                for row in rows
            ],
        )
        last = rows[-1][0]


def create_search_index(concurrently=False):
    bind = op.get_bind()
    try:
        if concurrently:  # in autocommit: a failure rolls back nothing else
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        else:
            with bind.begin_nested():
                op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        log.warning(
            "pg_trgm could not be created (%s): the inbox's text search will read every "
            "inquiry. Create the extension as a superuser and run this migration's "
            "create_search_index() again, or ignore this on a small inbox.",
            error.orig,
        )
        return
    how = "CONCURRENTLY " if concurrently else ""
    op.execute(f"CREATE INDEX {how}ix_inquiry_search ON inquiry USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_inquiry_search")
    with op.batch_alter_table("inquiry_contact") as batch:
        batch.drop_index("ix_inquiry_contact_contact")
        batch.create_index("ix_inquiry_contact_contact", ["contact_id"])
    with op.batch_alter_table("inquiry") as batch:
        batch.drop_index("ix_inquiry_status_kind")
        batch.drop_index("ix_inquiry_event")
        batch.drop_index("ix_inquiry_assignee_received")
        batch.drop_index("ix_inquiry_status_received")
        batch.drop_index("ix_inquiry_received")
        batch.create_index("ix_inquiry_assignee_id", ["assignee_id"])
        batch.create_index("ix_inquiry_status", ["status"])
        batch.create_index("ix_inquiry_created_at", ["created_at"])
        batch.drop_column("search_text")
