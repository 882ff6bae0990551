"""engagement: offers, coupon claims, wish-list items, feedback

Revision ID: 99ff79aa0fc9
Revises: 58fafe5b5f97
Create Date: 2026-11-22 17:50:07.478810

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '99ff79aa0fc9'
down_revision = '58fafe5b5f97'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=32), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('is_helpful', sa.Boolean(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_feedback_rating_1_to_5')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_feedback_listing_id_listings')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_feedback_shopper_id_shoppers')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_feedback_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('shopper_id', 'listing_id', name=op.f('uq_feedback_shopper_id_listing_id'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_listing_id_created_at', ['listing_id', 'created_at'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('percent_off', sa.Integer(), nullable=True),
    sa.Column('amount_off_cents', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('perk_text', sa.String(length=200), nullable=True),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('total_limit', sa.Integer(), nullable=True),
    sa.Column('claimed_count', sa.Integer(), nullable=False),
    sa.Column('per_shopper_limit', sa.Integer(), nullable=False),
    sa.Column('coupon_valid_days', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'percent' AND percent_off BETWEEN 1 AND 100) OR (kind = 'amount' AND amount_off_cents > 0) OR (kind = 'perk' AND perk_text IS NOT NULL)", name=op.f('ck_offers_value_matches_kind')),
    sa.CheckConstraint("kind IN ('percent', 'amount', 'perk')", name=op.f('ck_offers_kind_known')),
    sa.CheckConstraint('claimed_count >= 0 AND (total_limit IS NULL OR claimed_count <= total_limit)', name=op.f('ck_offers_claims_within_limit')),
    sa.CheckConstraint('coupon_valid_days >= 1', name=op.f('ck_offers_coupon_valid_days_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_offers_window_not_empty')),
    sa.CheckConstraint('per_shopper_limit >= 1', name=op.f('ck_offers_per_shopper_limit_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_offers_created_by_id_users')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_offers_listing_id_listings')),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_offers_retailer_id_retailers')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_offers_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index('ix_offers_retailer_id_ends_at', ['retailer_id', 'ends_at'], unique=False)

    op.create_table('wishlist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=32), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('tag_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_wishlist_items_listing_id_listings')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_wishlist_items_shopper_id_shoppers')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_wishlist_items_store_id_stores')),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_wishlist_items_tag_id_tags')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wishlist_items')),
    sa.UniqueConstraint('shopper_id', 'listing_id', name=op.f('uq_wishlist_items_shopper_id_listing_id'))
    )
    with op.batch_alter_table('wishlist_items', schema=None) as batch_op:
        batch_op.create_index('ix_wishlist_items_listing_id_created_at', ['listing_id', 'created_at'], unique=False)

    op.create_table('coupon_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('shopper_id', sa.String(length=32), nullable=False),
    sa.Column('claim_number', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('redeemed_store_id', sa.Integer(), nullable=True),
    sa.Column('redeemed_by_id', sa.Integer(), nullable=True),
    sa.Column('sale_amount_cents', sa.Integer(), nullable=True),
    sa.Column('discount_cents', sa.Integer(), nullable=True),
    sa.CheckConstraint('claim_number >= 1', name=op.f('ck_coupon_claims_claim_number_positive')),
    sa.CheckConstraint('sale_amount_cents IS NULL OR sale_amount_cents >= 0', name=op.f('ck_coupon_claims_sale_amount_not_negative')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_coupon_claims_listing_id_listings')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_coupon_claims_offer_id_offers')),
    sa.ForeignKeyConstraint(['redeemed_by_id'], ['users.id'], name=op.f('fk_coupon_claims_redeemed_by_id_users')),
    sa.ForeignKeyConstraint(['redeemed_store_id'], ['stores.id'], name=op.f('fk_coupon_claims_redeemed_store_id_stores')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_coupon_claims_shopper_id_shoppers')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_coupon_claims_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_claims')),
    sa.UniqueConstraint('code', name=op.f('uq_coupon_claims_code')),
    sa.UniqueConstraint('offer_id', 'shopper_id', 'claim_number', name=op.f('uq_coupon_claims_offer_id_shopper_id_claim_number'))
    )
    with op.batch_alter_table('coupon_claims', schema=None) as batch_op:
        batch_op.create_index('ix_coupon_claims_listing_id_claimed_at', ['listing_id', 'claimed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupon_claims_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index('ix_coupon_claims_shopper_id_claimed_at', ['shopper_id', 'claimed_at'], unique=False)



def downgrade():
    with op.batch_alter_table('coupon_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_coupon_claims_shopper_id_claimed_at')
        batch_op.drop_index(batch_op.f('ix_coupon_claims_offer_id'))
        batch_op.drop_index('ix_coupon_claims_listing_id_claimed_at')

    op.drop_table('coupon_claims')
    with op.batch_alter_table('wishlist_items', schema=None) as batch_op:
        batch_op.drop_index('ix_wishlist_items_listing_id_created_at')

    op.drop_table('wishlist_items')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index('ix_offers_retailer_id_ends_at')

    op.drop_table('offers')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_listing_id_created_at')

    op.drop_table('feedback')
