"""Outbox per-recipient cap: outbox_messages.recipient_key, is_capped and their index.

recipient_key is the recipient as the cap counts it; is_capped marks messages anyone could
trigger for any address. Rows queued before this revision get their lower-cased recipient
and are not capped (they do not count). Plain ADD COLUMN: no table is rebuilt.

Revision ID: a7c3e91d5f28
Revises: a7c3e91d5b20
Create Date: 2026-12-04 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91d5f28'
down_revision = 'a7c3e91d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_messages', sa.Column('recipient_key', sa.String(length=254),
                                               nullable=False, server_default=''))
    op.add_column('outbox_messages', sa.Column('is_capped', sa.Boolean(), nullable=False,
                                               server_default=sa.false()))
    op.execute("UPDATE outbox_messages SET recipient_key = lower(recipient)")
    op.create_index('ix_outbox_messages_recipient_key_is_capped_created_at', 'outbox_messages',
                    ['recipient_key', 'is_capped', 'created_at'])


def downgrade():
    op.drop_index('ix_outbox_messages_recipient_key_is_capped_created_at',
                  table_name='outbox_messages')
    op.drop_column('outbox_messages', 'is_capped')
    op.drop_column('outbox_messages', 'recipient_key')
