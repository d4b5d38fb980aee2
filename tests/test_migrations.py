"""The migrations build exactly the schema the models describe, on every database we run on."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from eis_toolkit.catalogue.search import include_object
from eis_toolkit.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                              "include_object": include_object})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_init_db_is_idempotent(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0 and "up to date" in second.output


def test_postgresql_search_reads_no_pending_list_and_a_narrow_table(app):
    """Migration a9d4c7e2b815: the GIN index writes its entries at once (no pending list that
    every search scans) and long texts of a practice go to TOAST (fewer heap pages to read)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the settings exist on PostgreSQL only: the PostgreSQL run of make test checks them")
    options = dict(db.session.execute(text(
        "SELECT relname, reloptions FROM pg_class WHERE relname IN ('practice', 'ix_practice_search_vector')")).all())
    assert options == {"practice": ["toast_tuple_target=128"], "ix_practice_search_vector": ["fastupdate=off"]}
