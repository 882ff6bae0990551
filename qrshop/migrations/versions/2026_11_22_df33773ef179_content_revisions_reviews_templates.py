"""content revisions, reviews, audit log, landing templates

Revision ID: df33773ef179
Revises: 94875bd67e85
Create Date: 2026-11-22 18:46:10.780257

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df33773ef179'
down_revision = '94875bd67e85'
branch_labels = None
depends_on = None


def upgrade():
    """Content revisions, reviews, audit log; landing templates on retailers and listings."""
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

    with op.batch_alter_table('retailers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enabled_templates', sa.JSON(), nullable=False,
                                      server_default='["spotlight", "story", "specs", "look"]'))
        batch_op.add_column(sa.Column('default_template', sa.String(length=32), nullable=False, server_default='spotlight'))



def downgrade():
    """Back to no content workflow and no template choice."""
    with op.batch_alter_table('retailers', schema=None) as batch_op:
        batch_op.drop_column('default_template')
        batch_op.drop_column('enabled_templates')

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
