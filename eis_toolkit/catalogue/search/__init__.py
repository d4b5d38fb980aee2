"""Full-text search of practices, one module per database dialect.

Both search ``Practice.search_document`` (stems written by ``catalogue/text.py``):
``sqlite.py`` through the FTS5 table ``practice_fts`` (kept in step by triggers),
``postgresql.py`` through the stored column ``practice.search_vector`` and its GIN index. Each gives
``joined_ids()``, the ids matching the words in its bound parameter ``match`` (:func:`match_text`),
and ``ranked()``, ``(practice_id, score)`` rows where a higher score is a better match: statements
built once.
"""
from __future__ import annotations

from sqlalchemy import Select

from ...extensions import db
from . import postgresql, sqlite

#: Database objects that the migration creates and the models do not describe (Alembic's
#: comparison and autogenerate skip them).
SEARCH_OBJECTS = ("practice_fts", "ix_practice_search", "ix_practice_search_vector", "search_vector")


def is_search_object(name: str | None) -> bool:
    return bool(name) and (name in SEARCH_OBJECTS or name.startswith("practice_fts_"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: leave the search index alone."""
    return not is_search_object(name)


def backend():
    return postgresql if db.engine.dialect.name == "postgresql" else sqlite


def match_text(query_words: list[list[str]]) -> str:
    """The value of the ``match`` parameter for the query's words (each with its forms)."""
    return backend().match_text(query_words)


def ranked(within) -> Select:
    """``select(practice_id, score)`` of the practices matching every word of ``match`` (one of
    its forms each) among those of the condition ``within`` (on :func:`rowid`), with ``practice``
    in its FROM clause (to filter and order by). ``within`` must hold only practices that match
    (the ids of :func:`matching_id_list`, filtered): PostgreSQL does not test the words again."""
    return backend().ranked(within)


def rowid():
    """The practice id column that ``matches``'s ``within`` condition tests."""
    return backend().rowid()


def matching_id_list(query_words: list[list[str]]) -> list[int]:
    """The ids of the matching practices as a list, read as one comma-separated value: thousands
    of one-column rows cost more to fetch through SQLAlchemy than the match itself."""
    joined = db.session.scalar(backend().joined_ids(), {"match": match_text(query_words)})
    return [int(i) for i in joined.split(",")] if joined else []


def searched(query_words: list[list[str]], filtered: list[int] | None, offset: int,
             limit: int | None) -> tuple[int | None, list[int], list[tuple[int, float]]] | None:
    """PostgreSQL, words sorted by relevance, in one statement: the catalogue version, the ids of
    :func:`matching_id_list` and the page of those among ``filtered`` (every one when ``None``),
    ranked, with their scores (every one with ``limit=None``). ``None`` on SQLite, where a
    statement costs no round trip: the match and :func:`ranked` run apart there."""
    if backend() is not postgresql:
        return None
    statement = postgresql.searched(filtered is not None, limit is None)
    version, joined, pairs = db.session.execute(statement, {"match": match_text(query_words), "ids": filtered,
                                                            "limit": limit, "offset": offset}).one()
    ranked = [(int(i), float(score)) for i, score in (pair.split(" ") for pair in pairs.split(","))] if pairs else []
    return version, [int(i) for i in joined.split(",")] if joined else [], ranked
