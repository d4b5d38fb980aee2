"""The whole-page cache (eis_toolkit/pagecache.py, docs/page-cache.md): a hit is the page the view
would render, for this reader only, in one query; every write, log-out or lost right shows at once."""
import os
import re
import select as select_module
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import event, select, text

from eis_toolkit import cache, pagecache
from eis_toolkit.columns import utcnow
from eis_toolkit.extensions import db
from eis_toolkit.models import Practice, Review, UserSession, Workshop
from tests.conftest import csrf_token, person

SCORECARD = "/benchmark/workshops/aarhus-2017/regions/DK04"
WORKSHOP = "/benchmark/workshops/aarhus-2017"
CATALOGUE = "/practices/?q=japan"
#: The public pages that name the practice of the small bundle.
PUBLIC_PAGES = [CATALOGUE, "/practices/paths-japan", "/self-check/results?market=JP"]


@pytest.fixture
def renders(app):
    """``with renders() as names: ...``: the templates rendered meanwhile (none on a hit)."""

    @contextmanager
    def recording():
        names = []

        def record(sender, template, context, **extra):
            names.append(template.name)

        with template_rendered.connected_to(record, app):
            yield names

    return recording


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


def fresh(client, path: str) -> str:
    """The page as the view renders it, with no cached page."""
    cache.clear()
    return without_tokens(client.get(path).get_data(as_text=True))


@pytest.mark.parametrize("email, path", [("dk@example.org", SCORECARD), ("host@example.org", WORKSHOP),
                                         (None, CATALOGUE), (None, "/practices/paths-japan"), (None, "/self-check"),
                                         ("ie@example.org", "/practices/paths-japan")])
def test_a_hit_is_the_page_of_a_miss_but_the_token_in_one_query(loaded, client, login, renders, count_queries,
                                                                 email, path):
    if email:
        login(email)
    miss = client.get(path)
    with renders() as rendered, count_queries() as queries:
        hit = client.get(path)
    assert (miss.status_code, hit.status_code) == (200, 200)
    assert rendered == [], "a hit renders no template"
    assert len(queries) == 1, queries
    assert without_tokens(hit.get_data(as_text=True)) == without_tokens(miss.get_data(as_text=True))
    assert hit.headers["Content-Type"] == miss.headers["Content-Type"]
    assert hit.headers["Content-Security-Policy"] == miss.headers["Content-Security-Policy"], "security headers"
    assert hit.headers["X-Frame-Options"] == "DENY"


def test_a_score_change_or_a_publication_shows_at_once(loaded, client, login):
    login("admin@example.org")
    before = client.get(SCORECARD).get_data(as_text=True)
    score = next(s for s in db.session.scalar(select(Review)).scores if s.question.key == "strategy.vision")
    score.score = 5
    db.session.commit()
    changed = without_tokens(client.get(SCORECARD).get_data(as_text=True))
    assert changed != without_tokens(before)
    assert changed == fresh(client, SCORECARD)

    workshop = db.session.scalar(select(Workshop))
    workshop.status = "closed"
    db.session.commit()
    closed = without_tokens(client.get(WORKSHOP).get_data(as_text=True))
    workshop.status = "published"
    db.session.commit()
    published = without_tokens(client.get(WORKSHOP).get_data(as_text=True))
    assert published != closed and published == fresh(client, WORKSHOP)


def test_a_practice_change_shows_at_once_on_the_public_pages(loaded, client):
    for path in PUBLIC_PAGES:
        assert "Paths to Japan" in client.get(path).get_data(as_text=True), path
    db.session.scalar(select(Practice)).title = "Paths to Japan, second edition"
    db.session.commit()
    for path in PUBLIC_PAGES:
        assert "Paths to Japan, second edition" in client.get(path).get_data(as_text=True), path


def test_anonymous_visitors_share_one_page(loaded, app, renders):
    first, second = app.test_client(), app.test_client()
    second.get("/login")  # a session of its own, with a CSRF token in it
    page = first.get(CATALOGUE).get_data(as_text=True)
    with renders() as rendered:
        shared = second.get(CATALOGUE).get_data(as_text=True)
    assert rendered == [] and shared == page
    assert 'name="csrf_token"' not in page, "a visitor's page holds no session's token"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_hit_makes_no_session(loaded, client, count_queries, path):
    assert client.get(path).status_code == 200
    with count_queries() as queries:
        hit = client.get(path)
    assert hit.status_code == 200 and len(queries) == 1, queries
    assert "Set-Cookie" not in hit.headers and client.get_cookie("session") is None, "no session, no cookie"
    assert hit.headers["X-Content-Type-Options"] == "nosniff"


def test_a_hit_opens_no_database_session(loaded, client, login, monkeypatch):
    """A hit reads on a connection of its own: no ORM session is opened, nor closed at its end (the
    outbox's end-of-request hook opens none either)."""
    opened = []
    real = db.session.registry.createfunc
    monkeypatch.setattr(db.session.registry, "createfunc", lambda: opened.append(1) or real())
    for path in (CATALOGUE, CATALOGUE):
        client.get(path)
    assert len(opened) == 1, "the miss had a session, the hit none"
    login("dk@example.org")
    client.get(SCORECARD)
    opened.clear()
    assert client.get(SCORECARD).status_code == 200 and opened == []


def _in_transaction(dbapi_connection) -> bool:
    """Whether the driver's connection is inside a transaction (sqlite3 or psycopg)."""
    if hasattr(dbapi_connection, "in_transaction"):
        return dbapi_connection.in_transaction
    from psycopg.pq import TransactionStatus

    return dbapi_connection.info.transaction_status != TransactionStatus.IDLE


@pytest.mark.commits  # the app's own connections, as in production (not the tests' transaction)
def test_a_hit_reads_the_versions_in_one_statement_outside_any_transaction(loaded, client, tmp_path, monkeypatch):
    """On PostgreSQL a read in a transaction costs three round trips (``BEGIN``, the read, the pool's
    ``ROLLBACK``); the hit's one statement runs alone, on the connection the process keeps for it
    (PostgreSQL, where it reads when nothing is kept: its protocol messages traced by libpq, one
    round trip, idle before and after; SQLite: the statements the driver ran, one ``SELECT`` and no
    ``BEGIN``), not through the pool."""
    monkeypatch.setattr(pagecache, "REMEMBER_FOR", 0.0)
    assert client.get(CATALOGUE).status_code == 200
    seen = []

    def after(connection, cursor, statement, *args):
        seen.append(statement)

    kept = pagecache._KeptConnection.of(db.engine).cursor.connection
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        if db.engine.dialect.name == "postgresql":
            traced = _traced(kept, tmp_path / "trace", lambda: client.get(CATALOGUE))
            sent = [line.split("\t")[2].split()[0] for line in traced if line.startswith("F")]
            ready = [line.split()[-1] for line in traced if "ReadyForQuery" in line]
            assert (sent.count("Execute"), sent.count("Sync"), ready) == (1, 1, ["I"]), traced
            assert "Query" not in sent, "no BEGIN, no ROLLBACK"
        else:
            ran = []
            kept.set_trace_callback(ran.append)
            try:
                assert client.get(CATALOGUE).status_code == 200
            finally:
                kept.set_trace_callback(None)
            assert [statement.split()[0] for statement in ran] == ["SELECT"], ran
            assert not kept.in_transaction
    finally:
        event.remove(db.engine, "after_cursor_execute", after)
    assert seen == [], "nothing through the pool"


def _write_version_elsewhere(announced: bool = True) -> None:
    """Change the catalogue version as another process would: on a driver connection, so that no
    commit event of this process's engine runs. Announced by the trigger unless ``announced`` is
    false (PostgreSQL runs no ordinary trigger for a replica's writes)."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if not announced:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE data_version SET version = version + 1 WHERE id = %s", (cache.CATALOGUE,))
        raw.commit()
    finally:
        raw.close()


def _postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite announces nothing: every hit reads the versions, in process")


@pytest.mark.commits
def test_an_anonymous_hit_asks_nothing_until_a_change_is_announced(loaded, client, renders, tmp_path, monkeypatch):
    """PostgreSQL: the versions read for an anonymous page are kept, so a hit sends the server
    nothing; another process's commit is announced, heard, and the next page is of the new version."""
    _postgresql_only()
    monkeypatch.setattr(pagecache, "REMEMBER_FOR", 3600.0)  # only the announcement can end what is kept
    assert client.get(CATALOGUE).status_code == 200
    kept = pagecache._KeptConnection.of(db.engine)
    assert kept.listening
    connection = kept.cursor.connection
    assert _traced(connection, tmp_path / "kept", lambda: client.get(CATALOGUE)) == []
    _write_version_elsewhere()
    assert select_module.select([connection.fileno()], [], [], 10)[0], "announced"
    with renders() as rendered:
        assert client.get(CATALOGUE).status_code == 200
    assert rendered, "the new version's page, rendered"
    assert _traced(connection, tmp_path / "kept-again", lambda: client.get(CATALOGUE)) == []


@pytest.mark.commits
def test_an_unannounced_change_shows_once_the_kept_versions_are_too_old(loaded, client, renders, monkeypatch):
    """PostgreSQL: should an announcement be lost, the page is at most ``REMEMBER_FOR`` old."""
    _postgresql_only()
    now = [1000.0]
    monkeypatch.setattr(pagecache, "monotonic", lambda: now[0])
    assert client.get(CATALOGUE).status_code == 200
    _write_version_elsewhere(announced=False)
    with renders() as rendered:
        assert client.get(CATALOGUE).status_code == 200
    assert rendered == [], "the versions kept: the page of before"
    now[0] += pagecache.REMEMBER_FOR
    with renders() as rendered:
        assert client.get(CATALOGUE).status_code == 200
    assert rendered, "read again: the new version's page"


@pytest.mark.commits
def test_a_commit_of_this_process_ends_what_is_kept_at_once(loaded, client, monkeypatch):
    """PostgreSQL: a write here shows on this process's next page without waiting for the
    announcement (here suppressed: only the commit can tell)."""
    _postgresql_only()
    monkeypatch.setattr(pagecache, "REMEMBER_FOR", 3600.0)
    assert "Paths to Japan" in client.get(CATALOGUE).get_data(as_text=True)
    db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.scalar(select(Practice)).title = "Paths to Japan, second edition"
    db.session.commit()
    db.session.remove()
    assert "Paths to Japan, second edition" in client.get(CATALOGUE).get_data(as_text=True)


@pytest.mark.commits
def test_a_database_that_announces_nothing_is_asked_on_every_hit(loaded, client, tmp_path):
    """PostgreSQL without the trigger (a database not migrated yet): no versions are kept."""
    _postgresql_only()
    trigger = "ALTER TABLE data_version {} TRIGGER eis_announce_data_version"
    with db.engine.begin() as connection:
        connection.execute(text(trigger.format("DISABLE")))
    try:
        db.engine.dispose()  # the kept connection opens again, and asks whether it may listen
        assert client.get(CATALOGUE).status_code == 200
        kept = pagecache._KeptConnection.of(db.engine)
        assert not kept.listening
        for name in ("first", "second"):
            traced = _traced(kept.cursor.connection, tmp_path / name, lambda: client.get(CATALOGUE))
            assert [line.split("\t")[2].split()[0] for line in traced if line.startswith("F")].count("Execute") == 1
    finally:
        with db.engine.begin() as connection:
            connection.execute(text(trigger.format("ENABLE")))
        db.engine.dispose()


@pytest.mark.commits
def test_a_logged_in_hit_on_the_kept_connection_compares_the_expiry_as_stored(loaded, client, login):
    """The reader's log-in is checked on the kept connection too, its time passed as the column
    writes it (SQLite: SQLAlchemy's text, not sqlite3's deprecated default adapter): a live log-in
    is served from there, one that has just expired is not."""
    login("dk@example.org")
    assert client.get(SCORECARD).status_code == 200
    kept = pagecache._KeptConnection.of(db.engine)
    if db.engine.dialect.name == "sqlite":
        ran = []
        kept.cursor.connection.set_trace_callback(ran.append)
        try:
            assert client.get(SCORECARD).status_code == 200
        finally:
            kept.cursor.connection.set_trace_callback(None)
        assert [statement.split()[0] for statement in ran] == ["SELECT"], ran
    else:
        assert client.get(SCORECARD).status_code == 200
    log_in = db.session.scalar(select(UserSession))
    log_in.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    db.session.remove()
    assert client.get(SCORECARD).status_code == 302
    assert kept.cursor is not None, "refused on the kept connection, not after a failed read"


def _traced(connection, path, request) -> list[str]:
    """The protocol messages of ``connection`` (psycopg) while ``request()`` runs, which must be a 200."""
    from psycopg.pq import Trace

    with open(path, "wb") as trace:
        connection.pgconn.trace(trace.fileno())
        connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        try:
            assert request().status_code == 200
        finally:
            connection.pgconn.untrace()
    return path.read_text().splitlines()


@pytest.mark.commits
def test_a_commit_on_another_connection_shows_at_once_on_the_kept_one(loaded, client):
    """A hit's versions come from a connection the process keeps: a write committed anywhere else
    is on the next page, and the hit read the versions there, not through the pool."""
    assert "Paths to Japan" in client.get(CATALOGUE).get_data(as_text=True)
    kept = pagecache._KeptConnection.of(db.engine).cursor
    db.session.scalar(select(Practice)).title = "Paths to Japan, second edition"
    db.session.commit()
    db.session.remove()
    assert "Paths to Japan, second edition" in client.get(CATALOGUE).get_data(as_text=True)
    assert kept is not None and pagecache._KeptConnection.of(db.engine).cursor is kept


def _drop(connection) -> None:
    """Take the kept driver connection away from under the process, as a server restart would."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": connection.info.backend_pid})
    else:
        connection.close()  # sqlite3: every use then raises ProgrammingError


@pytest.mark.commits
def test_a_lost_kept_connection_reads_through_the_pool_then_opens_again(loaded, client):
    assert client.get(CATALOGUE).status_code == 200
    kept = pagecache._KeptConnection.of(db.engine)
    lost = kept.cursor.connection
    _drop(lost)
    db.session.scalar(select(Practice)).title = "Paths to Japan, second edition"
    db.session.commit()
    db.session.remove()
    assert "Paths to Japan, second edition" in client.get(CATALOGUE).get_data(as_text=True)
    assert kept.cursor is None, "dropped; the pool answered"
    assert client.get(CATALOGUE).status_code == 200 and kept.cursor is not None
    assert kept.cursor.connection is not lost
    db.engine.dispose()
    assert kept.cursor is None, "engine.dispose() closes it"


@pytest.mark.commits
def test_a_forked_process_opens_its_own_kept_connection(loaded, client):
    """A gunicorn worker forked from a master that read the versions never shares its connection."""
    assert client.get(CATALOGUE).status_code == 200
    parent = pagecache._KeptConnection.of(db.engine)
    parents = parent.cursor.connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running anything of pytest's
        answer = b"0"
        try:
            db.engine.dispose(close=False)  # the pool's connections stay the parent's (SQLAlchemy's recipe)
            child = pagecache._KeptConnection.of(db.engine)
            fresh = child is not parent and child.cursor is None
            served = client.get(CATALOGUE).status_code == 200
            answer = b"1" if fresh and served and child.cursor.connection is not parents else b"0"
        except BaseException as error:  # noqa: BLE001 - the parent says what went wrong
            answer = repr(error).encode()
        finally:
            os.write(write, answer)
            os._exit(0)
    os.close(write)
    answer = os.read(read, 4096)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"1"
    assert pagecache._KeptConnection.of(db.engine) is parent and parent.cursor.connection is parents
    assert client.get(CATALOGUE).status_code == 200 and parent.cursor.connection is parents, "still usable here"


def test_a_process_keeps_at_most_its_page_cache_entries_of_pages(loaded, make_app):
    """Pages have a store of their own (``EIS_PAGE_CACHE_ENTRIES`` without Redis): many addresses
    neither grow a process's memory without end nor push the benchmark's rows out."""
    app = make_app(EIS_PAGE_CACHE_ENTRIES=3)
    client = app.test_client()
    stores = app.extensions["cache"]
    page_store, value_store = stores[cache.pages], stores[cache.cache]
    for market in ("JP", "US", "CN", "DE", "FR", "IN", "BR", "KR", "AE", "GB"):
        assert client.get(f"/self-check/results?market={market}").status_code == 200
    assert 1 <= len(page_store._cache) <= 4  # SimpleCache prunes once it holds more than 3
    assert all(key.startswith("page:") for key in page_store._cache)
    assert not any(key.startswith("page:") for key in value_store._cache)


def test_another_reader_never_gets_my_page(loaded, app, login, client):
    login("dk@example.org")
    assert "Dag Member" in client.get(SCORECARD).get_data(as_text=True)
    other = app.test_client()
    other.post("/login", data={"email": "ie@example.org", "password": "review-pass"})
    page = other.get(SCORECARD).get_data(as_text=True)
    assert "Ian Reviewer" in page and "Dag Member" not in page
    anonymous = app.test_client().get("/practices/paths-japan").get_data(as_text=True)
    assert "Dag Member" not in anonymous and "Log in" in anonymous
    assert "Dag Member" in client.get("/practices/paths-japan").get_data(as_text=True)


def test_a_log_in_elsewhere_empties_nobodys_pages(loaded, app, login, client, renders):
    login("dk@example.org")
    client.get(SCORECARD)
    version = cache.data_version(cache.PEOPLE)
    app.test_client().post("/login", data={"email": "ie@example.org", "password": "review-pass"})
    with renders() as rendered:
        client.get(SCORECARD)
    assert rendered == [] and cache.data_version(cache.PEOPLE) == version


def test_a_copied_cookie_of_an_ended_log_in_gets_no_cached_page(loaded, app, login, client):
    login("dk@example.org")
    assert client.get(SCORECARD).status_code == 200
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get(SCORECARD).status_code == 200
    client.post("/logout")
    for reader in (client, copy):
        response = reader.get(SCORECARD)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_expired_log_in_or_a_disabled_person_gets_no_cached_page(loaded, login, client):
    login("dk@example.org")
    assert client.get(SCORECARD).status_code == 200
    log_in = db.session.scalar(select(UserSession))
    log_in.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(SCORECARD).status_code == 302

    login("dk@example.org")
    assert client.get(SCORECARD).status_code == 200
    person("dk@example.org").active = False  # as in the database only: the log-in row stays
    db.session.commit()
    assert client.get(SCORECARD).status_code == 302


def test_a_removed_role_gets_no_cached_page(loaded, login, client):
    db.session.scalar(select(Workshop)).status = "closed"  # before publication: admins and hosts only
    db.session.commit()
    login("admin@example.org")
    assert client.get(SCORECARD).status_code == 200
    person("admin@example.org").roles = []
    db.session.commit()
    assert client.get(SCORECARD).status_code == 403


def test_each_language_gets_its_own_page(loaded, app, login, client):
    def shown(response) -> str:
        return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)

    visitor = app.test_client()
    assert shown(visitor.get(CATALOGUE, headers={"Accept-Language": "de"})) == "de"
    assert shown(visitor.get(CATALOGUE, headers={"Accept-Language": "it"})) == "it"
    assert shown(visitor.get(CATALOGUE + "&lang=da")) == "da"
    assert shown(visitor.get(CATALOGUE, headers={"Accept-Language": "it"})) == "da", "?lang= is remembered"
    login("dk@example.org")
    assert shown(client.get(SCORECARD)) == "en"
    person("dk@example.org").language = "it"  # the person's setting: a new page at once
    db.session.commit()
    assert shown(client.get(SCORECARD)) == "it"


def test_a_page_with_a_flash_message_is_neither_served_nor_stored(loaded, client):
    client.get(CATALOGUE)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor")]
    assert "A message for this visitor" in client.get(CATALOGUE).get_data(as_text=True)
    assert "A message for this visitor" not in client.get(CATALOGUE).get_data(as_text=True)
    cache.clear()
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor")]
    client.get(CATALOGUE)  # rendered with the message: not kept
    assert "A message for this visitor" not in client.get(CATALOGUE).get_data(as_text=True)


def test_only_good_pages_are_stored(loaded, client, renders):
    for _ in range(2):
        with renders() as rendered:
            assert client.get("/practices/?sector=no-such-sector").status_code == 400
        assert rendered, "a refused query is answered by the view each time"
    for _ in range(2):
        assert client.get("/practices/no-such-practice").status_code == 404


def test_a_remember_me_cookie_alone_still_logs_in(loaded, app, client):
    client.post("/login", data={"email": "dk@example.org", "password": "region-pass", "remember": "y"})
    client.get(SCORECARD)
    revived = app.test_client()
    revived.set_cookie("remember_token", client.get_cookie("remember_token").value)
    response = revived.get(SCORECARD)
    assert response.status_code == 200 and "Dag Member" in response.get_data(as_text=True)


def test_the_token_of_a_cached_page_is_the_one_of_its_session(loaded, make_app, renders):
    """One log-in, two sessions: a remember-me cookie revives the log-in in a new session (with a
    new CSRF token), which then gets the page cached for that log-in, with its own token."""
    app = make_app(WTF_CSRF_ENABLED=True)
    first, revived = app.test_client(), app.test_client()
    form = {"email": "dk@example.org", "password": "region-pass", "remember": "y"}
    first.post("/login", data={**form, "csrf_token": csrf_token(first.get("/login").get_data(as_text=True))})
    first_token = csrf_token(first.get(SCORECARD).get_data(as_text=True))
    revived.set_cookie("remember_token", first.get_cookie("remember_token").value)
    revived.get(SCORECARD)  # the view logs the session in from the cookie
    with renders() as rendered:
        page = revived.get(SCORECARD).get_data(as_text=True)
    assert rendered == [] and "Dag Member" in page
    assert csrf_token(page) != first_token
    refused = revived.post("/language", data={"lang": "de", "next": SCORECARD, "csrf_token": first_token})
    assert refused.status_code == 400, "another session's token is refused"
    response = revived.post("/language", data={"lang": "de", "next": SCORECARD, "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert '<html lang="de">' in revived.get(SCORECARD).get_data(as_text=True)


def test_the_people_version_follows_people_but_not_log_ins(loaded):
    def bumped(change) -> bool:
        before = db.session.scalar(select(cache.DataVersion.version).where(cache.DataVersion.id == cache.PEOPLE))
        change(person("dk@example.org"))
        db.session.commit()
        return db.session.scalar(select(cache.DataVersion.version).where(cache.DataVersion.id == cache.PEOPLE)) != before

    assert not bumped(lambda p: setattr(p, "last_login_at", utcnow()))
    assert not bumped(lambda p: db.session.add(UserSession(user=p, token_hash="x" * 64, expires_at=utcnow())))
    assert bumped(lambda p: setattr(p, "name", "Dag Renamed"))
    assert bumped(lambda p: setattr(p, "roles", ["region", "reviewer"]))
