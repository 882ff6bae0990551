"""wishlist_link_requests: the one-time code a device types to join a wish list.

Revision ID: a7c3e91d5b20
Revises: e4b7c2a9d813
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91d5b20'
down_revision = 'e4b7c2a9d813'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wishlist_link_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('code_hmac', sa.String(length=64), nullable=False),
    sa.Column('retailer_ids', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wishlist_link_requests'))
    )
    with op.batch_alter_table('wishlist_link_requests', schema=None) as batch_op:
        batch_op.create_index('ix_wishlist_link_requests_email', ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('wishlist_link_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_wishlist_link_requests_email')
    op.drop_table('wishlist_link_requests')
