"""POS sales feed: sales_lines, their daily rollup, retailers.share_sales_with_vendors

Revision ID: f8b2d6a4c913
Revises: d2b6f8a1c7e3
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f8b2d6a4c913'
down_revision = 'd2b6f8a1c7e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sales_lines',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.String(length=64), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('sold_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id']),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id']),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('retailer_id', 'line_id', name='uq_sales_lines_line'),
    )
    op.create_table(
        'sales_day_rollups',
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id']),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id']),
        sa.PrimaryKeyConstraint('store_id', 'day', 'listing_id'),
    )
    op.create_index('ix_sales_day_rollups_listing_day', 'sales_day_rollups',
                    ['listing_id', 'day'], unique=False)
    # ALTER TABLE ... ADD COLUMN, not a copy of the table: other tables' foreign keys refer
    # to retailers, so SQLite refuses to drop it while they hold rows.
    with op.batch_alter_table('retailers', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('share_sales_with_vendors', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('retailers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('share_sales_with_vendors')
    op.drop_index('ix_sales_day_rollups_listing_day', table_name='sales_day_rollups')
    op.drop_table('sales_day_rollups')
    op.drop_table('sales_lines')
