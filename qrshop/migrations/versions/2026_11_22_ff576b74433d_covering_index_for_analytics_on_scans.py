"""covering index for analytics on scans

Revision ID: ff576b74433d
Revises: 9ecb447b9599
Create Date: 2026-11-22 18:55:47.740965

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ff576b74433d'
down_revision = '9ecb447b9599'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scans_store_id_scanned_at'))
        batch_op.create_index('ix_scans_store_id_scanned_at_counted', ['store_id', 'scanned_at', 'is_bot', 'listing_id', 'shopper_id', 'is_repeat'], unique=False)



def downgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index('ix_scans_store_id_scanned_at_counted')
        batch_op.create_index(batch_op.f('ix_scans_store_id_scanned_at'), ['store_id', 'scanned_at'], unique=False)

