"""content_locales: a content revision's language, the retailer's default language, and the
live revision per language of a listing (docs/i18n.md).

Revision ID: d2b6f8a1c7e3
Revises: e7a4c1d9b3f6
Create Date: 2026-12-04 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2b6f8a1c7e3'
down_revision = 'e7a4c1d9b3f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), server_default='en',
                                      nullable=False))
    with op.batch_alter_table('retailers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_language', sa.String(length=8),
                                      server_default='en', nullable=False))
    op.create_table('live_translations',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'],
                            name=op.f('fk_live_translations_listing_id_listings')),
    sa.ForeignKeyConstraint(['revision_id'], ['content_revisions.id'],
                            name=op.f('fk_live_translations_revision_id_content_revisions')),
    sa.PrimaryKeyConstraint('listing_id', 'locale', name=op.f('pk_live_translations'))
    )


def downgrade():
    op.drop_table('live_translations')
    # ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), not a copy of the table: other tables'
    # foreign keys refer to both, so SQLite refuses to drop them while they hold rows.
    with op.batch_alter_table('retailers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('default_language')
    with op.batch_alter_table('content_revisions', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('locale')
