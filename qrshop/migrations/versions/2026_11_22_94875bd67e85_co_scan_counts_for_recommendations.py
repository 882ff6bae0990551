"""co-scan counts for recommendations

Revision ID: 94875bd67e85
Revises: ff576b74433d
Create Date: 2026-11-22 19:03:14.135497

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '94875bd67e85'
down_revision = 'ff576b74433d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('co_scans',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('related_listing_id', sa.Integer(), nullable=False),
    sa.Column('shoppers', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_co_scans_listing_id_listings')),
    sa.ForeignKeyConstraint(['related_listing_id'], ['listings.id'], name=op.f('fk_co_scans_related_listing_id_listings')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_co_scans_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'listing_id', 'related_listing_id', name=op.f('pk_co_scans'))
    )


def downgrade():
    op.drop_table('co_scans')
