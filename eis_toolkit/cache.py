"""The data version and the cache of computed benchmark rows (docs/benchmark.md, Cache).

The **data version** is one row in the database (table ``data_version``, row :data:`BENCHMARK`).
Every flush that writes a model the benchmark reads (scores, reviews, assignments,
self-assessments and their answers, workshops and their hot seats, regions, programmes,
questionnaires) gives it a new random value, in the same transaction as the write: a rollback keeps the old value, and every
gunicorn worker and app server reads the same value, so a cache keyed by it is never stale.
The bump happens in one place, :func:`_bump_after_flush` (plus :func:`_bump_on_bulk_write` for
``session.execute(insert/update/delete ...)`` on those tables). The **catalogue version** (row
:data:`CATALOGUE`) works the same for the public catalogue: practices, their terms, editions and
ratings, terms and regions (docs/catalogue.md, Speed). The **people version** (row :data:`PEOPLE`)
changes with every write to any other table (people, their roles and regions, action plans,
nominations, ...) but log-ins, the audit trail and outgoing mail (:data:`UNSHOWN`): with the two
others it tells the whole-page cache (``pagecache.py``) that something a page may show has
changed, and a log-in or log-out empties nobody's pages. A random value rather than a
counter: two databases (or a database emptied and loaded again) never reuse a version, so one
shared Redis can serve several installations or test runs.

On PostgreSQL every write to ``data_version`` is **announced** at its commit (a trigger,
:data:`CREATE_ANNOUNCEMENT`, sends ``NOTIFY`` on :data:`CHANNEL`), so that a process may keep
the versions it read until it hears of a change (``pagecache.py``) instead of asking each time:
an anonymous visitor's page may then lag another process's commit by the announcement's way there.

The cache is Flask-Caching: ``SimpleCache`` (per process) by default, Redis when
``EIS_REDIS_URL`` is set (shared by all workers). Entries are keyed ``eis:<version>:<format>:<name>``
and expire after a day; a new version simply makes new keys. Whole pages and rendered parts of
pages (:data:`pages`: tens of kilobytes each) are kept in a store of their own, so that a
process holds at most ``EIS_PAGE_CACHE_ENTRIES`` of them (docs/page-cache.md, Memory) and they
never push the benchmark's rows out.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import has_request_context, request
from flask_caching import Cache
from sqlalchemy import BigInteger, Integer, event, insert, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import db

T = TypeVar("T")

cache = Cache()
#: Whole pages (``pagecache.py``) and the catalogue's rendered results.
pages = Cache()

#: How long an entry lives in the cache (seconds): versions change, old keys just age out.
TIMEOUT = 24 * 3600


class DataVersion(db.Model):
    """The single row whose ``version`` changes with every write the benchmark depends on."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)


def init_app(app) -> None:
    """Flask-Caching, both stores: Redis at ``EIS_REDIS_URL`` when set, else per-process
    SimpleCaches of 2,000 values and ``EIS_PAGE_CACHE_ENTRIES`` pages."""
    url = app.config.get("EIS_REDIS_URL")
    for store, entries in ((cache, 2000), (pages, app.config["EIS_PAGE_CACHE_ENTRIES"])):
        settings = {"CACHE_DEFAULT_TIMEOUT": TIMEOUT, "CACHE_KEY_PREFIX": "eis:"}  # pages' keys: "page:…"
        if url:
            settings.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url)
        else:
            settings.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=entries)
        store.init_app(app, config=settings)


def clear() -> None:
    """Empty both stores (tests and benchmarks: a cold start without a new process)."""
    cache.clear()
    pages.clear()


# --- the version ------------------------------------------------------------------------------


#: The rows of ``data_version``: the benchmark's data, the public catalogue's, every other table's.
BENCHMARK, CATALOGUE, PEOPLE = 1, 2, 3
ROWS = (BENCHMARK, CATALOGUE, PEOPLE)

#: Writes that never bump :data:`PEOPLE` (table → ignored attributes; ``None``: the whole table):
#: a log-in's bookkeeping (its row; the person's time of the last log-in and ``sessions``
#: collection), so that logging in or out empties nobody's pages; the audit trail, written with
#: changes that bump versions of their own; outgoing mail, which no cached page shows.
UNSHOWN = {"user_session": None, "audit_event": None, "outbox_message": None,
           "user": frozenset({"last_login_at", "sessions"})}


def _tracked_tables() -> dict[int, frozenset[str]]:
    from . import models

    def names(*tables) -> frozenset[str]:
        return frozenset(t.__table__.name if hasattr(t, "__table__") else t.name for t in tables)

    return {
        BENCHMARK: names(models.Answer, models.Assessment, models.Review, models.ReviewScore,
                         models.ReviewerAssignment, models.Workshop, models.workshop_hot_seat, models.Region,
                         models.Programme, models.Questionnaire, models.Question, models.Dimension),
        CATALOGUE: names(models.Practice, models.practice_term, models.Term, models.PracticeRating,
                         models.PracticeEdition, models.Region),
    }


_TRACKED: dict[int, frozenset[str]] | None = None


def tracked_tables(row: int = BENCHMARK) -> frozenset[str]:
    """Tables whose writes bump version ``row`` (:data:`PEOPLE`: every table not named here)."""
    global _TRACKED
    if _TRACKED is None:
        _TRACKED = _tracked_tables()
    return _TRACKED[row]


#: The PostgreSQL channel on which each commit that writes ``data_version`` is announced (once
#: per transaction: PostgreSQL folds equal notifications).
CHANNEL = "eis_data_version"
_ANNOUNCE = "eis_announce_data_version"
#: The migration's statements (``5f2a8c1d9e47``), PostgreSQL's only: SQLite has no notifications.
CREATE_ANNOUNCEMENT = [
    f"CREATE OR REPLACE FUNCTION {_ANNOUNCE}() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$",
    f"DROP TRIGGER IF EXISTS {_ANNOUNCE} ON data_version",
    f"CREATE TRIGGER {_ANNOUNCE} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_version "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {_ANNOUNCE}()",
]
DROP_ANNOUNCEMENT = [f"DROP TRIGGER IF EXISTS {_ANNOUNCE} ON data_version", f"DROP FUNCTION IF EXISTS {_ANNOUNCE}()"]
#: Whether the database announces its writes (the trigger may be missing: a database not migrated yet).
ANNOUNCED = f"SELECT EXISTS (SELECT FROM pg_trigger WHERE tgname = '{_ANNOUNCE}' AND tgenabled <> 'D')"


def data_version(row: int = BENCHMARK) -> int | None:
    """The current version ``row`` (one query, remembered for the rest of the request); ``None``
    when the row does not exist yet (then nothing is cached)."""
    memo = _memo()
    if row not in memo:
        memo[row] = db.session.scalar(select(DataVersion.version).where(DataVersion.id == row))
    return memo[row]


def bump(connection, *rows: int) -> None:
    """Give versions ``rows`` (every version when none) new values on ``connection``, in its transaction."""
    table = DataVersion.__table__
    for row in rows or ROWS:
        version = secrets.randbits(62)
        if connection.execute(update(table).where(table.c.id == row).values(version=version)).rowcount == 0:
            connection.execute(insert(table).values(id=row, version=version))
        _memo().pop(row, None)


def remember_versions(versions: dict[int, int | None]) -> None:
    """Versions read by other means in this request (the page cache reads them all in one query),
    so that :func:`data_version` asks no more."""
    _memo().update(versions)


def _memo() -> dict[int, int | None]:
    """The versions read in this request (an empty dict outside one)."""
    if not has_request_context():
        return {}
    if not hasattr(request, "_eis_data_versions"):
        request._eis_data_versions = {}
    return request._eis_data_versions


def _rows_written(session: Session) -> list[int]:
    """The versions whose tables this flush writes (a changed ``practice.terms`` makes its
    practice modified: ``is_modified`` counts collections)."""
    modified = [obj for obj in session.dirty if session.is_modified(obj)]
    written = {getattr(obj, "__tablename__", None) for obj in [*session.new, *session.deleted, *modified]}
    rows = [row for row in (BENCHMARK, CATALOGUE) if written & tracked_tables(row)]
    if any(_shown(obj) for obj in session.new | session.deleted) or any(_shown(obj, changed=True) for obj in modified):
        rows.append(PEOPLE)
    return rows


def _other_table(name: str | None) -> bool:
    """A table that neither the benchmark nor the catalogue version follows (nor this module's own)."""
    return (name not in tracked_tables(BENCHMARK) and name not in tracked_tables(CATALOGUE)
            and name != DataVersion.__tablename__)


def _shown(obj, changed: bool = False) -> bool:
    """Whether writing ``obj`` bumps :data:`PEOPLE`: an object of another table, unless the write
    is :data:`UNSHOWN` (for an updated object: unless only ignored attributes ``changed``)."""
    name = getattr(obj, "__tablename__", None)
    if name is None or not _other_table(name):
        return False
    ignored = UNSHOWN.get(name, frozenset())
    if ignored is None:
        return False
    if not (changed and ignored):
        return True
    return any(attr.history.has_changes() for attr in inspect(obj).attrs if attr.key not in ignored)


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, flush_context) -> None:
    """The one place where ORM writes bump the data versions (same transaction as the write)."""
    rows = _rows_written(session)
    if rows:
        bump(session.connection(), *rows)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk_write(state) -> None:
    """Bulk ``insert``/``update``/``delete`` statements run through the session bump it too."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    rows = [row for row in (BENCHMARK, CATALOGUE) if name in tracked_tables(row)]
    if name is not None and _other_table(name) and UNSHOWN.get(name, frozenset()) is not None:
        rows.append(PEOPLE)
    if rows:
        bump(state.session.connection(), *rows)


# --- cached values ----------------------------------------------------------------------------


#: Part of every key: change it when the pickled form of a cached value changes (rows became
#: named tuples in 2), so that a shared Redis never hands new code an entry it cannot read.
FORMAT = 2


def key(name: str, *parts, row: int = BENCHMARK) -> str | None:
    """A cache key for ``name`` and its parts at the current version ``row`` (``None`` without one)."""
    version = data_version(row)
    if version is None:
        return None
    text = ":".join(str(p) for p in parts)
    if len(text) > 120:
        text = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return f"{version}:{FORMAT}:{name}:{text}"


def cached(name: str, parts: tuple, compute: Callable[[], T], row: int = BENCHMARK, store: Cache = cache) -> T:
    """``compute()``, or its value cached under ``name`` and ``parts`` at this version ``row``
    (in ``store``: :data:`pages` for rendered HTML)."""
    cache_key = key(name, *parts, row=row)
    if cache_key is None:
        return compute()
    value = store.get(cache_key)
    if value is None:
        value = compute()
        store.set(cache_key, value)
    return value


def digest(name: str, *parts) -> str | None:
    """A short stable digest of ``name`` and parts at the current data version: chart ETags and
    addresses, computed without the numbers."""
    cache_key = key(name, *parts)
    return None if cache_key is None else hashlib.sha256(cache_key.encode("utf-8")).hexdigest()[:20]
