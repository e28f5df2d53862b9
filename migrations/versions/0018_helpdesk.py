"""The inbox as a helpdesk: staff replies, reply templates per kind, the reminders and
escalations sent about inquiries left new (one row each, which the primary key keeps to one),
likely duplicates and merges, and the acknowledgement's Message-ID that replies are threaded
to. New tables and one nullable column: the previous release runs on this schema.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:35:43.780117

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reply_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "membership",
                "sponsorship",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "length(body) BETWEEN 1 AND 10000", name=op.f("ck_reply_template_body_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_template")),
    )
    with op.batch_alter_table("reply_template", schema=None) as batch_op:
        batch_op.create_index("uq_reply_template_kind_name", ["kind", "name"], unique=True)

    op.create_table(
        "inquiry_duplicate",
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiry.id"],
            name=op.f("fk_inquiry_duplicate_inquiry_id_inquiry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_id"],
            ["inquiry.id"],
            name=op.f("fk_inquiry_duplicate_original_id_inquiry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", name=op.f("pk_inquiry_duplicate")),
    )
    with op.batch_alter_table("inquiry_duplicate", schema=None) as batch_op:
        batch_op.create_index("ix_inquiry_duplicate_original", ["original_id"], unique=False)

    op.create_table(
        "inquiry_nudge",
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reminder",
                "escalation",
                name="nudge_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiry.id"],
            name=op.f("fk_inquiry_nudge_inquiry_id_inquiry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", "kind", name=op.f("pk_inquiry_nudge")),
    )
    op.create_table(
        "inquiry_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "length(body) BETWEEN 1 AND 10000", name=op.f("ck_inquiry_reply_body_length")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_user.id"],
            name=op.f("fk_inquiry_reply_author_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiry.id"],
            name=op.f("fk_inquiry_reply_inquiry_id_inquiry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiry_reply")),
    )
    with op.batch_alter_table("inquiry_reply", schema=None) as batch_op:
        batch_op.create_index("ix_inquiry_reply_inquiry", ["inquiry_id", "id"], unique=False)

    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledgement_id", sa.String(length=250), nullable=True))
    with op.get_context().autocommit_block():
        # Built without locking the inbox on PostgreSQL: submissions go on meanwhile.
        op.create_index(
            "ix_inquiry_email", "inquiry", ["email", "kind"], postgresql_concurrently=True
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_inquiry_email", table_name="inquiry", postgresql_concurrently=True)
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.drop_column("acknowledgement_id")

    with op.batch_alter_table("inquiry_reply", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiry_reply_inquiry")

    op.drop_table("inquiry_reply")
    op.drop_table("inquiry_nudge")
    with op.batch_alter_table("inquiry_duplicate", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiry_duplicate_original")

    op.drop_table("inquiry_duplicate")
    with op.batch_alter_table("reply_template", schema=None) as batch_op:
        batch_op.drop_index("uq_reply_template_kind_name")

    op.drop_table("reply_template")
