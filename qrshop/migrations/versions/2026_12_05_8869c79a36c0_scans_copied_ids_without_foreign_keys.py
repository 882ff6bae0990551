"""scans.listing_id, store_id and retailer_id without foreign keys: the tag's key holds them.

The three are copied from the tag at scan time (shopper.models.Scan); the tag's own foreign
key already ties each scan to a real tag, and qrshop never deletes a listing, store or
retailer. On PostgreSQL each key made every scan's INSERT lock its parent row: every scan of
a chain locked the same retailers row, which the scan path paid for in the commit it waits
on (docs/benchmarks.md). The downgrade puts the keys back.

Revision ID: 8869c79a36c0
Revises: e2a8c4f6b913
Create Date: 2026-12-05 08:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8869c79a36c0'
down_revision = 'e2a8c4f6b913'
branch_labels = None
depends_on = None

# column -> the table its dropped key referred to.
COPIED = {"listing_id": "listings", "store_id": "stores", "retailer_id": "retailers"}


def upgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        for column, referred in COPIED.items():
            batch_op.drop_constraint(f'fk_scans_{column}_{referred}', type_='foreignkey')


def downgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        for column, referred in COPIED.items():
            batch_op.create_foreign_key(f'fk_scans_{column}_{referred}', referred,
                                        [column], ['id'])
