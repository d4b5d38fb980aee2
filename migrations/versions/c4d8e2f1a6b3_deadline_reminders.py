"""deadline reminders sent (eis notify due): one per kind, subject and person

Revision ID: c4d8e2f1a6b3
Revises: a7c3e91f0d42
Create Date: 2026-12-01 23:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d8e2f1a6b3'
down_revision = 'a7c3e91f0d42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reminder_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
        sa.UniqueConstraint('kind', 'subject_id', 'user_id', name=op.f('uq_reminder_kind_subject_id_user_id')),
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('reminder')
