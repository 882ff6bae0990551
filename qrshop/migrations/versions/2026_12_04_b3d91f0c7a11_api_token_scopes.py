"""api_token_scopes: an API token carries scopes (empty: every scope of its user's role).

Revision ID: b3d91f0c7a11
Revises: f1c3a8e5b902
Create Date: 2026-12-04 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d91f0c7a11'
down_revision = 'f1c3a8e5b902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scopes')
