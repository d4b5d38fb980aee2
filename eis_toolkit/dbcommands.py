"""``eis db ...``: Flask-Migrate's command group, for developers changing the schema.

Its own small module (only click), so that ``eis --help`` lists it without importing the
extensions, and Flask-Migrate (with Alembic, Mako and Pygments) is imported only when it runs.
"""
import click


class _LazyDbGroup(click.Group):
    """``eis db ...``: Flask-Migrate's command group, imported when it is used, not for ``--help``."""

    def _group(self) -> click.Group:
        from flask_migrate.cli import db as group

        return group

    def make_context(self, info_name, args, parent=None, **extra):
        # Invoked (not merely listed): hand over to the real group, with its options and callback.
        return self._group().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._group().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._group().get_command(ctx, name)


db_commands = _LazyDbGroup("db", help="Perform database migrations.")
