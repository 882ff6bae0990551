"""media kinds, per-vendor ownership, responsive variants

Revision ID: 9ecb447b9599
Revises: 9ff54fa53e94
Create Date: 2026-11-22 18:44:21.959225

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ecb447b9599'
down_revision = '9ff54fa53e94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media_variants',
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('extension', sa.String(length=8), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], name=op.f('fk_media_variants_media_id_media')),
    sa.PrimaryKeyConstraint('media_id', 'width', 'extension', name=op.f('pk_media_variants'))
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='image'))
        batch_op.add_column(sa.Column('original_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.drop_constraint(batch_op.f('uq_media_sha256'), type_='unique')
        batch_op.create_index(batch_op.f('ix_media_sha256'), ['sha256'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_media_vendor_id_sha256'), ['vendor_id', 'sha256'])



def downgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_media_vendor_id_sha256'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_media_sha256'))
        batch_op.create_unique_constraint(batch_op.f('uq_media_sha256'), ['sha256'])
        batch_op.drop_column('original_name')
        batch_op.drop_column('kind')

    op.drop_table('media_variants')
