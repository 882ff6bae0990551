"""scan_zone_rollups: a chain's rolled-up days summed over each time zone's stores

Revision ID: d5f1b3a7c926
Revises: c4e8a2f6d135
Create Date: 2026-12-05 03:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd5f1b3a7c926'
down_revision = 'c4e8a2f6d135'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scan_zone_rollups',
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('key', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('scans', sa.Integer(), nullable=False),
        sa.Column('repeat_scans', sa.Integer(), nullable=False),
        sa.Column('shoppers', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'],
                                name=op.f('fk_scan_zone_rollups_retailer_id_retailers')),
        sa.PrimaryKeyConstraint('retailer_id', 'timezone', 'day', 'kind', 'key',
                                name=op.f('pk_scan_zone_rollups')),
    )


def downgrade():
    op.drop_table('scan_zone_rollups')
