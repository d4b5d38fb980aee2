"""action plans: plans per hot-seat region and published workshop, actions, progress reports, comments

Revision ID: a7c3e91f0d42
Revises: e7a1c3d5f902
Create Date: 2026-12-01 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91f0d42'
down_revision = 'e7a1c3d5f902'
branch_labels = None
depends_on = None


def _enum(*values, length):
    return sa.Enum(*values, native_enum=False, length=length)


def upgrade():
    op.create_table('action_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('status', _enum('draft', 'submitted', length=9), nullable=False),
    sa.Column('policy_context', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_action_plan_region_id_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_action_plan_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plan')),
    sa.UniqueConstraint('workshop_id', 'region_id', name=op.f('uq_action_plan_workshop_id_region_id'))
    )
    with op.batch_alter_table('action_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plan_region_id'), ['region_id'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('background_kind', _enum('recommendation', 'dimension', 'practice', length=14), nullable=True),
    sa.Column('background_ref', sa.String(length=200), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('players', sa.Text(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=True),
    sa.Column('ends', sa.Date(), nullable=True),
    sa.Column('costs', sa.Text(), nullable=False),
    sa.Column('funding', sa.Text(), nullable=False),
    sa.Column('dimension_key', sa.String(length=64), nullable=False),
    sa.Column('indicator', sa.String(length=300), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], name=op.f('fk_action_plan_id_action_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_plan_comment_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], name=op.f('fk_plan_comment_plan_id_action_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_comment'))
    )
    with op.batch_alter_table('plan_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_comment_plan_id'), ['plan_id'], unique=False)

    op.create_table('progress_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('status', _enum('planned', 'started', 'done', 'dropped', length=7), nullable=False),
    sa.Column('current_value', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_progress_report_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_progress_report_author_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_report'))
    )
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_report_action_id'), ['action_id'], unique=False)


def downgrade():
    for table, index in (('progress_report', 'ix_progress_report_action_id'), ('plan_comment', 'ix_plan_comment_plan_id'),
                         ('action', 'ix_action_plan_id'), ('action_plan', 'ix_action_plan_region_id')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
