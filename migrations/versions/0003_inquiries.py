"""Inquiries: membership tiers and members, sponsorship packages, staff contacts, routing
rules, inquiries, and the mail outbox.

Plain tables and indexes, the same on SQLite and PostgreSQL. The default contact is unique
through a partial index (WHERE is_default), which both databases support.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:30:58.078787

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('membership_tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('benefits', sa.Text(), nullable=False),
    sa.Column('annual_fee', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('annual_fee IS NULL OR annual_fee >= 0', name=op.f('ck_membership_tier_fee_not_negative')),
    sa.CheckConstraint('length(currency) = 3 AND upper(currency) = currency', name=op.f('ck_membership_tier_currency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_tier')),
    sa.UniqueConstraint('slug', name=op.f('uq_membership_tier_slug'))
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=250), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('state', sa.Enum('pending', 'sending', 'sent', 'failed', name='outbox_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(state = 'sending') = (claim_token IS NOT NULL)", name=op.f('ck_outbox_message_claimed_while_sending')),
    sa.CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", name=op.f('ck_outbox_message_sent_when_sent')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_message_attempts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_reference'), ['reference'], unique=False)

    op.create_table('staff_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_contact')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_contact_email'))
    )
    with op.batch_alter_table('staff_contact', schema=None) as batch_op:
        batch_op.create_index('uq_staff_contact_default', ['is_default'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('logo_url', sa.String(length=500), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('is_listed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tier_id'], ['membership_tier.id'], name=op.f('fk_member_tier_id_membership_tier'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('name', name=op.f('uq_member_name'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_tier_listed', ['tier_id', 'is_listed'], unique=False)

    op.create_table('sponsorship_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('price', sa.Integer(), nullable=True),
    sa.Column('member_price', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('available', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('available IS NULL OR available >= 0', name=op.f('ck_sponsorship_package_available_not_negative')),
    sa.CheckConstraint('length(currency) = 3 AND upper(currency) = currency', name=op.f('ck_sponsorship_package_currency')),
    sa.CheckConstraint('member_price IS NULL OR (price IS NOT NULL AND member_price >= 0)', name=op.f('ck_sponsorship_package_member_price_with_price')),
    sa.CheckConstraint('price IS NULL OR price >= 0', name=op.f('ck_sponsorship_package_price_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_sponsorship_package_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsorship_package')),
    sa.UniqueConstraint('event_id', 'slug', name='uq_sponsorship_package_event_slug')
    )
    op.create_table('routing_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('membership', 'sponsorship', name='kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('package_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("(kind = 'membership' AND event_id IS NULL AND package_id IS NULL) OR (kind = 'sponsorship' AND tier_id IS NULL)", name=op.f('ck_routing_rule_criteria_fit_kind')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_routing_rule_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['package_id'], ['sponsorship_package.id'], name=op.f('fk_routing_rule_package_id_sponsorship_package'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['membership_tier.id'], name=op.f('fk_routing_rule_tier_id_membership_tier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rule')),
    sa.UniqueConstraint('name', name=op.f('uq_routing_rule_name'))
    )
    op.create_table('inquiry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('membership', 'sponsorship', name='kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organization', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('package_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=400), nullable=False),
    sa.Column('routing_rule_id', sa.Integer(), nullable=True),
    sa.Column('consented_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'membership' AND event_id IS NULL AND package_id IS NULL) OR (kind = 'sponsorship' AND tier_id IS NULL)", name=op.f('ck_inquiry_subject_fits_kind')),
    sa.CheckConstraint('length(message) <= 5000', name=op.f('ck_inquiry_message_length')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_inquiry_event_id_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['package_id'], ['sponsorship_package.id'], name=op.f('fk_inquiry_package_id_sponsorship_package'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['routing_rule_id'], ['routing_rule.id'], name=op.f('fk_inquiry_routing_rule_id_routing_rule'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tier_id'], ['membership_tier.id'], name=op.f('fk_inquiry_tier_id_membership_tier'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry'))
    )
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiry_created_at'), ['created_at'], unique=False)

    op.create_table('routing_rule_contact',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['staff_contact.id'], name=op.f('fk_routing_rule_contact_contact_id_staff_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['routing_rule.id'], name=op.f('fk_routing_rule_contact_rule_id_routing_rule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rule_id', 'contact_id', name=op.f('pk_routing_rule_contact'))
    )
    op.create_table('inquiry_contact',
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['staff_contact.id'], name=op.f('fk_inquiry_contact_contact_id_staff_contact'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_inquiry_contact_inquiry_id_inquiry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('inquiry_id', 'contact_id', name=op.f('pk_inquiry_contact'))
    )
    with op.batch_alter_table('inquiry_contact', schema=None) as batch_op:
        batch_op.create_index('ix_inquiry_contact_contact', ['contact_id'], unique=False)



def downgrade():
    with op.batch_alter_table('inquiry_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiry_contact_contact')

    op.drop_table('inquiry_contact')
    op.drop_table('routing_rule_contact')
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiry_created_at'))

    op.drop_table('inquiry')
    op.drop_table('routing_rule')
    op.drop_table('sponsorship_package')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_tier_listed')

    op.drop_table('member')
    with op.batch_alter_table('staff_contact', schema=None) as batch_op:
        batch_op.drop_index('uq_staff_contact_default', sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.drop_table('staff_contact')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_reference'))
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
    op.drop_table('membership_tier')
