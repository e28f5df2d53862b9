"""Staff sessions: each sign-in is on record, so signing out, a new password or deactivation
end every copy of its cookie.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 08:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_session_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_session_token_hash")),
    )
    op.create_index("ix_staff_session_user", "staff_session", ["user_id"], unique=False)
    # Sessions signed in before this release named the account by a fingerprint of its
    # password hash, which no longer signs anyone in: staff sign in once more.


def downgrade():
    op.drop_index("ix_staff_session_user", table_name="staff_session")
    op.drop_table("staff_session")
