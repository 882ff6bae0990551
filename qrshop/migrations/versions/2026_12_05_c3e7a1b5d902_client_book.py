"""The associate's client book: client_book_consents, client_notes, and who suggested a
wish-list item (wishlist_items.suggested_by)

Revision ID: c3e7a1b5d902
Revises: b7e2c4a9d315
Create Date: 2026-12-05 00:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3e7a1b5d902'
down_revision = 'b7e2c4a9d315'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'client_book_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shopper_id', sa.String(length=32), nullable=False),
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('consent_text', sa.Text(), nullable=False),
        sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'],
                                name=op.f('fk_client_book_consents_retailer_id_retailers')),
        sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'],
                                name=op.f('fk_client_book_consents_shopper_id_shoppers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_client_book_consents')),
        sa.UniqueConstraint('shopper_id', 'retailer_id',
                            name=op.f('uq_client_book_consents_shopper_id_retailer_id')),
    )
    op.create_table(
        'client_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shopper_id', sa.String(length=32), nullable=False),
        sa.Column('retailer_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_name', sa.String(length=60), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_client_notes_author_id_users')),
        sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'],
                                name=op.f('fk_client_notes_retailer_id_retailers')),
        sa.ForeignKeyConstraint(['shopper_id'], ['shoppers.id'],
                                name=op.f('fk_client_notes_shopper_id_shoppers')),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_client_notes_store_id_stores')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_client_notes')),
    )
    op.create_index('ix_client_notes_retailer_shopper', 'client_notes',
                    ['retailer_id', 'shopper_id'])
    op.add_column('wishlist_items', sa.Column('suggested_by', sa.String(length=60),
                                              nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+): no table copy, so nothing else on the table moves.
    op.drop_column('wishlist_items', 'suggested_by')
    op.drop_index('ix_client_notes_retailer_shopper', table_name='client_notes')
    op.drop_table('client_notes')
    op.drop_table('client_book_consents')
