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

from sqlalchemy import Integer, Select, Text, bindparam, cast, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ...cache import CATALOGUE, DataVersion
from ..models import Practice, PracticeStatus

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
#: Migration ``a9d4c7e2b815``: what a search reads, kept small.
#: - The GIN index without its pending list (``fastupdate``): every search scanned the list's
#:   entries one by one, up to 4 MB of them until the next vacuum (after the benchmark's bulk
#:   load, 1,463 practices in 355 pages); practices are written rarely, so writing the index
#:   directly costs little.
#: - ``toast_tuple_target = 128``: a row of more than 2 kB keeps only its short columns in the
#:   table and moves the long texts (description, summary, the document) to TOAST as well as the
#:   vector, so the heap pages the bitmap scan reads for the matching ids are 6 times fewer
#:   (10,000 practices: 264 pages instead of 1,671; half the server's time of the match). The
#:   ``UPDATE`` rewrites the rows already there.
CREATE_COMPACT = [
    "ALTER INDEX ix_practice_search_vector SET (fastupdate = off)",
    "SELECT gin_clean_pending_list('ix_practice_search_vector'::regclass)",
    "ALTER TABLE practice SET (toast_tuple_target = 128)",
    "UPDATE practice SET search_document = search_document",
]
DROP_COMPACT = ["ALTER INDEX ix_practice_search_vector RESET (fastupdate)",
                "ALTER TABLE practice RESET (toast_tuple_target)"]


def apply(connection, statements: list[str]) -> None:
    """Run a migration's ``statements`` when ``connection`` is PostgreSQL's (nothing on SQLite)."""
    if connection.dialect.name == "postgresql":
        for statement in statements:
            connection.execute(text(statement))


def tsquery_expression(query_words: list[list[str]]) -> str:
    """``(fier | fiere) & (japan)``: only letters and digits reach ``to_tsquery``."""
    return " & ".join("(" + " | ".join(forms) + ")" for forms in query_words)


def match_text(query_words: list[list[str]]) -> str:
    """The value of the ``match`` parameter of :func:`ranked` and :func:`joined_ids`."""
    return tsquery_expression(query_words)


def rowid():
    return Practice.id


def _query():
    return func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("match", type_=Text))


def ranked(within) -> Select:
    """``ts_rank`` of the practices ``within``, read in one scan of ``practice``: they all match
    already (they come from :func:`joined_ids`), so there is neither ``@@`` nor a second scan of
    ``practice`` to join (the server's time for a page of ~80 candidates: 1.2 ms instead of
    2.6–3.0, each vector detoasted once)."""
    vector = literal_column("practice.search_vector")
    return select(Practice.id.label("practice_id"), func.ts_rank(vector, _query()).label("score")).where(within)


@cache
def joined_ids():
    """The ids matching the ``match`` parameter as one comma-separated text.

    The query is a scalar subquery (an InitPlan, computed once): the planner then cannot
    estimate how many practices hold the words and takes the GIN index's bitmap scan even for a
    word in most of the catalogue. Given the constant, it chose a sequential scan for a word in
    40% of it, which detoasts every practice's vector (10,000 practices: 65–120 ms against 5–8 ms;
    the bitmap scan never reads a vector, GIN's match on a ``tsquery`` without weights is exact)."""
    vector = literal_column("practice.search_vector")
    return select(_joined(Practice.id)).where(vector.op("@@")(select(_query()).scalar_subquery()))


def _joined(column) -> Text:
    return func.string_agg(cast(column, Text), ",")


@cache
def searched(filtered: bool, whole: bool) -> Select:
    """One statement, one round trip, for words sorted by relevance: the catalogue version, the ids
    matching ``match`` (as :func:`joined_ids`), and the matching published practices ranked by
    ``ts_rank`` (those among the bound ``ids`` when ``filtered``: the practices passing the
    facet filters, from the facet index) as ``"id score,id score"``, best first, one page
    (``limit``, ``offset``) unless ``whole``. The ids are matched once (a CTE), and ranked without
    testing the words again; one snapshot gives all three."""
    vector = literal_column("practice.search_vector")
    matched = select(Practice.id).where(vector.op("@@")(select(_query()).scalar_subquery())).cte("matched")
    score = func.ts_rank(vector, select(_query()).scalar_subquery()).label("score")
    ranked = (select(Practice.id, score, Practice.published_at).join(matched, matched.c.id == Practice.id)
              .where(Practice.status == PracticeStatus.PUBLISHED)
              .order_by(score.desc(), Practice.published_at.desc(), Practice.id))
    if filtered:
        ranked = ranked.where(matched.c.id.in_(bindparam("ids", type_=Integer, expanding=True, literal_execute=True)))
    if not whole:
        ranked = ranked.limit(bindparam("limit")).offset(bindparam("offset"))
    page = ranked.subquery("page")
    pairs = func.string_agg(cast(page.c.id, Text) + " " + cast(page.c.score, Text),
                            aggregate_order_by(literal_column("','"), page.c.score.desc(), page.c.published_at.desc(),
                                               page.c.id))
    return select(select(DataVersion.version).where(DataVersion.id == CATALOGUE).scalar_subquery(),
                  select(_joined(matched.c.id)).scalar_subquery(), select(pairs).scalar_subquery())
