"""Whole rendered pages, kept for the reader who saw them (docs/page-cache.md).

A GET view decorated with :func:`cached_page` keeps its HTML in the page store of ``cache.py``
(``cache.pages``: per process, or Redis when ``EIS_REDIS_URL`` is set), keyed by the page's address
(host, path, sorted query), the language shown, today's date, the reader and the data versions:
every anonymous visitor shares one entry; a logged-in person has one per log-in (the hash of its
token), and their key holds all three versions, since their page also depends on their roles, region
and name (the :data:`~eis_toolkit.cache.PEOPLE` version). A write makes new keys; nothing is removed
by hand.

A hit costs one query (the versions and, for a logged-in reader, whether the log-in is still valid
and the person's language; on PostgreSQL an anonymous visitor's hit asks nothing while no write has
been announced since the versions were read, :class:`_KeptConnection`) and no ORM, permission check
or template: the entry was rendered for this log-in at these versions, so the view's checks passed
for the same inputs. Whatever the fast path cannot answer exactly as the view would goes to the
view: pending flash messages, a remember-me cookie without a session user, a log-in that ended or
expired. A page is stored only when it is a 200 HTML page that showed no flash message, rendered for
the reader its key names. The CSRF token of the request that rendered it is stored as a placeholder;
a hit puts in the token of its own session.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
from datetime import date
from functools import lru_cache, wraps
from time import monotonic
from typing import NamedTuple
from urllib.parse import urlencode

from flask import current_app, g, request, session
from flask.globals import request_ctx
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Connection, Engine, String, bindparam, cast, event, literal, null, select, union_all
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from . import cache as data
from .accounts.models import User, UserSession
from .accounts.sessions import token_hash
from .columns import utcnow
from .extensions import db, login_manager
from .i18n import SESSION_KEY, choose_language, current_language

#: Part of every key: change it when the stored form of a page changes.
FORMAT = 1
#: The reader of an anonymous visitor's page.
ANONYMOUS = "-"
#: The id the query gives its log-in row (``data_version`` rows are 1, 2, 3).
_LOGIN = 0
#: The longest (seconds) a PostgreSQL process keeps the versions it read without hearing of a
#: change: the bound on a page's age should an announcement be lost (a connection gone silent, a
#: pooler that does not pass ``LISTEN`` on). An announcement ends it at once.
REMEMBER_FOR = 1.0


class Reader(NamedTuple):
    """Who reads the page, as its key names them: :data:`ANONYMOUS` or a log-in's token hash."""

    name: str
    versions: dict[int, int | None]
    language: str


def cached_page(*rows: int):
    """Cache the view's page; ``rows``: the versions an anonymous visitor's page shows (all
    by default). Logged-in readers' pages always use all of them."""
    rows = rows or data.ROWS

    def decorate(view):
        @wraps(view)
        def cached(*args, **kwargs):
            reader = _reader(rows) if request.method == "GET" else None
            if reader is None:
                return view(*args, **kwargs)
            key = _key(reader, rows)
            entry = data.pages.get(key)
            if entry is not None:
                return _hit(*entry)
            response = current_app.make_response(view(*args, **kwargs))
            if _storable(response, reader):
                data.pages.set(key, _entry(response))
            return response

        return cached

    return decorate


# --- the reader: one query --------------------------------------------------------------------


@lru_cache(maxsize=2)
def _statement(logged_in: bool):
    """Every ``data_version`` row, and for a log-in ``(0, person id, language)`` while it is valid."""
    versions = select(data.DataVersion.id, data.DataVersion.version, cast(null(), String))
    if not logged_in:
        return versions
    log_in = (select(literal(_LOGIN), User.id, User.language).join(UserSession, UserSession.user_id == User.id)
              .where(UserSession.token_hash == bindparam("token_hash"), UserSession.expires_at > bindparam("now"),
                     User.active))
    return union_all(versions, log_in)


def _reader(rows: tuple[int, ...]) -> Reader | None:
    """The reader, if the fast path may answer for them (else ``None``: the view answers)."""
    if "_flashes" in session or (session and login_manager._session_protection_failed()):  # "basic": never fails
        return None
    token = session.get("_user_id")
    if token is None and _remember_cookie():
        return None  # Flask-Login logs the visitor in from the cookie: the view does that
    if token is None:
        found = _read(_statement(False), {}, remember=True)
    else:
        found = _read(_statement(True), {"token_hash": token_hash(token), "now": utcnow()})
    by_id = {row[0]: row for row in found}
    if token is not None and _LOGIN not in by_id:
        return None  # logged out, expired or disabled: the view sends them to log in
    versions = {row: by_id[row][1] if row in by_id else None for row in data.ROWS}
    data.remember_versions(versions)
    if any(versions[row] is None for row in (rows if token is None else data.ROWS)):
        return None
    person_language = by_id[_LOGIN][2] if token is not None else None
    language = choose_language(session.get(SESSION_KEY), person_language)
    return Reader(ANONYMOUS if token is None else token_hash(token), versions, language)


def _read(statement, params: dict, remember: bool = False) -> list:
    """Run ``statement`` on the connection the process keeps for it (:class:`_KeptConnection`;
    through the pool while another thread holds that one; ``remember``: its rows may be kept until
    a write is announced), or on the connection a session of this request is bound to when it is
    one (the tests' transaction). The request's session is asked
    when it has one; else a session that is never registered, used or closed (one per session
    factory) tells where it would connect, so that a hit opens no session (nor ends one)."""
    registry = db.session.registry
    if registry.has():
        bind = registry().get_bind()
    else:
        factory = db.session.session_factory
        probe = factory.__dict__.get("_eis_probe") or factory.__dict__.setdefault("_eis_probe", factory())
        bind = probe.get_bind()
    if isinstance(bind, Connection):
        return bind.execute(statement, params).all()
    found = _KeptConnection.of(bind).read(statement, params, remember) if _keeps(bind) else None
    if found is not None:
        return found
    with _single_statements(bind).connect() as connection:
        return connection.execute(statement, params).all()


def _keeps(engine: Engine) -> bool:
    """Whether a connection may be kept apart from ``engine``'s pool: not for a SQLite database in
    memory, which lives in its connection (a pool of one per thread, or one for all)."""
    return not isinstance(engine.pool, (SingletonThreadPool, StaticPool))


class _KeptConnection:
    """The driver's connection this process keeps for the versions, outside any transaction
    (PostgreSQL's in autocommit mode, SQLite's with ``isolation_level=None``: pysqlite never sends
    ``BEGIN``), each statement compiled once: a hit's read is one statement (on PostgreSQL one
    round trip) without the pool's check-out and check-in or SQLAlchemy's execution (a third of a
    hit's CPU before). Each read is a statement of its own, so it sees every commit made before
    it, in any process (SQLite's write-ahead log: each statement outside a transaction reads the
    latest commit). One thread at a time uses it (another reads through the pool meanwhile); a
    process forked from this one opens its own (a child never touches a parent's connection); a
    failed read drops it, the pool answers, and the next read opens a new one.
    ``engine.dispose()`` closes it.

    On PostgreSQL it also listens on :data:`~eis_toolkit.cache.CHANNEL`, where the database
    announces each commit that changes a version, and keeps the rows of a ``remember`` read (the
    versions alone) until it hears of one, a commit of this process ends, or :data:`REMEMBER_FOR`
    passes: a hit then costs no round trip, only a look at the socket. The price is a moment (the
    announcement's way to this process, well under a millisecond) in which another process's
    commit is not yet seen: an anonymous visitor's page, never a logged-in reader's, who is asked
    about on every hit."""

    _lock = threading.Lock()

    def __init__(self, engine: Engine):
        self.engine, self.pid, self.lock, self.cursor, self.compiled = engine, os.getpid(), threading.Lock(), None, {}
        self.listening, self.changes, self.kept = False, 0, {}  # kept: statement → (changes, until, rows)

    @classmethod
    def of(cls, engine: Engine) -> "_KeptConnection":
        kept = engine.__dict__.get("_eis_kept_connection")
        if kept is None or kept.pid != os.getpid():  # forked: the parent's connection stays the parent's
            with cls._lock:
                kept = engine.__dict__.get("_eis_kept_connection")
                if kept is None or kept.pid != os.getpid():
                    kept = engine.__dict__["_eis_kept_connection"] = cls(engine)
                    event.listen(engine, "engine_disposed", lambda _engine: kept.close())
                    event.listen(engine, "commit", lambda _connection: kept.changed())
        return kept

    def changed(self, *_notify) -> None:
        """A commit here, or one announced: what was kept is read again."""
        self.changes += 1

    def read(self, statement, params: dict, remember: bool = False) -> list | None:
        """The statement's rows, or ``None`` when another thread holds the connection or it failed."""
        if not self.lock.acquire(blocking=False):
            return None
        try:
            if self.cursor is None:
                self.cursor = self._open()
            if self.listening:
                self._hear()
                kept = self.kept.get(statement) if remember else None
                if kept is not None and kept[0] == self.changes and monotonic() < kept[1]:
                    return kept[2]
            changes = self.changes
            sql, arguments = self._compiled(statement)
            if self.engine.dialect.name != "postgresql":
                return self.cursor.execute(sql, arguments(params)).fetchall()  # sqlite3 keeps it prepared
            rows = self.cursor.execute(sql, arguments(params), prepare=True).fetchall()
            if remember and self.listening:
                self.kept[statement] = (changes, monotonic() + REMEMBER_FOR, rows)
            return rows
        except (DBAPIError, self.engine.dialect.dbapi.Error):  # the server went away, a restart...
            self.close()
            return None
        finally:
            self.lock.release()

    def _hear(self) -> None:
        """Take in what the server sent meanwhile (no round trip); an announcement is a change.
        Those that came with a statement's answer reach :meth:`changed` through psycopg."""
        pgconn = self.cursor.connection.pgconn
        pgconn.consume_input()  # raises when the connection is gone
        heard = False
        while pgconn.notifies() is not None:
            heard = True
        if heard:
            self.changed()

    def _open(self):
        proxied = self.engine.raw_connection()  # the engine's own settings (``connect`` events)
        connection = proxied.driver_connection
        proxied.detach()  # the pool neither resets nor hands out this one
        self.kept, self.listening = {}, False
        if self.engine.dialect.name != "postgresql":
            connection.isolation_level = None
            return connection.cursor()
        try:
            connection.autocommit = True
            cursor = connection.cursor()
            if cursor.execute(data.ANNOUNCED).fetchone()[0]:  # else every read asks, as on SQLite
                connection.add_notify_handler(self.changed)
                cursor.execute(f"LISTEN {data.CHANNEL}")  # before the first read: no commit goes unheard
                self.listening = True
        except BaseException:
            connection.close()
            raise
        return cursor

    def _compiled(self, statement):
        """``(SQL, arguments(params))``: the driver's parameters (positional for SQLite) after the
        columns' own conversions (a date as SQLAlchemy writes it)."""
        found = self.compiled.get(statement)
        if found is None:
            dialect = self.engine.dialect
            compiled = statement.compile(dialect=dialect)
            processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)  # SQLite: DATETIME's text
                          for name, bind in compiled.binds.items()}
            names = compiled.positiontup if compiled.positional else None

            def arguments(params: dict):
                values = {name: processors[name](value) if processors.get(name) else value
                          for name, value in compiled.construct_params(params).items()}
                return values if names is None else [values[name] for name in names]

            found = self.compiled[statement] = (compiled.string, arguments)
        return found

    def close(self) -> None:
        self.listening, self.kept = False, {}
        cursor, self.cursor = self.cursor, None
        if cursor is not None and self.pid == os.getpid():
            cursor.connection.close()


@lru_cache(maxsize=4)
def _single_statements(engine: Engine) -> Engine:
    """``engine`` for one statement alone: PostgreSQL's driver would wrap it in ``BEGIN`` and the
    pool's ``ROLLBACK`` (three round trips instead of one), so there it runs in autocommit mode (one
    statement sees one snapshot either way). pysqlite begins no transaction for a read, and
    switching it costs statements of its own: SQLite's engine is used as it is."""
    return engine if engine.dialect.name == "sqlite" else engine.execution_options(isolation_level="AUTOCOMMIT")


def _remember_cookie() -> bool:
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return name in request.cookies and session.get("_remember") != "clear"


def _key(reader: Reader, rows: tuple[int, ...]) -> str:
    shown = data.ROWS if reader.name != ANONYMOUS else rows
    text = "\n".join([request.scheme, request.host, request.path, urlencode(sorted(request.args.items(multi=True))),
                      reader.language, date.today().isoformat(), reader.name,
                      *(f"{row}={reader.versions[row]}" for row in shown)])
    return f"page:{FORMAT}:{data.FORMAT}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


# --- storing and serving ----------------------------------------------------------------------


def _storable(response, reader: Reader) -> bool:
    """A 200 HTML page without flash messages, rendered for this reader in this language."""
    if response.status_code != 200 or response.mimetype != "text/html" or response.is_streamed:
        return False
    if request_ctx.flashes or "_flashes" in session:
        return False
    user = current_user._get_current_object()
    rendered_for = token_hash(user.session_token) if user.is_authenticated else ANONYMOUS
    return rendered_for == reader.name and current_language() == reader.language


def _entry(response) -> tuple[list[tuple[str, str]], bytes]:
    """The response's own headers and its body, with this request's CSRF token as the placeholder."""
    body = response.get_data()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode("ascii"), _placeholder())
    headers = [(name, value) for name, value in response.headers.items() if name != "Content-Length"]
    return headers, body


def _hit(headers: list[tuple[str, str]], body: bytes):
    placeholder = _placeholder()
    if placeholder in body:
        body = body.replace(placeholder, generate_csrf().encode("ascii"))
    return current_app.response_class(body, headers=headers)


def _placeholder() -> bytes:
    return _placeholder_for(current_app.secret_key)


@lru_cache(maxsize=4)
def _placeholder_for(secret: str) -> bytes:
    """A mark no page text can hold: ``<`` never comes out of escaping, and the rest depends on
    the secret key (the same in every worker, unknown to writers of content)."""
    mark = hmac.new(secret.encode("utf-8"), b"eis page cache: csrf token", hashlib.sha256).hexdigest()[:24]
    return f"<csrf {mark}>".encode("ascii")
