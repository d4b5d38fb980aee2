"""Fixtures: an app per test on a database built once per run by the migrations.

The database is SQLite in a temporary folder, or the server named by ``EIS_TEST_DATABASE_URL``
(``make test`` runs the suite again on a throw-away PostgreSQL cluster). Every test starts from
empty tables.
"""
from __future__ import annotations

import copy
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from sqlalchemy import event, text
from werkzeug.serving import make_server

from eis_toolkit import ROOT, create_app
from eis_toolkit.extensions import db

CORE_QUESTIONNAIRE = ROOT / "questionnaires" / "eis-core-v1.yaml"


def pytest_report_header(config):
    return f"database: {os.environ.get('EIS_TEST_DATABASE_URL') or 'SQLite (temporary file)'}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """scrypt costs a tenth of a second per password; the tests hash hundreds."""
    monkeypatch.setattr("eis_toolkit.accounts.models.PASSWORD_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("EIS_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _settings(database_url: str, tmp_path: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "EIS_UPLOAD_DIR": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,  # tests/test_sessions.py switches it on
        **extra,
    }


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Empty the test database, then build the schema with the migrations (``eis init-db``)."""
    from flask_migrate import upgrade

    app = create_app(_settings(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()


@pytest.fixture
def make_app(_schema, database_url, tmp_path):
    """Build an app on the test database with extra settings (e.g. CSRF switched on)."""
    apps = []

    def make(**extra):
        app = create_app(_settings(database_url, tmp_path, **extra))
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    _empty_tables(apps[0] if apps else make())


def _empty_tables(app) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


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


@pytest.fixture
def core_questionnaire(app, core_definition):
    """The shipped eis-core@1 questionnaire, registered."""
    from eis_toolkit.questionnaires.services import register

    questionnaire, _ = register(core_definition)
    db.session.commit()
    return questionnaire


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


@pytest.fixture
def bundle():
    """A fresh copy of a small valid bundle, to load as it is or to change first."""
    return copy.deepcopy(SMALL_BUNDLE)


@pytest.fixture
def load(app, core_questionnaire):
    """Load a bundle (a dict) and commit, as ``eis load`` would."""
    from eis_toolkit.bundles.load import load_bundle

    def load(data):
        counts = load_bundle(data)
        db.session.commit()
        return counts

    return load


@pytest.fixture
def loaded(load, bundle):
    """The small bundle, loaded."""
    load(bundle)
    return bundle


@pytest.fixture
def login(client):
    """Log the test client in as the person with this e-mail (password from the small bundle)."""
    passwords = {p["email"]: p["password"] for p in SMALL_BUNDLE["people"]}

    def login(email: str, password: str | None = None):
        response = client.post("/login", data={"email": email, "password": password or passwords[email]})
        assert response.status_code == 302, f"login as {email} failed"
        return response

    return login


@pytest.fixture
def count_queries(app):
    """``with count_queries() as queries: ...`` then ``len(queries)``: SQL statements run."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app):
    """The app served on a free local port in a thread, for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        yield context.new_page()
        browser.close()


def write_yaml(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
