"""PostgreSQL: a GIN index on ``to_tsvector('simple', search_document)``.

The document already holds folded stems in the practice's language, so the ``simple``
configuration (no further stemming, no stop words) indexes it as it is; ``ts_rank`` ranks.
"""
from __future__ import annotations

from sqlalchemy import Subquery, func, literal_column, select

from ..models import Practice

CREATE = ["CREATE INDEX IF NOT EXISTS ix_practice_search ON practice "
          "USING gin (to_tsvector('simple'::regconfig, search_document))"]
DROP = ["DROP INDEX IF EXISTS ix_practice_search"]


def tsquery_expression(query_words: list[list[str]]) -> str:
    """``(fier | fiere) & (japan)``: only letters and digits reach ``to_tsquery``."""
    return " & ".join("(" + " | ".join(forms) + ")" for forms in query_words)


def matches(query_words: list[list[str]], within=None) -> Subquery:
    vector = func.to_tsvector(literal_column("'simple'::regconfig"), Practice.search_document)
    query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery_expression(query_words))
    statement = select(Practice.id.label("practice_id"), func.ts_rank(vector, query).label("score")).where(
        vector.op("@@")(query))
    if within is not None:
        statement = statement.where(Practice.id.in_(within))
    return statement.subquery("fts")


def matching_ids(query_words: list[list[str]]):
    """Only the ids (no ranking): for the WHERE clauses of counts and facets."""
    vector = func.to_tsvector(literal_column("'simple'::regconfig"), Practice.search_document)
    query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery_expression(query_words))
    return select(Practice.id.label("practice_id")).where(vector.op("@@")(query)).subquery("fts_ids")
