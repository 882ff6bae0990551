"""content revisions, reviews, media variants, templates

Revision ID: df33773ef179
Revises: 99ff79aa0fc9
Create Date: 2026-11-22 18:46:10.780257

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df33773ef179'
down_revision = '99ff79aa0fc9'
branch_labels = None
depends_on = None


def upgrade():
    """Media variants and kinds, content revisions, reviews, audit log, landing templates."""
    op.create_table('media_variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], name=op.f('fk_media_variants_media_id_media')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_variants')),
    sa.UniqueConstraint('media_id', 'format', 'width', name=op.f('uq_media_variants_media_id_format_width'))
    )
    op.create_table('content_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_content_revisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_content_revisions_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_revisions')),
    sa.UniqueConstraint('product_id', 'number', name=op.f('uq_content_revisions_product_id_number'))
    )
    with op.batch_alter_table('content_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_revisions_product_id'), ['product_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('retailer_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_audit_log_retailer_id_retailers')),
    sa.ForeignKeyConstraint(['revision_id'], ['content_revisions.id'], name=op.f('fk_audit_log_revision_id_content_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('retailer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_reviews_decided_by_id_users')),
    sa.ForeignKeyConstraint(['retailer_id'], ['retailers.id'], name=op.f('fk_reviews_retailer_id_retailers')),
    sa.ForeignKeyConstraint(['revision_id'], ['content_revisions.id'], name=op.f('fk_reviews_revision_id_content_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('revision_id', 'retailer_id', name=op.f('uq_reviews_revision_id_retailer_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_retailer_id'), ['retailer_id'], unique=False)

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('live_revision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_listings_live_revision_id_content_revisions'), 'content_revisions', ['live_revision_id'], ['id'])

    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='image'))
        batch_op.add_column(sa.Column('label', sa.String(length=200), nullable=False, server_default=''))
        batch_op.drop_constraint(batch_op.f('uq_media_sha256'), type_='unique')
        batch_op.create_index('ix_media_sha256', ['sha256'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_media_vendor_id_sha256'), ['vendor_id', 'sha256'])

    with op.batch_alter_table('retailers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enabled_templates', sa.JSON(), nullable=False,
                                      server_default='["spotlight", "story", "specs", "look"]'))
        batch_op.add_column(sa.Column('default_template', sa.String(length=32), nullable=False, server_default='spotlight'))



def downgrade():
    """Back to one media row per file and no content workflow."""
    with op.batch_alter_table('retailers', schema=None) as batch_op:
        batch_op.drop_column('default_template')
        batch_op.drop_column('enabled_templates')

    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_media_vendor_id_sha256'), type_='unique')
        batch_op.drop_index('ix_media_sha256')
        batch_op.create_unique_constraint(batch_op.f('uq_media_sha256'), ['sha256'])
        batch_op.drop_column('label')
        batch_op.drop_column('kind')

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_listings_live_revision_id_content_revisions'), type_='foreignkey')
        batch_op.drop_column('live_revision_id')
        batch_op.drop_column('template')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_retailer_id'))

    op.drop_table('reviews')
    op.drop_table('audit_log')
    with op.batch_alter_table('content_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_revisions_product_id'))

    op.drop_table('content_revisions')
    op.drop_table('media_variants')
