"""answers carried over from the region's previous self-assessment (answer.carried_from_id)

Revision ID: d5e9f3a7b1c2
Revises: c4d8e2f1a6b3
Create Date: 2026-12-02 02:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd5e9f3a7b1c2'
down_revision = 'c4d8e2f1a6b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_answer_carried_from_id_assessment'), 'assessment',
                                    ['carried_from_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_answer_carried_from_id_assessment'), type_='foreignkey')
        batch_op.drop_column('carried_from_id')
