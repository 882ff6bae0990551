"""foundation: retailers, stores, vendors, users, catalog, media, tags, shoppers, scans

Revision ID: 07fb7628db2a
Revises: 
Create Date: 2026-11-22 17:31:48.415503

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '07fb7628db2a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vendors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('slug', name=op.f('uq_vendors_slug'))
    )
    op.create_table('media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('extension', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_media_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
    sa.UniqueConstraint('sha256', name=op.f('uq_media_sha256'))
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('brand', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_products_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('gtin', name=op.f('uq_products_gtin'))
    )
    op.create_table('retailers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('logo_media_id', sa.Integer(), nullable=True),
    sa.Column('primary_colour', sa.String(length=7), nullable=False),
    sa.Column('accent_colour', sa.String(length=7), nullable=False),
    sa.Column('font', sa.String(length=32), nullable=False),
    sa.Column('footer_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['logo_media_id'], ['media.id'], name=op.f('fk_retailers_logo_media_id_media')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retailers')),
    sa.UniqueConstraint('slug', name=op.f('uq_retailers_slug'))
    )
    op.create_table('listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_listings_price_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_listings_product_id_products')),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_listings_retailer_id_retailers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings')),
    sa.UniqueConstraint('retailer_id', 'product_id', name=op.f('uq_listings_retailer_id_product_id')),
    sa.UniqueConstraint('retailer_id', 'sku', name=op.f('uq_listings_retailer_id_sku'))
    )
    op.create_table('retailer_vendors',
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_retailer_vendors_retailer_id_retailers')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_retailer_vendors_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('retailer_id', 'vendor_id', name=op.f('pk_retailer_vendors'))
    )
    op.create_table('shoppers',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_shoppers_retailer_id_retailers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shoppers'))
    )
    with op.batch_alter_table('shoppers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shoppers_retailer_id'), ['retailer_id'], unique=False)

    op.create_table('stores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_stores_retailer_id_retailers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stores')),
    sa.UniqueConstraint('retailer_id', 'code', name=op.f('uq_stores_retailer_id_code'))
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('placement', sa.String(length=120), nullable=False),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_tags_listing_id_listings')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_tags_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('code', name=op.f('uq_tags_code'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tags_store_id'), ['store_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=True),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('is_active_user', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'merchandiser', 'associate', 'vendor')", name=op.f('ck_users_role_known')),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_users_retailer_id_retailers')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_users_store_id_stores')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_users_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('scans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=True),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('retailer_id', sa.Integer(), nullable=True),
    sa.Column('shopper_id', sa.String(length=32), nullable=True),
    sa.Column('orphan_code', sa.String(length=32), nullable=True),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('bot_reason', sa.String(length=16), nullable=True),
    sa.Column('is_repeat', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_scans_listing_id_listings')),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_scans_retailer_id_retailers')),
    sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'], name=op.f('fk_scans_shopper_id_shoppers')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_scans_store_id_stores')),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_scans_tag_id_tags')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scans'))
    )
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index('ix_scans_shopper_id_tag_id_scanned_at', ['shopper_id', 'tag_id', 'scanned_at'], unique=False)
        batch_op.create_index('ix_scans_store_id_scanned_at', ['store_id', 'scanned_at'], unique=False)
        batch_op.create_index('ix_scans_tag_id_scanned_at', ['tag_id', 'scanned_at'], unique=False)



def downgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index('ix_scans_tag_id_scanned_at')
        batch_op.drop_index('ix_scans_store_id_scanned_at')
        batch_op.drop_index('ix_scans_shopper_id_tag_id_scanned_at')

    op.drop_table('scans')
    op.drop_table('users')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_store_id'))
        batch_op.drop_index(batch_op.f('ix_tags_listing_id'))

    op.drop_table('tags')
    op.drop_table('stores')
    with op.batch_alter_table('shoppers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shoppers_retailer_id'))

    op.drop_table('shoppers')
    op.drop_table('retailer_vendors')
    op.drop_table('listings')
    op.drop_table('retailers')
    op.drop_table('products')
    op.drop_table('media')
    op.drop_table('vendors')
