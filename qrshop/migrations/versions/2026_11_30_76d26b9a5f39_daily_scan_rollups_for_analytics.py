"""daily scan rollups for analytics

Revision ID: 76d26b9a5f39
Revises: df33773ef179
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '76d26b9a5f39'
down_revision = 'df33773ef179'
branch_labels = None
depends_on = None


def upgrade():
    """Per store and local day: counted scans per listing and per hour, and rollup progress.

    The tables start empty; the first dashboard read (or `qrshop analytics rollup`) fills
    them from the scan log.
    """
    op.create_table('scan_day_rollups',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('scans', sa.Integer(), nullable=False),
    sa.Column('repeat_scans', sa.Integer(), nullable=False),
    sa.Column('shopper_ids', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_scan_day_rollups_listing_id_listings')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_scan_day_rollups_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'day', 'listing_id', name=op.f('pk_scan_day_rollups'))
    )
    op.create_table('scan_hour_rollups',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('scans', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_scan_hour_rollups_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', 'day', 'hour', name=op.f('pk_scan_hour_rollups'))
    )
    op.create_table('scan_rollup_progress',
    sa.Column('store_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rolled_from', sa.Date(), nullable=False),
    sa.Column('rolled_through', sa.Date(), nullable=False),
    sa.Column('last_scan_id', sa.BigInteger(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_scan_rollup_progress_store_id_stores')),
    sa.PrimaryKeyConstraint('store_id', name=op.f('pk_scan_rollup_progress'))
    )


def downgrade():
    op.drop_table('scan_rollup_progress')
    op.drop_table('scan_hour_rollups')
    op.drop_table('scan_day_rollups')
