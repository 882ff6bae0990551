"""sales_chain_rollups: a retailer's POS sales per listing and local day over all its stores

Revision ID: e2a8c4f6b913
Revises: d5f1b3a7c926
Create Date: 2026-12-05 04:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2a8c4f6b913'
down_revision = 'd5f1b3a7c926'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sales_chain_rollups',
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id'],
                                name=op.f('fk_sales_chain_rollups_listing_id_listings')),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'],
                                name=op.f('fk_sales_chain_rollups_retailer_id_retailers')),
        sa.PrimaryKeyConstraint('retailer_id', 'day', 'listing_id',
                                name=op.f('pk_sales_chain_rollups')),
    )
    # The sales already rolled up per store, summed per retailer.
    op.execute(
        "INSERT INTO sales_chain_rollups (retailer_id, day, listing_id, units, amount_cents, "
        "lines) SELECT stores.retailer_id, r.day, r.listing_id, SUM(r.units), "
        "SUM(r.amount_cents), SUM(r.lines) FROM sales_day_rollups r "
        "JOIN stores ON stores.id = r.store_id "
        "GROUP BY stores.retailer_id, r.day, r.listing_id")


def downgrade():
    op.drop_table('sales_chain_rollups')
