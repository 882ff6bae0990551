"""Hold it for me: holds, and a store's hold settings on store_assist

Revision ID: c4e8a2f6d135
Revises: a9d3e7c1b5f2
Create Date: 2026-12-05 00:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e8a2f6d135'
down_revision = 'a9d3e7c1b5f2'
branch_labels = None
depends_on = None

_ACTIVE = sa.text("status IN ('placed', 'ready')")


def upgrade():
    with op.batch_alter_table('store_assist') as batch:
        batch.add_column(sa.Column('holds_enabled', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('hold_hours', sa.Integer(), nullable=False,
                                   server_default='24'))
        batch.create_check_constraint('hold_hours_range', 'hold_hours BETWEEN 1 AND 168')
    op.create_table(
        'holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('tag_code', sa.String(length=32), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.Column('shopper_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('size', sa.String(length=60), nullable=False),
        sa.Column('consent_text', sa.Text(), nullable=False),
        sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ready_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ready_by_name', sa.String(length=60), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by_name', sa.String(length=60), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('placed', 'ready', 'collected', 'cancelled', 'expired')",
                           name=op.f('ck_holds_status_known')),
        sa.CheckConstraint('phone IS NOT NULL OR email IS NOT NULL',
                           name=op.f('ck_holds_has_contact')),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id'],
                                name=op.f('fk_holds_listing_id_listings')),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'],
                                name=op.f('fk_holds_retailer_id_retailers')),
        sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'],
                                name=op.f('fk_holds_shopper_id_shoppers')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_holds_store_id_stores')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_holds')),
        sa.UniqueConstraint('token', name=op.f('uq_holds_token')),
    )
    op.create_index('ix_holds_store_status', 'holds', ['store_id', 'status', 'created_at'])
    op.create_index(op.f('ix_holds_shopper_id'), 'holds', ['shopper_id'])
    op.create_index('ix_holds_active_expiry', 'holds', ['expires_at'],
                    sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    op.create_index('uq_holds_one_active', 'holds', ['shopper_id', 'listing_id'], unique=True,
                    sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)


def downgrade():
    op.drop_index('uq_holds_one_active', table_name='holds')
    op.drop_index('ix_holds_active_expiry', table_name='holds')
    op.drop_index(op.f('ix_holds_shopper_id'), table_name='holds')
    op.drop_index('ix_holds_store_status', table_name='holds')
    op.drop_table('holds')
    with op.batch_alter_table('store_assist') as batch:
        batch.drop_constraint('hold_hours_range', type_='check')
        batch.drop_column('hold_hours')
        batch.drop_column('holds_enabled')
