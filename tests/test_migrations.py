"""The migrations build exactly the schema the models describe, on every database we run on."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
