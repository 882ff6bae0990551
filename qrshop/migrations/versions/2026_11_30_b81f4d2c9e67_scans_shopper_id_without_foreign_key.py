"""scans.shopper_id without a foreign key: a scan no longer writes a shoppers row.

A scan mints the shopper id for the cookie; the shoppers row is written when the shopper
first does something that needs it (shopper.services). The downgrade first writes the rows
that scans name and that do not exist, so the constraint holds again.

Revision ID: b81f4d2c9e67
Revises: 3c9e1a7d5b20
Create Date: 2026-11-30 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b81f4d2c9e67'
down_revision = '3c9e1a7d5b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_constraint('fk_scans_shopper_id_shoppers', type_='foreignkey')


def downgrade():
    # One row per shopper id that scans name without a row: the retailer and time of its
    # first scan.
    op.execute(sa.text(
        "INSERT INTO shoppers (id, retailer_id, created_at) "
        "SELECT scans.shopper_id, MIN(scans.retailer_id), MIN(scans.scanned_at) FROM scans "
        "WHERE scans.shopper_id IS NOT NULL AND scans.retailer_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM shoppers WHERE shoppers.id = scans.shopper_id) "
        "GROUP BY scans.shopper_id"
    ))
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_scans_shopper_id_shoppers', 'shoppers',
                                    ['shopper_id'], ['id'])
