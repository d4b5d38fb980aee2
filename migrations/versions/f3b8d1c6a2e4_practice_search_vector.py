"""PostgreSQL: the practice's search vector stored (a generated column with a GIN index) instead
of an expression index (eis_toolkit/catalogue/search/postgresql.py); nothing on SQLite

Revision ID: f3b8d1c6a2e4
Revises: d5e9f3a7b1c2
Create Date: 2026-12-02 05:10:00

"""
import sqlalchemy as sa
from alembic import op

from eis_toolkit.catalogue.search import postgresql as pg_search

# revision identifiers, used by Alembic.
revision = 'f3b8d1c6a2e4'
down_revision = 'd5e9f3a7b1c2'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for statement in pg_search.CREATE_VECTOR:
            connection.execute(sa.text(statement))


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for statement in pg_search.DROP_VECTOR:
            connection.execute(sa.text(statement))
