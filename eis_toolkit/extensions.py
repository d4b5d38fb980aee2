"""Flask extensions, created once here and bound to the app in ``create_app``.

Flask-Migrate (and with it Alembic, Mako and Pygments: a third of the start-up time) is imported
only when a migration runs: :class:`LazyMigrate` registers the ``db`` command group and the
``migrate`` extension entry as stand-ins that import it on first use.

Every SQLite connection gets :func:`sqlite_settings` (write-ahead log, a busy timeout).

Flask-Limiter's limits are all on views (:func:`init_limiter`).
"""
import sqlite3

from flask.globals import request_ctx
from flask_babel import lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

from .dbcommands import db_commands

#: Constraint names that Alembic can reproduce on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

#: How long a SQLite write waits for another worker's write transaction before it fails (ms).
SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def sqlite_settings(dbapi_connection, connection_record) -> None:
    """SQLite for several gunicorn workers at once (README, Running in production).

    - ``journal_mode=WAL``: readers never wait for a writer nor a writer for readers, and a commit
      appends to the log (one ``fsync``; ``synchronous`` stays ``FULL``, so a committed score
      survives a power cut too) instead of copying pages to a rollback journal and back;
    - ``busy_timeout``: a write that finds another worker's write transaction open waits for it
      (up to :data:`SQLITE_BUSY_TIMEOUT_MS`) instead of failing with "database is locked".

    Write transactions start at their first write, not before: pysqlite issues ``BEGIN`` just
    before the first INSERT/UPDATE/DELETE, and the reads before it see the latest commit. A
    transaction therefore never has to turn a stale read snapshot into a write (the one case
    where SQLite fails at once instead of waiting); from its first write on it holds the write
    lock until it commits, as ``BEGIN IMMEDIATE`` would. Lost updates are caught as before by
    the versions (``Review.version``: a save from an out-of-date page is a 409)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        dbapi_connection.execute("PRAGMA journal_mode = WAL")


class _LazyMigrateConfig:
    """Stands in ``app.extensions["migrate"]`` until Flask-Migrate is asked for something: then
    it imports it, initialises it on the app (which replaces this stand-in) and answers."""

    def __init__(self, app, owner: "LazyMigrate", db_, directory: str):
        self._app, self._owner, self._db, self._directory = app, owner, db_, directory
        self._real = None

    def __getattr__(self, name):
        if self._real is None:
            from flask_migrate import Migrate

            Migrate(**self._owner.kwargs).init_app(self._app, self._db, directory=self._directory)
            self._real = self._app.extensions["migrate"]
        return getattr(self._real, name)


class LazyMigrate:
    """``Migrate(...)`` without importing Flask-Migrate until a migration or ``eis db`` runs."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def init_app(self, app, db_, directory: str) -> None:
        app.extensions["migrate"] = _LazyMigrateConfig(app, self, db_, directory)
        app.cli.add_command(db_commands)




migrate = LazyMigrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
#: Throttling (log-in attempts); memory by default, Redis when EIS_REDIS_URL is set (config.py).
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
login_manager.session_protection = "basic"  # a changed address or browser makes the session non-fresh
login_manager.login_view = "accounts.login"
login_manager.login_message = lazy_gettext("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = str  # the lazy message above, in the reader's language


def init_limiter(app) -> None:
    """Flask-Limiter on ``app``. Its limits are all on views (``@limiter.limit`` on the log-in and
    password pages), whose decorators check them as the view is called; the app-wide check before
    every request looks for default, application and blueprint limits, and there are none: it is
    left out (some 12 % of a cached page). Should such limits ever be configured, it stays. Its
    after-request hook (the deductions of ``deduct_when``) and its teardown run only in a request
    where a limit was checked: the others have no state of the limiter's to deduct from or clear."""
    limiter.init_app(app)
    manager = limiter.limit_manager
    if not (manager.default_limits or manager.application_limits or manager._blueprint_limits):
        app.before_request_funcs[None].remove(limiter._check_request_limit)
    after, teardown = app.after_request_funcs[None], app.teardown_request_funcs[None]
    deductions = next(i for i, hook in enumerate(after) if getattr(hook, "args", None) == (limiter,))
    after[deductions] = _where_limited(after[deductions])
    release = teardown.index(limiter._Limiter__release_context)
    teardown[release] = _where_limited(teardown[release])


def _where_limited(hook):
    """``hook`` of Flask-Limiter, run only when this request checked a limit (the limiter keeps its
    state on the request context then)."""

    def run(value):
        return hook(value) if hasattr(request_ctx._get_current_object(), "_limiter_request_context") else value

    return run
