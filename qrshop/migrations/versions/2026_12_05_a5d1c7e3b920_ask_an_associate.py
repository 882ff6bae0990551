"""Ask an associate: store_assist (a store's settings) and assist_requests

Revision ID: a5d1c7e3b920
Revises: f8b2d6a4c913
Create Date: 2026-12-05 00:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a5d1c7e3b920'
down_revision = 'f8b2d6a4c913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'store_assist',
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('opening_hours', sa.String(length=200), nullable=False),
        sa.Column('unclaimed_minutes', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('unclaimed_minutes BETWEEN 1 AND 120',
                           name=op.f('ck_store_assist_unclaimed_minutes_range')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_store_assist_store_id_stores')),
        sa.PrimaryKeyConstraint('store_id', name=op.f('pk_store_assist')),
    )
    op.create_table(
        'assist_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('tag_code', sa.String(length=32), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.Column('shopper_id', sa.String(length=32), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('size', sa.String(length=60), nullable=False),
        sa.Column('reply', sa.String(length=8), nullable=False),
        sa.Column('spot', sa.String(length=80), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('consent_text', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('claimed_by_id', sa.Integer(), nullable=True),
        sa.Column('claimed_by_name', sa.String(length=60), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'claimed', 'answered', 'closed')",
                           name=op.f('ck_assist_requests_status_known')),
        sa.CheckConstraint("reply IN ('come', 'text')",
                           name=op.f('ck_assist_requests_reply_known')),
        sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'],
                                name=op.f('fk_assist_requests_claimed_by_id_users')),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id'],
                                name=op.f('fk_assist_requests_listing_id_listings')),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'],
                                name=op.f('fk_assist_requests_retailer_id_retailers')),
        sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'],
                                name=op.f('fk_assist_requests_shopper_id_shoppers')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_assist_requests_store_id_stores')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assist_requests')),
        sa.UniqueConstraint('token', name=op.f('uq_assist_requests_token')),
    )
    op.create_index('ix_assist_requests_store_status', 'assist_requests',
                    ['store_id', 'status', 'created_at'])
    op.create_index(op.f('ix_assist_requests_shopper_id'), 'assist_requests', ['shopper_id'])


def downgrade():
    op.drop_index(op.f('ix_assist_requests_shopper_id'), table_name='assist_requests')
    op.drop_index('ix_assist_requests_store_status', table_name='assist_requests')
    op.drop_table('assist_requests')
    op.drop_table('store_assist')
