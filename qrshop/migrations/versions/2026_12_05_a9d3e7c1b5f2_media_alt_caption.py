"""media.alt_text and media.caption: what shoppers' pages say about an image

Revision ID: a9d3e7c1b5f2
Revises: f8b2d6a4c913
Create Date: 2026-12-05 00:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9d3e7c1b5f2'
down_revision = 'f8b2d6a4c913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alt_text', sa.String(length=300),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('caption', sa.String(length=300),
                                      server_default='', nullable=False))


def downgrade():
    # DROP COLUMN in place (SQLite >= 3.35): other tables' foreign keys refer to media.
    with op.batch_alter_table('media', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('caption')
        batch_op.drop_column('alt_text')
