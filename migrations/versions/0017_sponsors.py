"""Sponsors and what packages give: reusable benefits and the packages that give them, the
sponsors of events (with their logos), members' logos and since when, and a join address
per membership tier. Expand only: new tables and nullable columns.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sponsorship_benefit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsorship_benefit")),
        sa.UniqueConstraint("name", name=op.f("uq_sponsorship_benefit_name")),
    )
    op.create_table(
        "package_benefit",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benefit_id"],
            ["sponsorship_benefit.id"],
            name=op.f("fk_package_benefit_benefit_id_sponsorship_benefit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["sponsorship_package.id"],
            name=op.f("fk_package_benefit_package_id_sponsorship_package"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("package_id", "benefit_id", name=op.f("pk_package_benefit")),
    )
    op.create_table(
        "sponsor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("logo", sa.String(length=80), nullable=True),
        sa.Column("is_hidden", sa.Boolean(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_sponsor_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiry.id"],
            name=op.f("fk_sponsor_inquiry_id_inquiry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["sponsorship_package.id"],
            name=op.f("fk_sponsor_package_id_sponsorship_package"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor")),
    )
    op.create_index("ix_sponsor_event", "sponsor", ["event_id", "package_id"])
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("logo", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("since", sa.Date(), nullable=True))
    with op.batch_alter_table("membership_tier") as batch:
        batch.add_column(sa.Column("join_url", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("membership_tier") as batch:
        batch.drop_column("join_url")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("since")
        batch.drop_column("logo")
    op.drop_index("ix_sponsor_event", table_name="sponsor")
    op.drop_table("sponsor")
    op.drop_table("package_benefit")
    op.drop_table("sponsorship_benefit")
