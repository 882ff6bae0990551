"""curated complete-the-look links

Revision ID: 13fc54761282
Revises: a883212df253
Create Date: 2026-11-22 18:39:46.693725

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '13fc54761282'
down_revision = 'a883212df253'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('curated_links',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('related_listing_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('listing_id <> related_listing_id', name=op.f('ck_curated_links_not_itself')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_curated_links_listing_id_listings')),
    sa.ForeignKeyConstraint(['related_listing_id'], ['listings.id'], name=op.f('fk_curated_links_related_listing_id_listings')),
    sa.PrimaryKeyConstraint('listing_id', 'related_listing_id', name=op.f('pk_curated_links'))
    )


def downgrade():
    op.drop_table('curated_links')
