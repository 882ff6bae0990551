"""media.caption: the gallery's caption (media.alt_text came with feedback moderation)

Revision ID: a9d3e7c1b5f2
Revises: c3e7a1b5d902
Create Date: 2026-12-05 00:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9d3e7c1b5f2'
down_revision = 'c3e7a1b5d902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caption', sa.String(length=300),
                                      server_default='', nullable=False))


def downgrade():
    # DROP COLUMN in place (SQLite >= 3.35): other tables' foreign keys refer to media.
    with op.batch_alter_table('media', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('caption')
