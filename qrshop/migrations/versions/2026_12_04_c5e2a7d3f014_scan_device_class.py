"""scan_device_class: each scan keeps the class of device (phone, tablet, desktop) read from
its user agent, for the scan events API; the agent itself is still never stored.

Revision ID: c5e2a7d3f014
Revises: b3d91f0c7a11
Create Date: 2026-12-04 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e2a7d3f014'
down_revision = 'b3d91f0c7a11'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_column('device')
