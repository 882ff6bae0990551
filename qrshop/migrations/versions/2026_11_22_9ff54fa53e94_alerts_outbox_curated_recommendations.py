"""alerts, outbox, curated recommendations

Subscriptions (email double opt-in, SMS) to alerts about a listing, the outbox of emails and
texts, merchandiser-curated "complete the look" listings, and an index to find the shoppers of
a retailer sharing a verified email (wish list across devices).

Revision ID: 9ff54fa53e94
Revises: 99ff79aa0fc9
Create Date: 2026-11-22 18:45:28.117975

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ff54fa53e94'
down_revision = '99ff79aa0fc9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('unsubscribe_url', sa.String(length=500), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_outbox_messages_channel_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    op.create_index('ix_outbox_messages_sent_at_next_attempt_at', 'outbox_messages', ['sent_at', 'next_attempt_at'])

    op.create_table('curated_recommendations',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('recommended_listing_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('listing_id <> recommended_listing_id', name=op.f('ck_curated_recommendations_not_itself')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_curated_recommendations_listing_id_listings')),
    sa.ForeignKeyConstraint(['recommended_listing_id'], ['listings.id'], name=op.f('fk_curated_recommendations_recommended_listing_id_listings')),
    sa.PrimaryKeyConstraint('listing_id', 'recommended_listing_id', name=op.f('pk_curated_recommendations'))
    )
    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=32), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('topics', sa.String(length=64), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_subscriptions_channel_known')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_subscriptions_listing_id_listings')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_subscriptions_shopper_id_shoppers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('shopper_id', 'listing_id', 'channel', name=op.f('uq_subscriptions_shopper_id_listing_id_channel'))
    )
    op.create_index('ix_subscriptions_listing_id_confirmed_at', 'subscriptions', ['listing_id', 'confirmed_at'])

    op.create_index('ix_shoppers_retailer_id_email', 'shoppers', ['retailer_id', 'email'])


def downgrade():
    op.drop_index('ix_shoppers_retailer_id_email', table_name='shoppers')

    op.drop_index('ix_subscriptions_listing_id_confirmed_at', table_name='subscriptions')
    op.drop_table('subscriptions')
    op.drop_table('curated_recommendations')
    op.drop_index('ix_outbox_messages_sent_at_next_attempt_at', table_name='outbox_messages')
    op.drop_table('outbox_messages')
