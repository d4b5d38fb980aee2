"""PostgreSQL: a stored generated column ``practice.search_vector`` =
``to_tsvector('simple', search_document)`` with a GIN index ``ix_practice_search_vector``.

The document already holds folded stems in the practice's language, so the ``simple``
configuration (no further stemming, no stop words) indexes it as it is; ``ts_rank`` ranks.
The vector is stored (migration ``f3b8d1c6a2e4``) rather than an expression index: when a word is
in a large part of the catalogue the planner prefers a sequential scan, which with an
expression index recomputed ``to_tsvector`` for every practice (5 s for 10,000), and
``ts_rank`` recomputed it for every ranked row.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import Subquery, Text, bindparam, cast, func, literal_column, select

from ..models import Practice

CREATE = ["CREATE INDEX IF NOT EXISTS ix_practice_search ON practice "
          "USING gin (to_tsvector('simple'::regconfig, search_document))"]
DROP = ["DROP INDEX IF EXISTS ix_practice_search"]
#: Migration ``f3b8d1c6a2e4``: the stored vector replaces the expression index.
CREATE_VECTOR = [
    "ALTER TABLE practice ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_document)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_practice_search_vector ON practice USING gin (search_vector)",
    "DROP INDEX IF EXISTS ix_practice_search",
]
DROP_VECTOR = [*CREATE, "DROP INDEX IF EXISTS ix_practice_search_vector",
               "ALTER TABLE practice DROP COLUMN IF EXISTS search_vector"]


def tsquery_expression(query_words: list[list[str]]) -> str:
    """``(fier | fiere) & (japan)``: only letters and digits reach ``to_tsquery``."""
    return " & ".join("(" + " | ".join(forms) + ")" for forms in query_words)


def match_text(query_words: list[list[str]]) -> str:
    """The value of the ``match`` parameter of :func:`matches` and :func:`joined_ids`."""
    return tsquery_expression(query_words)


def rowid():
    return Practice.id


def _query():
    return func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("match", type_=Text))


def matches(within=None) -> Subquery:
    vector = literal_column("practice.search_vector")
    statement = select(Practice.id.label("practice_id"), func.ts_rank(vector, _query()).label("score")).where(
        vector.op("@@")(_query()))
    if within is not None:
        statement = statement.where(within)
    return statement.subquery("fts")


@cache
def joined_ids():
    """The ids matching the ``match`` parameter as one comma-separated text."""
    vector = literal_column("practice.search_vector")
    return select(func.string_agg(cast(Practice.id, Text), ",")).where(vector.op("@@")(_query()))
