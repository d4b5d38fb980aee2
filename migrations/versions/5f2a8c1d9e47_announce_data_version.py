"""PostgreSQL: every write to data_version is announced at its commit (NOTIFY eis_data_version),
so that the page cache's processes keep the versions until told (eis_toolkit/cache.py,
``CREATE_ANNOUNCEMENT``); nothing on SQLite

Revision ID: 5f2a8c1d9e47
Revises: a9d4c7e2b815
Create Date: 2026-12-04 22:00:00

"""
from alembic import op

from eis_toolkit import cache
from eis_toolkit.catalogue.search.postgresql import apply

# revision identifiers, used by Alembic.
revision = '5f2a8c1d9e47'
down_revision = 'a9d4c7e2b815'
branch_labels = None
depends_on = None


def upgrade():
    apply(op.get_bind(), cache.CREATE_ANNOUNCEMENT)


def downgrade():
    apply(op.get_bind(), cache.DROP_ANNOUNCEMENT)
