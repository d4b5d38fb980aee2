"""PostgreSQL: the practice search reads less (eis_toolkit/catalogue/search/postgresql.py,
``CREATE_COMPACT``): its GIN index without a pending list, the table's long texts in TOAST;
nothing on SQLite

Revision ID: a9d4c7e2b815
Revises: f3b8d1c6a2e4
Create Date: 2026-12-03 11:50:00

"""
from alembic import op

from eis_toolkit.catalogue.search import postgresql as pg_search

# revision identifiers, used by Alembic.
revision = 'a9d4c7e2b815'
down_revision = 'f3b8d1c6a2e4'
branch_labels = None
depends_on = None


def upgrade():
    pg_search.apply(op.get_bind(), pg_search.CREATE_COMPACT)


def downgrade():
    pg_search.apply(op.get_bind(), pg_search.DROP_COMPACT)
