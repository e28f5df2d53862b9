"""Embed origins: the sites staff allow to show the embeddable listing (/embed/events) in a
frame, named in its Content-Security-Policy frame-ancestors.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-03 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "embed_origin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embed_origin")),
        sa.UniqueConstraint("origin", name=op.f("uq_embed_origin_origin")),
    )


def downgrade():
    op.drop_table("embed_origin")
