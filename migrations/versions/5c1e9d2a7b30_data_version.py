"""The data version: one row that every write the benchmark reads changes (eis_toolkit/cache.py)

Revision ID: 5c1e9d2a7b30
Revises: 4b84a0911ce1
Create Date: 2026-12-01 19:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1e9d2a7b30'
down_revision = '4b84a0911ce1'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': secrets.randbits(62)}])


def downgrade():
    op.drop_table('data_version')
