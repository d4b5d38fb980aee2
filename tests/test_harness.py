"""The test harness itself (tests/conftest.py): each request has its own database session, so what a
view forgets to commit, an object kept from an earlier request and the test's own uncommitted work
fail a test; each test is rolled back, or (marked ``commits``) really commits."""
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm.exc import DetachedInstanceError

from eis_toolkit.extensions import db
from eis_toolkit.models import Region, User


@pytest.fixture
def toy(make_app):
    """An app with three extra routes that make the classic mistakes."""
    app = make_app()
    kept = {}

    @app.post("/_harness/forgets-to-commit")
    def forgets_to_commit():
        db.session.add(Region(code="XX01", name="Forgotten", country="XX"))
        db.session.flush()
        return "added"

    @app.post("/_harness/commits")
    def commits():
        db.session.add(Region(code="XX02", name="Kept", country="XX"))
        db.session.commit()
        return "added"

    @app.get("/_harness/keep")
    def keep():
        kept["region"] = db.session.scalar(select(Region).where(Region.code == "DK04"))
        return "kept"

    @app.get("/_harness/reuse")
    def reuse():
        return ", ".join(m.email for m in kept["region"].members)  # a lazy load on last request's object

    return app


def _regions(code):
    return db.session.scalar(select(func.count()).select_from(Region).where(Region.code == code))


def test_what_a_view_does_not_commit_is_gone_after_the_request(toy, app):
    client = toy.test_client()
    assert client.post("/_harness/forgets-to-commit").text == "added"
    assert _regions("XX01") == 0
    assert client.post("/_harness/commits").text == "added"
    assert _regions("XX02") == 1


def test_an_object_kept_from_an_earlier_request_is_detached(toy, loaded):
    client = toy.test_client()
    client.get("/_harness/keep")
    with pytest.raises(DetachedInstanceError):
        client.get("/_harness/reuse")


def test_an_object_the_test_holds_shows_what_a_request_committed(loaded, client, login):
    login("admin@example.org")
    member = db.session.scalar(select(User).where(User.email == "dk@example.org"))
    assert member.name == "Dag Member"
    response = client.post(f"/admin/people/{member.id}", data={
        "name": "Dag Renamed", "email": member.email, "region_id": str(member.region_id), "roles": ["region"],
        "password": "", "language": "en", "active": "y"})
    assert response.status_code == 302
    assert member.name == "Dag Renamed", "the test's session was ended before the request: reloaded"


@pytest.mark.parametrize("unsaved", ["added", "changed", "flushed"])
def test_a_request_after_uncommitted_test_changes_is_refused(loaded, client, unsaved):
    if unsaved == "added":
        db.session.add(Region(code="XX03", name="Pending", country="XX"))
    elif unsaved == "changed":
        db.session.scalar(select(Region).where(Region.code == "DK04")).name = "Changed"
    else:
        db.session.add(Region(code="XX03", name="Pending", country="XX"))
        db.session.flush()
    with pytest.raises(AssertionError, match="did not commit"):
        client.get("/")
    db.session.rollback()
    assert client.get("/").status_code == 200


def test_a_command_has_its_own_session_too(loaded, runner):
    db.session.add(Region(code="XX04", name="Pending", country="XX"))
    with pytest.raises(AssertionError, match="did not commit"):
        runner.invoke(args=["--help"])


def test_what_another_session_commits_survives_the_next_request(app, client, elsewhere):
    def add():
        db.session.add(Region(code="XX07", name="Elsewhere", country="XX"))
        db.session.commit()

    assert _regions("XX07") == 0  # the test's session is now in a transaction of its own
    elsewhere(add)
    assert client.get("/").status_code == 200
    assert _regions("XX07") == 1


def _seen_by_another_connection(code) -> int:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM region WHERE code = :code"), {"code": code}).scalar()


def test_a_commit_in_a_rolled_back_test_stays_inside_the_test(app):
    db.session.add(Region(code="XX05", name="Inside", country="XX"))
    db.session.commit()
    assert _regions("XX05") == 1
    assert _seen_by_another_connection("XX05") == 0, "the outer transaction is not committed"


@pytest.mark.commits
def test_a_test_marked_commits_really_commits(app):
    db.session.add(Region(code="XX06", name="Outside", country="XX"))
    db.session.commit()
    assert _seen_by_another_connection("XX06") == 1


def test_every_test_starts_from_what_init_db_leaves(app):
    """Empty tables but those ``eis init-db`` fills: the catalogue's vocabularies, as shipped, and the
    data version's one row."""
    from eis_toolkit.catalogue.models import Term
    from eis_toolkit.catalogue.taxonomies import SECTIONS, ensure_terms
    from tests.conftest import init_db_tables

    for table in db.metadata.sorted_tables:
        rows = db.session.scalar(select(func.count()).select_from(table))
        assert (rows > 0) == (table.name in init_db_tables()), table.name
    assert ensure_terms() == 0, "the seeded terms are the shipped ones"
    others = select(func.count()).select_from(Term).where(Term.vocabulary.not_in(SECTIONS.values()))
    assert db.session.scalar(others) == 0, "no dimension term left by an earlier test's questionnaire"
    db.session.rollback()


# Which tests the PostgreSQL run repeats (make test: --database-tests-only).

def test_a_test_that_meets_the_database_through_a_fixture_runs_on_every_database(client, request):
    from tests.conftest import uses_database

    assert uses_database(request.node)


def test_a_test_without_a_database_fixture_runs_once(tmp_path, request):
    from tests.conftest import uses_database

    assert not uses_database(request.node)


@pytest.mark.database
def test_a_test_that_reaches_a_database_itself_says_so_and_runs_on_every_database(request):
    from tests.conftest import uses_database

    assert uses_database(request.node)


# Replayed fixtures (tests/replay.py): core_questionnaire and loaded insert the rows that
# registering eis-core@1 and loading the small bundle add, captured once per worker.

def _every_row() -> dict[str, list[tuple]]:
    """Every table's rows, sorted, with ids numbered in order (1, 2, ...) in the id column and in
    the columns that refer to it (PostgreSQL's sequences give ids of their own to each load), and
    the times and the salted password hashes left out (the replayed rows keep those of the
    worker's capture: other tests log in with them)."""
    from sqlalchemy import DateTime

    from tests.replay import _stored_columns

    tables = db.metadata.sorted_tables
    numbers = {}
    for table in tables:
        ids = [c for c in table.primary_key.columns]
        if len(ids) == 1 and ids[0].autoincrement in (True, "auto") and ids[0].type.python_type is int:
            found = sorted(db.session.scalars(select(ids[0])))
            numbers[table.name] = {old: new for new, old in enumerate(found, 1)}

    def value(column, raw):
        if raw is None:
            return None
        if column.primary_key and column.table.name in numbers:
            return numbers[column.table.name][raw]
        for key in column.foreign_keys:
            if key.column.table.name in numbers:
                return numbers[key.column.table.name][raw]
        if column.name == "password_hash":
            return "<salted>"
        return "<time>" if isinstance(column.type, DateTime) else raw

    contents = {}
    for table in tables:
        columns = _stored_columns(table)
        rows = db.session.execute(select(*columns)).all()
        contents[table.name] = sorted((tuple(repr(value(c, v)) for c, v in zip(columns, row)) for row in rows))
    return contents


def _empty_but_init_db() -> None:
    from eis_toolkit.catalogue.models import Term
    from eis_toolkit.catalogue.taxonomies import SECTIONS

    for table in reversed(db.metadata.sorted_tables):
        if table.name not in ("term", "data_version"):
            db.session.execute(table.delete())
    db.session.execute(Term.__table__.delete().where(Term.vocabulary.not_in(SECTIONS.values())))
    db.session.commit()


def test_a_replay_adds_the_rows_that_registering_and_loading_add(app, _core_writes, core_definition, bundle):
    from eis_toolkit.bundles.load import load_bundle
    from eis_toolkit.cache import DataVersion
    from eis_toolkit.questionnaires.services import register
    from tests.replay import capture, replay

    def versions():
        return dict(db.session.execute(select(DataVersion.id, DataVersion.version)).all())

    def assert_same(replayed, real):
        assert replayed.keys() == real.keys()
        for name, rows in replayed.items():
            if name != "data_version":
                assert rows == real[name], name

    register(core_definition)
    db.session.commit()
    registered = _every_row()
    assert registered["question"] and registered["dimension"]
    _empty_but_init_db()
    replay(db.session, _core_writes)
    assert_same(_every_row(), registered)

    writes = capture(db.session, db.metadata.sorted_tables, lambda: load_bundle(bundle))
    loaded, loaded_versions = _every_row(), versions()
    assert loaded["practice"] and loaded["review_score"]
    _empty_but_init_db()
    replay(db.session, _core_writes)
    replay(db.session, writes)
    assert_same(_every_row(), loaded)
    again = versions()
    assert again.keys() == loaded_versions.keys() and not set(again.values()) & set(loaded_versions.values())


def test_each_replay_gives_the_data_versions_new_values(app, _core_writes):
    """As a real write would: no cache entry of an earlier test can be read."""
    from eis_toolkit.cache import DataVersion
    from tests.replay import replay

    def versions():
        return dict(db.session.execute(select(DataVersion.id, DataVersion.version)).all())

    replay(db.session, _core_writes)
    first = versions()
    replay(db.session, replace(_core_writes, rows=()))
    assert _core_writes.versions and all(versions()[row] != first[row] for row in _core_writes.versions)


def test_load_keeps_what_it_added_for_the_next_test_that_loads_the_same_bundle(loaded):
    from tests.replay import LOADS

    assert json.dumps(loaded, sort_keys=True, default=str) in LOADS


def test_a_load_after_the_test_wrote_something_loads_for_real(core_questionnaire, load, bundle):
    """A replay would insert a second DK04 (and fail); the real load updates the one there."""
    db.session.add(Region(code="DK04", name="Written first", country="DK"))
    db.session.commit()
    load(bundle)
    assert db.session.scalars(select(Region.name).where(Region.code == "DK04")).all() == ["Central Denmark"]
    assert db.session.scalar(select(func.count()).select_from(User)) == len(bundle["people"])


def test_the_replayed_practice_is_found_by_the_search_index(loaded, client):
    """SQLite's FTS5 triggers and PostgreSQL's stored vector follow the replayed rows."""
    response = client.get("/practices/?q=Japan")
    assert response.status_code == 200
    assert b"Paths to Japan" in response.data
    assert b"Paths to Japan" not in client.get("/practices/?q=Denmark").data
