"""Drop ix_shoppers_retailer_id: ix_shoppers_retailer_id_email already serves every lookup
by retailer, and each new shopper (most scans) wrote both.

Revision ID: 3c9e1a7d5b20
Revises: 76d26b9a5f39
Create Date: 2026-11-30 18:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c9e1a7d5b20'
down_revision = '76d26b9a5f39'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_shoppers_retailer_id', table_name='shoppers')


def downgrade():
    op.create_index('ix_shoppers_retailer_id', 'shoppers', ['retailer_id'], unique=False)
