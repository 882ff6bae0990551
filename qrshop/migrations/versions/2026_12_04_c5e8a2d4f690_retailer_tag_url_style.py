"""retailers.tag_url_style: short (/T/<CODE>) or gs1 (GS1 Digital Link) tag URLs

Revision ID: c5e8a2d4f690
Revises: c4e1a7d2f930
Create Date: 2026-12-04 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e8a2d4f690'
down_revision = 'c4e1a7d2f930'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('retailers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tag_url_style', sa.String(length=8),
                                      server_default='short', nullable=False))


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), not a copy of the table: other tables'
    # foreign keys refer to retailers, so SQLite refuses to drop it while they hold rows.
    with op.batch_alter_table('retailers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('tag_url_style')
