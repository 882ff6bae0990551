"""Listings a merchandiser manages: discontinued_at, house vendors, per-store stock.

listings.discontinued_at; house_vendors (a retailer's own vendor row, owner of the products
no vendor on qrshop supplies); listing_stock (quantity and location of a listing per store).
Plain ADD COLUMN / CREATE TABLE: no table is rebuilt, so the landing data triggers on
listings stay (SQLite drops a plain column in place, too).

Revision ID: e4b7c2a9d813
Revises: e4b9d27c6a15
Create Date: 2026-12-01 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7c2a9d813'
down_revision = 'e4b9d27c6a15'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('listings', sa.Column('discontinued_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.create_table(
        'house_vendors',
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('vendor_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'],
                                name=op.f('fk_house_vendors_retailer_id_retailers')),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'],
                                name=op.f('fk_house_vendors_vendor_id_vendors')),
        sa.PrimaryKeyConstraint('retailer_id', name=op.f('pk_house_vendors')),
        sa.UniqueConstraint('vendor_id', name=op.f('uq_house_vendors_vendor_id')),
    )
    op.create_table(
        'listing_stock',
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('in_stock', sa.Integer(), nullable=True),
        sa.Column('location', sa.String(length=120), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('in_stock >= 0', name=op.f('ck_listing_stock_in_stock_not_negative')),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id'],
                                name=op.f('fk_listing_stock_listing_id_listings')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_listing_stock_store_id_stores')),
        sa.PrimaryKeyConstraint('listing_id', 'store_id', name=op.f('pk_listing_stock')),
    )


def downgrade():
    op.drop_table('listing_stock')
    op.drop_table('house_vendors')
    op.drop_column('listings', 'discontinued_at')
