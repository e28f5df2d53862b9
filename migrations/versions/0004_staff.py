"""Back office: staff accounts, the audit log, retired projects and imported events' UIDs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:42:50

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "editor", name="staff_role", native_enum=False,
                    create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_staff_user_email_lower_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_user_email")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("object_label", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_user.id"],
            name=op.f("fk_audit_entry_actor_id_staff_user"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_actor", "audit_entry", ["actor_id", "at"])
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_object", "audit_entry", ["object_type", "object_id", "at"])

    # Plain ALTERs, not batch mode: SQLite adds a nullable column and an index in place, so
    # `event` is not rebuilt and its full-text triggers (0001) stay.
    op.add_column("event", sa.Column("import_uid", sa.String(length=255), nullable=True))
    op.create_index("ix_event_import_uid", "event", ["import_uid"], unique=True)
    op.add_column("project", sa.Column("retired_at", sa.DateTime(), nullable=True))


def downgrade():
    # SQLite (3.35+) drops a column in place too, once no index names it.
    op.drop_column("project", "retired_at")
    op.drop_index("ix_event_import_uid", table_name="event")
    op.drop_column("event", "import_uid")
    op.drop_index("ix_audit_entry_object", table_name="audit_entry")
    op.drop_index("ix_audit_entry_at", table_name="audit_entry")
    op.drop_index("ix_audit_entry_actor", table_name="audit_entry")
    op.drop_table("audit_entry")
    op.drop_table("staff_user")
