"""Fixtures: one app and one schema per run (per xdist worker), each test rolled back at its end,
every request in its own database session.

The database is SQLite in a temporary folder, or the PostgreSQL server named by
``EIS_TEST_DATABASE_URL`` (``make test`` runs the suite again on a throw-away cluster). Under
pytest-xdist each worker has its own database: a SQLite file in its own temporary folder, or a
PostgreSQL database ``<name>_<worker>`` (e.g. ``eis_test_gw0``) created beside the one in the URL.
The migrations build the schema once per database.

Two ways a test meets the database (docs/developing.md, Tests):

- **rolled back** (the default): the test runs inside a transaction on one connection; every
  session of the test (the test body's and each request's) joins it through a SAVEPOINT, so the
  app's ``commit()`` and ``rollback()`` behave as in production while the outer transaction is
  rolled back when the test ends. Nothing to clean up.
- **real commits** (tests that use ``live_server``, or are marked ``@pytest.mark.commits``: other
  threads, other connections): the app talks to the database as in production and every table is
  emptied when the test ends.

Either way a request runs in its own app context and so in its own ``db.session``, removed when
the request ends: what a view does not commit is gone, and an object loaded before the request is
not the request's. Before each request (and CLI command) the test body's own session must have
nothing uncommitted; it is then ended, so objects the test holds are reloaded when next read.
"""
from __future__ import annotations

import contextvars
import copy
import json
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from flask import current_app, has_app_context, has_request_context
from flask.testing import FlaskCliRunner, FlaskClient
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from eis_toolkit import ROOT, create_app
from eis_toolkit.extensions import db
from eis_toolkit.models import User

from tests import replay

CORE_QUESTIONNAIRE = ROOT / "questionnaires" / "eis-core-v1.yaml"


def pytest_report_header(config):
    return f"database: {os.environ.get('EIS_TEST_DATABASE_URL') or 'SQLite (temporary file)'}"


# --- which tests a second database run repeats ------------------------------------------------

#: The fixtures through which a test meets the test database (``_app``, ``app``, ``client`` and
#: the rest depend on them). A test with none of them, and not marked ``database``, runs the same
#: code on every run: ``make test`` runs it in the SQLite run only.
DATABASE_FIXTURES = frozenset({"_schema", "database_url"})


def pytest_addoption(parser):
    parser.addoption("--database-tests-only", metavar="FILE",
                     help="run only the tests that use the database (DATABASE_FIXTURES, or marked "
                          "database); write the number left out, then their ids, to FILE")


def uses_database(item) -> bool:
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("database") is not None


def pytest_collection_modifyitems(config, items):
    report = config.getoption("database_tests_only")
    if not report:
        return
    left = [item for item in items if not uses_database(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if uses_database(item)]
    Path(report).write_text("\n".join([str(len(left)), *(item.nodeid for item in left)]) + "\n", encoding="utf-8")


# --- the database: one per run, or per xdist worker ------------------------------------------


def _worker() -> str | None:
    """The xdist worker id (``gw0``...), or None when not running under xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("EIS_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    worker = _worker()
    if worker is None or make_url(url).get_backend_name() != "postgresql":
        yield url
        return
    # A database of this worker's own, beside the one the URL names.
    base = make_url(url)
    name = f"{base.database}_{worker}"
    server = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _settings(database_url: str, upload_dir: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "EIS_UPLOAD_DIR": str(upload_dir),
        "WTF_CSRF_ENABLED": False,
        # Log-in throttling stays on, with limits no test reaches (tests/test_sessions.py sets low ones).
        "EIS_LOGIN_LIMIT_ADDRESS": "10000 per minute",
        "EIS_LOGIN_LIMIT_ACCOUNT": "10000 per minute",
        # E-mail goes to .eml files beside the uploads unless a test starts an SMTP server (smtp_server).
        "EIS_OUTBOX_DIR": str(upload_dir.with_name(upload_dir.name + "-outbox")),
        # PDFs are cached by what they show (reporting/cache.py): tests share one folder as workers
        # and servers share one in production (make test: one for its workers and both database
        # runs, EIS_TEST_REPORT_CACHE, emptied at its start); a test about rendering or the cache
        # takes one of its own (the report_cache fixture).
        "EIS_REPORT_CACHE_DIR": os.environ.get("EIS_TEST_REPORT_CACHE")
        or str(upload_dir.with_name(upload_dir.name + "-report-cache")),
        "EIS_SMTP_URL": None,
        # The live screens poll every half second, not every 4: browser tests wait for a poll.
        "EIS_LIVE_REFRESH_SECONDS": 0.5,
        **extra,
    }


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """scrypt costs a tenth of a second per password; the tests hash hundreds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("eis_toolkit.accounts.models.PASSWORD_METHOD", "pbkdf2:sha256:1000")
        yield


# --- every request in its own app context, hence its own database session -------------------


class _Unsaved(AssertionError):
    pass


def hand_over() -> None:
    """Before a request or command: the test's own session must hold nothing uncommitted (the
    request could not see it in production); it is then ended, so that objects the test holds
    are reloaded, with what the request committed, when they are next read."""
    if not has_app_context() or not db.session.registry.has():
        return
    session = db.session()
    changed = session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    if changed or session.info.get("eis_flushed"):
        raise _Unsaved("the test's db.session has changes it did not commit: a request would not see them "
                       "(commit them, or roll them back, before the request)")
    session.rollback()


class RequestClient(FlaskClient):
    """Flask's test client, running each request in a fresh ``contextvars`` context: Flask then
    pushes an app context of the request's own (as in production, instead of reusing the test's),
    Flask-SQLAlchemy gives it its own session and removes that session when the request ends."""

    def run_wsgi_app(self, environ, buffered=False):
        hand_over()
        return contextvars.Context().run(super().run_wsgi_app, environ, buffered)


class CommandRunner(FlaskCliRunner):
    """Flask's CLI runner, each command in its own app context and database session."""

    def invoke(self, *args, **kwargs):
        hand_over()
        return contextvars.Context().run(super().invoke, *args, **kwargs)


def _new_app(database_url: str, upload_dir: Path, **extra):
    app = create_app(_settings(database_url, upload_dir, **extra))
    app.test_client_class = RequestClient
    app.test_cli_runner_class = CommandRunner
    return app


# --- sessions joining the test's transaction -------------------------------------------------

#: The connection (and the thread using it) that the sessions of a rolled-back test bind to.
_bound = threading.local()


def _install_session_binding() -> None:
    """Sessions of a rolled-back test use its connection, through a SAVEPOINT of their own, so a
    commit releases the SAVEPOINT and a rollback returns to it; the outer transaction stays."""
    session_class = db.session.session_factory.class_  # sessionmaker's own subclass: ours to change
    if getattr(session_class, "_eis_bound", False):
        return
    original = session_class.get_bind

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        connection = getattr(_bound, "connection", None)
        if bind is None and connection is not None:
            return connection
        return original(self, mapper=mapper, clause=clause, bind=bind, **kwargs)

    session_class.get_bind = get_bind
    session_class._eis_bound = True
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")

    # What the test body flushed but did not commit is unsaved work too (see hand_over).
    @event.listens_for(db.session, "after_flush")
    def flushed(session, context):
        session.info["eis_flushed"] = True

    @event.listens_for(db.session, "after_commit")
    @event.listens_for(db.session, "after_rollback")
    def ended(session):
        session.info.pop("eis_flushed", None)


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Empty the test database, then build it as ``eis init-db`` does: the schema by the migrations,
    then the catalogue's vocabularies (the seeded tables, which stay for the whole run)."""
    from flask_migrate import upgrade

    from eis_toolkit.catalogue.taxonomies import ensure_terms

    _install_session_binding()
    app = create_app(_settings(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        ensure_terms()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _app(_schema, database_url, tmp_path_factory):
    """The app of this run (of this worker): built once, its settings restored after each test."""
    app = _new_app(database_url, tmp_path_factory.mktemp("uploads"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _real_commits(request) -> bool:
    return "live_server" in request.fixturenames or request.node.get_closest_marker("commits") is not None


#: The connection holding the transaction of the current module's shared data (see ``shared_data``).
_shared = threading.local()


def _begin(engine):
    """A connection with a transaction begun, on which SAVEPOINTs work (also with pysqlite)."""
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        # pysqlite begins transactions itself, lazily, and not for SAVEPOINT: take over (SQLAlchemy's
        # "Serializable isolation / Savepoints / Transactional DDL" recipe), on this connection only.
        connection.connection.dbapi_connection.isolation_level = None
    transaction = connection.begin()
    if engine.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
    return connection, transaction


def _roll_back(connection, transaction) -> None:
    transaction.rollback()
    if connection.dialect.name == "sqlite":
        connection.connection.dbapi_connection.isolation_level = ""
    connection.close()


@pytest.fixture
def _database(_app, request):
    """The test's database: a transaction rolled back at the end (a SAVEPOINT of the module's
    transaction when the module shares data), or real commits then empty tables."""
    with _app.app_context():
        engine = db.engine
    shared = getattr(_shared, "connection", None)
    if _real_commits(request):
        if shared is not None:
            pytest.fail("this module shares data (shared_data): a test with real commits belongs in another module")
        yield
        with _app.app_context():
            db.session.remove()
        _empty_tables(engine)
        return

    if shared is not None:
        if "shared_data" not in request.fixturenames:
            pytest.fail("this module shares data (shared_data): each of its tests that uses the database starts from it")
        savepoint = shared.begin_nested()
        _bound.connection = shared
        try:
            yield
        finally:
            _bound.connection = None
            if savepoint.is_active:
                savepoint.rollback()
        return

    connection, transaction = _begin(engine)
    _bound.connection = connection
    try:
        yield
    finally:
        _bound.connection = None
        _roll_back(connection, transaction)


@pytest.fixture(scope="module")
def shared_data(_app, core_definition):
    """Data built once for a module, for tests that only start from it.

    ``shared_data(build)`` registers eis-core@1, runs ``build()`` in an app context, commits and
    returns what ``build`` returned (plain values: ids, keys; objects would be detached). The
    module's tests then run inside the module's transaction, each in a SAVEPOINT rolled back at its
    end, so every test sees the data as ``build`` left it; the module's transaction is rolled back
    after its last test. In such a module every test that uses the database takes this fixture
    (directly or through another), and none has real commits."""
    from eis_toolkit.questionnaires.services import register

    with _app.app_context():
        connection, transaction = _begin(db.engine)
    built = []

    def build_once(build):
        assert not built, "shared_data builds once per module"
        _bound.connection = connection
        try:
            with _app.app_context():
                register(core_definition)
                db.session.commit()
                result = build()
                db.session.commit()
                db.session.remove()
        finally:
            _bound.connection = None
        built.append(result)
        return result

    _shared.connection = connection
    try:
        yield build_once
    finally:
        _shared.connection = None
        _roll_back(connection, transaction)


def init_db_tables() -> frozenset[str]:
    """The tables ``eis init-db`` fills: the vocabularies, and the data version's one row."""
    from eis_toolkit.backup import DERIVED_TABLES, SEEDED_TABLES

    return SEEDED_TABLES | DERIVED_TABLES


def _empty_tables(engine) -> None:
    """Back to what ``eis init-db`` leaves: one DELETE per table but those it fills, and the terms
    of other vocabularies than the shipped ones (a registered questionnaire's dimensions), in one
    transaction."""
    from eis_toolkit.catalogue.models import Term
    from eis_toolkit.catalogue.taxonomies import SECTIONS

    kept = init_db_tables()
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in kept:
                connection.execute(table.delete())
        connection.execute(Term.__table__.delete().where(Term.vocabulary.not_in(SECTIONS.values())))


# --- the fixtures the tests use --------------------------------------------------------------


@pytest.fixture
def make_app(_database, database_url, tmp_path):
    """Build another app on the test database with extra settings (e.g. CSRF switched on)."""
    apps = []

    def make(**extra):
        app = _new_app(database_url, tmp_path / "uploads", **extra)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(_app, _database, tmp_path):
    """The app, with an app context pushed for the test body (CSRF off, uploads in tmp_path)."""
    saved = dict(_app.config)
    _app.config["EIS_UPLOAD_DIR"] = str(tmp_path / "uploads")
    with _app.app_context():
        yield _app
        db.session.remove()
    _app.config.clear()
    _app.config.update(saved)


@pytest.fixture
def report_cache(app, tmp_path, monkeypatch) -> Path:
    """An empty PDF cache folder of the test's own, for tests that must render (not read back)."""
    monkeypatch.setitem(app.config, "EIS_REPORT_CACHE_DIR", str(tmp_path / "report-cache"))
    return tmp_path / "report-cache"


@pytest.fixture
def elsewhere(app):
    """``elsewhere(fn, *args)``: call ``fn`` as another request would, in its own app context and
    database session (``fn`` commits what it wants kept), even from inside a request of the test.
    Such a test interleaves two sessions: mark it ``@pytest.mark.commits``."""

    def run(fn, *args, **kwargs):
        if not has_request_context():
            hand_over()  # else the test's open SAVEPOINT would hold, and could undo, what fn commits

        def call():
            with app.app_context():
                return fn(*args, **kwargs)

        return contextvars.Context().run(call)

    return run


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def core_definition():
    """The shipped eis-core@1 questionnaire, parsed once."""
    from eis_toolkit.questionnaires.schema import load_questionnaire_file

    return load_questionnaire_file(CORE_QUESTIONNAIRE)


@pytest.fixture(scope="session")
def _core_writes(_app, core_definition, _fast_password_hashing) -> replay.Writes:
    """What registering eis-core@1 adds to an empty database, captured once per worker
    (``tests/replay.py``) and replayed by ``core_questionnaire``."""
    from eis_toolkit.questionnaires.services import register

    if getattr(_shared, "connection", None) is not None:
        pytest.fail("a module that shares data (shared_data) builds its own: not core_questionnaire or load")
    with _app.app_context():
        connection, transaction = _begin(db.engine)
        _bound.connection = connection
        try:
            writes = replay.capture(db.session, db.metadata.sorted_tables, lambda: register(core_definition)[0].id)
            db.session.remove()
        finally:
            _bound.connection = None
            _roll_back(connection, transaction)
    return writes


@pytest.fixture
def core_questionnaire(app, _core_writes):
    """The shipped eis-core@1 questionnaire, registered (its rows replayed: ``_core_writes``)."""
    from eis_toolkit.models import Questionnaire

    replay.replay(db.session, _core_writes)
    replay.watch()
    return db.session.get(Questionnaire, _core_writes.returned)


SMALL_BUNDLE = {
    "programme": {"slug": "eis", "title": "Everywhere International SMEs"},
    "regions": [
        {"code": "DK04", "name": "Central Denmark", "country": "DK", "language": "da"},
        {"code": "IE04", "name": "Northern and Western", "country": "IE"},
        {"code": "ITC4", "name": "Lombardy", "country": "IT", "language": "it"},
    ],
    "people": [
        {"email": "admin@example.org", "name": "Ada Admin", "roles": ["admin"], "password": "admin-pass"},
        {"email": "host@example.org", "name": "Hana Host", "region": "DK04", "roles": ["host", "region"],
         "password": "host-pass"},
        {"email": "dk@example.org", "name": "Dag Member", "region": "DK04", "roles": ["region"],
         "password": "region-pass"},
        {"email": "it@example.org", "name": "Ida Reviewer", "region": "ITC4", "roles": ["region", "reviewer"],
         "password": "review-pass"},
        {"email": "ie@example.org", "name": "Ian Reviewer", "region": "IE04", "roles": ["region", "reviewer"],
         "password": "review-pass"},
    ],
    "workshops": [{
        "slug": "aarhus-2017", "title": "Aarhus workshop", "questionnaire": "eis-core@1", "host": "DK04",
        "place": "Aarhus", "starts": "2017-06-27", "ends": "2017-06-28", "status": "published",
        "hot_seat": ["DK04", "IE04"],
        "site_visits": [{"firm": "EASI'R", "what": "Car dealers' app"}],
        "assessments": [{"region": "DK04", "status": "submitted",
                         "answers": {"strategy.vision": {"score": 4, "comment": "Written strategy"},
                                     "strategy.budget": {"value": 540000}}}],
        "reviews": [{"reviewer": "it@example.org", "region": "DK04", "status": "submitted",
                     "scores": {"strategy.vision": {"score": 3, "comment": "Good"},
                                "strategy.kpis": {"score": None}},
                     "strengths": "Clear", "nominations": [{"title": "Company visits", "dimension": "outreach"}]}],
    }],
    "practices": [{"slug": "paths-japan", "title": "Paths to Japan", "region": "ITC4", "status": "published",
                   "instruments": ["webinar", "mission"], "markets": ["JP"], "dimensions": ["missions"],
                   "ratings": [{"rater": "ie@example.org", "evidence": 4, "transferability": 5, "usefulness": 3}]}],
}

#: The passwords of the people of the small bundle (and of the fixtures that extend it).
PASSWORDS = {p["email"]: p["password"] for p in SMALL_BUNDLE["people"]} | {
    "ho@example.org": "host-pass", "it2@example.org": "review-pass", "de@example.org": "review-pass"}


@pytest.fixture
def bundle():
    """A fresh copy of a small valid bundle, to load as it is or to change first."""
    return copy.deepcopy(SMALL_BUNDLE)


def _files(app) -> list[tuple[str, list[str]]]:
    """The files in the upload and outbox folders (a load that writes files is not replayed)."""
    folders = (app.config["EIS_UPLOAD_DIR"], app.config["EIS_OUTBOX_DIR"])
    return [(root, sorted(files)) for folder in folders for root, _, files in os.walk(folder)]


@pytest.fixture
def load(app, core_questionnaire):
    """Load a bundle (a dict) and commit, as ``eis load`` would. Where nothing was written since
    eis-core@1 was registered, the rows that this bundle added the first time the worker loaded
    it that way are replayed instead (``tests/replay.py``)."""
    from eis_toolkit.bundles.load import load_bundle

    def load(data):
        if not replay.untouched(db.session):
            counts = load_bundle(data)
            db.session.commit()
            return counts
        key = json.dumps(data, sort_keys=True, default=str)
        if key in replay.LOADS:
            replay.replay(db.session, replay.LOADS[key])
            return copy.deepcopy(replay.LOADS[key].returned)
        files = _files(app)
        try:
            writes = replay.capture(db.session, db.metadata.sorted_tables, lambda: load_bundle(data))
        except replay.NotReplayable as refused:
            return refused.returned
        if _files(app) == files:
            replay.LOADS[key] = writes
        return writes.returned

    return load


@pytest.fixture
def loaded(load, bundle):
    """The small bundle, loaded."""
    load(bundle)
    return bundle


@pytest.fixture
def login(client):
    """Log the test client in as the person with this e-mail (password from the small bundle or
    ``PASSWORDS``, unless given)."""

    def login(email: str, password: str | None = None):
        response = client.post("/login", data={"email": email, "password": password or PASSWORDS[email]})
        assert response.status_code == 302, f"login as {email} failed"
        return response

    return login


_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries: ...`` then ``len(queries)``: SQL statements run (the
    SAVEPOINTs of the test harness are not counted)."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not _TRANSACTION_CONTROL.match(statement):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


# --- e-mail: a real SMTP server on a free loopback port ---------------------------------------


class SmtpServer:
    """An aiosmtpd server in a thread; ``messages`` are the ``email.message.EmailMessage`` objects
    it accepted. ``refuse = True`` makes it answer every message with a 554; ``credentials =
    (user, password)`` makes it accept only that log-in (any log-in, or none, otherwise)."""

    def __init__(self):
        self.messages: list = []
        self.refuse = False
        self.credentials = None
        self.port = 0

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        given = (auth_data.login.decode(), auth_data.password.decode()) if isinstance(auth_data, LoginPassword) else None
        return AuthResult(success=self.credentials is None or given == self.credentials, handled=False)

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        if self.refuse:
            return "554 Transaction failed: refused by the test"
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_recipients]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server for this test, and the app's ``EIS_SMTP_URL`` pointing at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = SmtpServer()
    handler.port = port
    # Log-in without TLS: the loopback test server has no certificate.
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=handler.authenticate,
                            auth_require_tls=False)
    controller.start()
    app.config["EIS_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        yield handler
    finally:
        controller.stop()


# --- browser tests ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def _server(_app):
    """The app served on a free local port in a thread, started once per run (per worker)."""
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def live_server(app, _server):
    """The address of the app served in a thread (real commits: load the data first, commit)."""
    return _server


@pytest.fixture(scope="session")
def _browser():
    """One Chromium per run (per worker), shared by the browser tests."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(_browser):
    """A page in a fresh browser context (its own cookies); every context is closed after the test."""
    context = _browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    for context in list(_browser.contexts):
        context.close()


def person(email: str) -> User | None:
    """The person with this e-mail, read in the test's session."""
    return db.session.scalar(select(User).where(User.email == email))


def log_in(page, base: str, email: str, password: str | None = None, *, through_the_form: bool = False) -> None:
    """Log a browser page in as ``email`` (password from ``PASSWORDS`` unless given) and open the
    dashboard, where the log-in form leads.

    The real log-in view answers: the test client posts the form's fields with the browser's
    User-Agent (Flask-Login's session protection compares it), and the session cookie it sets goes
    into the page's browser context, as Playwright's "authenticate once" recipe does. Typing into
    the form costs Chromium about a second of CPU per log-in; the form itself is driven by the
    journeys about it (tests/test_browser.py, test_i18n_browser.py, test_people_journey.py) and
    ``through_the_form=True``."""
    password = password or PASSWORDS[email]
    if through_the_form:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/dashboard")
        return
    app = current_app._get_current_object()
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password},
                           headers={"User-Agent": page.evaluate("navigator.userAgent")})
    assert response.status_code == 302 and response.location.endswith("/dashboard"), f"log-in as {email} failed"
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    page.context.add_cookies([{"name": name, "value": cookie.value, "url": base, "httpOnly": True, "sameSite": "Lax"}])
    page.goto(f"{base}/dashboard")


#: Set to a folder to keep screenshots of the browser journeys' pages (for looking at them; never in git).
SCREENSHOTS = os.environ.get("EIS_SCREENSHOTS")


def keep_screenshot(page, name: str) -> None:
    """With ``EIS_SCREENSHOTS=folder``, a full-page screenshot of ``page`` at 1280 and 390 px."""
    if SCREENSHOTS:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})


def assert_accessible(page, what: str | None = None) -> None:
    """axe-core finds no violation on the page, once it has loaded (its heading is in place).

    Waiting first matters after a click: axe run on the half-loaded next page reports a page
    without a heading."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    page.locator("h1").first.wait_for(state="attached")
    results = Axe().run(page)
    assert results.violations_count == 0, f"{what or page.url}: {results.generate_report()}"


def write_yaml(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
