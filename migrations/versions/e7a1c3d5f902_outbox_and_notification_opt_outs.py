"""The outbox of e-mails and the notifications a person turned off (eis_toolkit/mail)

Revision ID: e7a1c3d5f902
Revises: b355c495f689
Create Date: 2026-12-01 23:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a1c3d5f902'
down_revision = 'b355c495f689'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_sent_at'), ['sent_at'], unique=False)
    op.create_table(
        'notification_opt_out',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_opt_out_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_opt_out')),
        sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_opt_out_user_id_kind')),
    )
    with op.batch_alter_table('notification_opt_out', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_opt_out_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('notification_opt_out')
    op.drop_table('outbox_message')
