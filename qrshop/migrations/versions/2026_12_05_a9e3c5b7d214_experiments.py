"""Experiments: experiments, experiment_variants, scans.experiment_variant_id

Revision ID: a9e3c5b7d214
Revises: a5d1c7e3b920
Create Date: 2026-12-05 00:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9e3c5b7d214'
down_revision = 'a5d1c7e3b920'
branch_labels = None
depends_on = None

_IN_EXPERIMENT = sa.text('experiment_variant_id IS NOT NULL')


def upgrade():
    op.create_table(
        'experiments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id']),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_experiments_retailer_id', 'experiments', ['retailer_id'])
    op.create_index('ix_experiments_listing_id', 'experiments', ['listing_id'])
    op.create_table(
        'experiment_variants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('experiment_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('label', sa.String(length=60), nullable=False),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('template', sa.String(length=32), nullable=True),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.Column('offer_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id']),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id']),
        sa.ForeignKeyConstraint(['revision_id'], ['content_revisions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('experiment_id', 'position'),
    )
    # ALTER TABLE ... ADD COLUMN (no copy of the scan log; a nullable column without a
    # default is instant on PostgreSQL and SQLite alike).
    with op.batch_alter_table('scans', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('experiment_variant_id', sa.Integer(), nullable=True))
    op.create_index('ix_scans_experiment_variant_id', 'scans',
                    ['experiment_variant_id', 'shopper_id'],
                    postgresql_where=_IN_EXPERIMENT, sqlite_where=_IN_EXPERIMENT)


def downgrade():
    op.drop_index('ix_scans_experiment_variant_id', table_name='scans')
    with op.batch_alter_table('scans', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('experiment_variant_id')
    op.drop_table('experiment_variants')
    op.drop_index('ix_experiments_listing_id', table_name='experiments')
    op.drop_index('ix_experiments_retailer_id', table_name='experiments')
    op.drop_table('experiments')
