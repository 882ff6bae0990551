"""feedback_moderation: shoppers' comments wait for a merchandiser's approval before the
landing page shows them; indexes for the landing page's rating summary; media alt text (the
gallery's captions, never file names).

Revision ID: c4d8e2a6f017
Revises: 15c246ae160a
Create Date: 2026-12-04 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2a6f017'
down_revision = '15c246ae160a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alt_text', sa.String(length=300), server_default='',
                                      nullable=False))
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_status', sa.String(length=16),
                                      server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('moderated_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_feedback_moderated_by_id_users'), 'users',
                                    ['moderated_by_id'], ['id'])
        batch_op.create_index('ix_feedback_listing_id_rating', ['listing_id', 'rating'],
                              unique=False)
        batch_op.create_index('ix_feedback_listing_id_comment_status_updated_at',
                              ['listing_id', 'comment_status', 'updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_listing_id_comment_status_updated_at')
        batch_op.drop_index('ix_feedback_listing_id_rating')
        batch_op.drop_constraint(batch_op.f('fk_feedback_moderated_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('moderated_by_id')
        batch_op.drop_column('moderated_at')
        batch_op.drop_column('comment_status')
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_column('alt_text')
