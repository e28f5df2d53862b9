"""Inbox: inquiry status, assignee and notes; retired tiers, packages, contacts and rules.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:56:56

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

STATUSES = ("new", "in_progress", "won", "lost", "closed", "spam")
RETIRABLE = ("membership_tier", "sponsorship_package", "staff_contact", "routing_rule")


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite adds a foreign key or a CHECK only by rebuilding `inquiry` (batch mode, which
        # keeps its constraints and index), and dropping the old table would delete, by ON
        # DELETE CASCADE, the links to the contacts it was routed to: keep them aside.
        op.execute("CREATE TEMPORARY TABLE kept_inquiry_contact AS SELECT * FROM inquiry_contact")
    with op.batch_alter_table("inquiry", recreate="auto") as batch:
        batch.add_column(
            sa.Column(
                "status",
                sa.Enum(*STATUSES, name="inquiry_status", native_enum=False,
                        create_constraint=True, length=20),
                server_default="new",  # existing inquiries start as new
                nullable=False,
            )
        )  # fmt: skip
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        # Existing rows take their creation time below; new rows get theirs from the model.
        batch.add_column(
            sa.Column("updated_at", sa.DateTime(), nullable=False, server_default="1970-01-01")
        )
        batch.create_foreign_key(
            op.f("fk_inquiry_assignee_id_staff_user"), "staff_user",
            ["assignee_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip
        batch.create_index("ix_inquiry_status", ["status"])
        batch.create_index("ix_inquiry_assignee_id", ["assignee_id"])
    if sqlite:
        op.execute(
            "INSERT INTO inquiry_contact SELECT * FROM kept_inquiry_contact "
            "WHERE NOT EXISTS (SELECT 1 FROM inquiry_contact AS c WHERE "
            "c.inquiry_id = kept_inquiry_contact.inquiry_id "
            "AND c.contact_id = kept_inquiry_contact.contact_id)"
        )
        op.execute("DROP TABLE kept_inquiry_contact")
    op.execute("UPDATE inquiry SET updated_at = created_at")
    if not sqlite:  # on SQLite that would be another rebuild; the default does no harm there
        op.alter_column("inquiry", "updated_at", server_default=None)

    op.create_table(
        "inquiry_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "length(body) BETWEEN 1 AND 5000", name=op.f("ck_inquiry_note_body_length")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_user.id"],
            name=op.f("fk_inquiry_note_author_id_staff_user"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"], ["inquiry.id"],
            name=op.f("fk_inquiry_note_inquiry_id_inquiry"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_note")),
    )  # fmt: skip
    op.create_index("ix_inquiry_note_inquiry", "inquiry_note", ["inquiry_id", "id"])

    for table in RETIRABLE:
        op.add_column(table, sa.Column("retired_at", sa.DateTime(), nullable=True))


def downgrade():
    for table in RETIRABLE:
        op.drop_column(table, "retired_at")
    op.drop_index("ix_inquiry_note_inquiry", table_name="inquiry_note")
    op.drop_table("inquiry_note")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE kept_inquiry_contact AS SELECT * FROM inquiry_contact")
    with op.batch_alter_table("inquiry") as batch:
        batch.drop_index("ix_inquiry_assignee_id")
        batch.drop_index("ix_inquiry_status")
        batch.drop_constraint(op.f("fk_inquiry_assignee_id_staff_user"), type_="foreignkey")
        batch.drop_column("updated_at")
        batch.drop_column("assignee_id")
        batch.drop_constraint(op.f("ck_inquiry_inquiry_status"), type_="check")
        batch.drop_column("status")
    if sqlite:
        op.execute("INSERT OR IGNORE INTO inquiry_contact SELECT * FROM kept_inquiry_contact")
        op.execute("DROP TABLE kept_inquiry_contact")
