"""Email alerts: subscriptions (an address and the filters or the event it follows), the
snapshots of public events the alert job compares, the changes it found, and the job's own
row (its baseline and its lock). New tables only: the previous release ignores them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:40:26.079076

"""

from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("baseline_at", sa.DateTime(), nullable=True),
        sa.Column("last_run_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_job")),
    )
    op.create_table(
        "alert_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "new",
                "dates",
                "place",
                "status",
                "opened",
                name="alert_change_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("link", sa.String(length=20), nullable=True),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_alert_change_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_change")),
    )
    with op.batch_alter_table("alert_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_change_event_id"), ["event_id"], unique=False)

    op.create_table(
        "alert_snapshot",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_alert_snapshot_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_alert_snapshot")),
    )
    op.create_table(
        "alert_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("filter_key", sa.String(length=400), nullable=False),
        sa.Column("q", sa.String(length=200), nullable=True),
        sa.Column("project", sa.String(length=60), nullable=True),
        sa.Column("format", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(length=20), nullable=True),
        sa.Column("seen_change_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("confirmation_sent_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "seen_change_id >= 0", name=op.f("ck_alert_subscription_seen_change_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_alert_subscription_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscription")),
    )
    with op.batch_alter_table("alert_subscription", schema=None) as batch_op:
        batch_op.create_index("ix_alert_subscription_confirmed", ["confirmed_at"], unique=False)
        batch_op.create_index(
            "ix_alert_subscription_email_filter", ["email", "filter_key"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_alert_subscription_event_id"), ["event_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("alert_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_subscription_event_id"))
        batch_op.drop_index("ix_alert_subscription_email_filter")
        batch_op.drop_index("ix_alert_subscription_confirmed")

    op.drop_table("alert_subscription")
    op.drop_table("alert_snapshot")
    with op.batch_alter_table("alert_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_change_event_id"))

    op.drop_table("alert_change")
    op.drop_table("alert_job")
