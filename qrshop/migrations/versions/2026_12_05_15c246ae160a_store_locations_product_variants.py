"""Store locations (latitude, longitude) and product variants (variant_group, size, colour)

Revision ID: 15c246ae160a
Revises: a9e3c5b7d214
Create Date: 2026-12-05 00:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '15c246ae160a'
down_revision = 'a9e3c5b7d214'
branch_labels = None
depends_on = None


def upgrade():
    # ALTER TABLE ... ADD COLUMN only: stores and products are referred to by other tables'
    # foreign keys, so SQLite could not rebuild them while they hold rows.
    with op.batch_alter_table('stores', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
    with op.batch_alter_table('products', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('variant_group', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('size', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('colour', sa.String(length=40), nullable=True))
    op.create_index('ix_products_variant_group', 'products', ['variant_group'], unique=False)


def downgrade():
    op.drop_index('ix_products_variant_group', table_name='products')
    with op.batch_alter_table('products', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('colour')
        batch_op.drop_column('size')
        batch_op.drop_column('variant_group')
    with op.batch_alter_table('stores', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
