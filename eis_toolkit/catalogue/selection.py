"""The catalogue's one selection: parsing the query parameters of DESIGN.md and running them.

The page (``/practices/``), ``/practices.json``, ``/practices.csv``, ``/practices/deadlines.ics``,
the self-check and ``eis report catalogue`` all call::

    query = parse_catalogue_args(args)          # CatalogueQueryError (→ 400) on an unknown value
    selection = catalogue_selection(query)      # one page; whole=True for every match

Only published practices are ever selected. Repeated filters are OR within one parameter and
AND across parameters; ``facets`` count the selection without that vocabulary's own filter.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import defer, joinedload, load_only, raiseload
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import Region
from ..extensions import db
from . import facet_index, search, text
from .models import Practice, PracticeEdition, PracticeRating, PracticeStatus, Term, Vocabulary
from .taxonomies import taxonomy_keys

#: Query parameter → vocabulary, in the order facets are shown.
FILTERS = {"instrument": Vocabulary.INSTRUMENT, "sector": Vocabulary.SECTOR, "market": Vocabulary.MARKET,
           "stage": Vocabulary.STAGE, "dimension": Vocabulary.DIMENSION}
FACETS = (*FILTERS, "region")
SORTS = ("relevance", "newest", "rating")
LANGUAGES = ("en", "it", "da", "de")
DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 100
MAX_QUERY_LENGTH = 200


class CatalogueQueryError(ValueError):
    """An unknown or malformed parameter value; the message says which (a 400)."""


@dataclass(frozen=True)
class CatalogueQuery:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # parameter → keys
    sort: str = "newest"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    lang: str = "en"

    @cached_property
    def words(self) -> list[list[str]]:
        """The query's words, each with its forms (stemmed once per query: the page builds a
        link per facet key with :meth:`args`, which needs them for the default sort)."""
        return text.query_words(self.q)

    def args(self, **changes) -> dict:
        """The query as URL parameters (for links), with some changed; defaults left out."""
        values: dict = {"q": self.q or None, **{k: list(v) for k, v in self.filters.items() if v},
                        "sort": self.sort if self.sort != ("relevance" if self.words else "newest") else None,
                        "page": self.page if self.page != 1 else None,
                        "per_page": self.per_page if self.per_page != DEFAULT_PER_PAGE else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    def cleared(self) -> dict:
        """URL parameters without any filter."""
        return self.args(page=None, **{name: None for name in self.filters})

    def toggled(self, name: str, key: str) -> dict:
        """URL parameters with ``key`` added to or removed from filter ``name``, back to page 1."""
        keys = list(self.filters.get(name, ()))
        keys = [k for k in keys if k != key] if key in keys else [*keys, key]
        return self.args(**{name: keys, "page": None})


def _default_sort(q: str) -> str:
    return "relevance" if text.query_words(q) else "newest"


def _known_values(name: str) -> set[str]:
    if name == "region":
        return set(db.session.scalars(select(Region.code)))
    if name == "dimension":
        return set(db.session.scalars(select(Term.key).where(Term.vocabulary == Vocabulary.DIMENSION)))
    return taxonomy_keys()[FILTERS[name].value]


def _integer(args, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise CatalogueQueryError(_("%(name)s must be a whole number, not %(value)r.", name=name, value=raw)) from None
    if value < low or (high is not None and value > high):
        if high is not None:
            raise CatalogueQueryError(_("%(name)s must be from %(low)s to %(high)s, not %(value)s.",
                                        name=name, low=low, high=high, value=value))
        raise CatalogueQueryError(_("%(name)s must be %(low)s or more, not %(value)s.", name=name, low=low, value=value))
    return value


def _getlist(args, name: str) -> list[str]:
    if hasattr(args, "getlist"):
        values = args.getlist(name)
    else:
        value = args.get(name)
        values = [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]
    return [str(v).strip() for v in values if str(v).strip()]


def parse_filter(args, name: str) -> tuple[str, ...]:
    """The keys given for one filter, checked; market and region codes are case-insensitive."""
    values = _getlist(args, name)
    if name in ("market", "region"):
        values = [v.upper() for v in values]
    if not values:
        return ()
    known = _known_values(name)
    unknown = [v for v in values if v not in known]
    if unknown:
        raise CatalogueQueryError(_("Unknown %(name)s: %(values)s.", name=name,
                                    values=", ".join(repr(v) for v in unknown)))
    return tuple(dict.fromkeys(values))


def parse_catalogue_args(args) -> CatalogueQuery:
    """Check the catalogue's query parameters (a Werkzeug ``MultiDict`` or a plain mapping of
    lists); raise :class:`CatalogueQueryError` naming the first unknown value."""
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise CatalogueQueryError(_("q is too long: at most %(n)s characters.", n=MAX_QUERY_LENGTH))
    filters = {name: parse_filter(args, name) for name in FACETS}
    sort = args.get("sort") or _default_sort(q)
    if sort not in SORTS:
        raise CatalogueQueryError(_("Unknown sort: %(value)r (use one of %(allowed)s).", value=sort,
                                    allowed=", ".join(SORTS)))
    if sort == "relevance" and not text.query_words(q):
        sort = "newest"
    lang = args.get("lang") or "en"
    if lang not in LANGUAGES:
        raise CatalogueQueryError(_("Unknown lang: %(value)r (use one of %(allowed)s).", value=lang,
                                    allowed=", ".join(LANGUAGES)))
    return CatalogueQuery(q=q, filters={k: v for k, v in filters.items() if v}, sort=sort,
                          page=_integer(args, "page", 1, 1),
                          per_page=_integer(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE), lang=lang)


@dataclass
class Item:
    """One selected practice with its peer rating (mean of all criteria of all ratings)."""

    practice: Practice
    rating: float | None
    rating_n: int
    score: float | None = None  # text relevance, when searched
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # vocabulary → keys (facet index)

    def keys(self, vocabulary: Vocabulary | str) -> list[str]:
        """The practice's keys in one vocabulary (``Practice.keys`` without loading its terms)."""
        return list(self.terms.get(str(vocabulary), ()))


@dataclass
class Selection:
    query: CatalogueQuery
    total: int
    items: list[Item]
    facets: dict[str, dict[str, int]]
    searched: bool  # the query had words to search for
    ids: list[int] = field(default_factory=list)  # every selected practice, newest first

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _ratings():
    """The peer rating and the number of ratings of each selected practice, as correlated
    subqueries: computed for the practices the statement reads (an index lookup each), not by
    grouping every rating of the catalogue first."""
    of_practice = PracticeRating.practice_id == Practice.id
    rating = (select(func.avg((PracticeRating.evidence + PracticeRating.transferability
                               + PracticeRating.usefulness) / 3.0)).where(of_practice)
              .correlate(Practice).scalar_subquery())
    count = select(func.count()).where(of_practice).correlate(Practice).scalar_subquery()
    return rating, count


def among(column, ids: list[int] | None = None, name: str = "ids"):
    """``column IN (ids)`` with the ids written into the SQL: a selection may hold more ids than
    SQLite allows bound parameters. Without ``ids``, they are given when executing (``name``)."""
    return column.in_(bindparam(name, ids, type_=Integer, expanding=True, literal_execute=True))


#: What a list of results shows (the page, the JSON): a page loads only these columns of its
#: practices (any other raises, rather than a query per practice); ``whole=True`` loads them all.
LISTED = (Practice.slug, Practice.title, Practice.title_en, Practice.language, Practice.region_id,
          Practice.organisation, Practice.summary, Practice.summary_en, Practice.published_at)


def _paged(statement, whole: bool):
    return statement if whole else statement.limit(bindparam("limit")).offset(bindparam("offset"))


@cache
def _ranked_statement(dialect: str, whole: bool):
    """The ids of ``ids`` matching ``match``, best first, with their scores (one page unless
    ``whole``); built once per database dialect (the search module is the dialect's)."""
    ranked = search.ranked(within=among(search.rowid()))
    return _paged(ranked.where(Practice.status == PracticeStatus.PUBLISHED)
                  .order_by(ranked.selected_columns.score.desc(), Practice.published_at.desc(), Practice.id), whole)


@cache
def _rated_statement(whole: bool):
    """The ids of ``ids`` by peer rating: NULLs last, the rated first, best first, the most rated
    first among equals."""
    rating, rating_n = _ratings()
    return _paged(select(Practice.id).where(among(Practice.id))
                  .order_by(rating.desc().nulls_last(), rating_n.desc(), Practice.title, Practice.id), whole)


@cache
def _items_statements(whole: bool):
    """The practices ``ids`` with their ratings, and their editions (in ``Practice.editions``'
    order). ``Practice.terms`` is not loaded (reading it raises): the facet index has the keys."""
    rating, rating_n = (column.label(name) for column, name in zip(_ratings(), ("rating", "rating_n")))
    columns = defer(Practice.search_document) if whole else load_only(*LISTED, raiseload=True)
    practices = (select(Practice, rating, rating_n)
                 .where(Practice.status == PracticeStatus.PUBLISHED, among(Practice.id))
                 .options(columns, raiseload(Practice.terms), joinedload(Practice.region),
                          raiseload(Practice.editions)))
    editions = (select(PracticeEdition).where(among(PracticeEdition.practice_id))
                .order_by(PracticeEdition.practice_id, *Practice.editions.property.order_by))
    return practices, editions


def _page_ids(query: CatalogueQuery, ids: list[int], offset: int, limit: int | None) -> tuple[list[int], dict]:
    """The ids of the page in its order (every id with ``limit=None``), and their text scores
    when sorted by relevance: statements over ids and sort keys only."""
    whole, params = limit is None, {"ids": ids, "limit": limit, "offset": offset}
    if query.sort == "relevance":  # ranks only what passes every filter
        rows = db.session.execute(_ranked_statement(db.engine.dialect.name, whole),
                                  {**params, "match": search.match_text(query.words)}).all()
        return [i for i, _ in rows], {i: float(score) for i, score in rows}
    if query.sort == "rating":
        return list(db.session.scalars(_rated_statement(whole), params)), {}
    return ids[offset:None if whole else offset + limit], {}  # newest: the index's order


def _items(index: facet_index.FacetIndex, page: list[int], scores: dict, whole: bool) -> list[Item]:
    """The page's practices with their ratings, editions and (from the index) term keys, in
    ``page``'s order."""
    practices, editions = _items_statements(whole)
    rows = {row[0].id: row for row in db.session.execute(practices, {"ids": page})}
    dated: dict[int, list] = {i: [] for i in rows}
    for edition in db.session.scalars(editions, {"ids": page}):
        dated[edition.practice_id].append(edition)
    for i, row in rows.items():
        set_committed_value(row[0], "editions", dated[i])
    return [Item(practice=rows[i][0], rating=None if rows[i][1] is None else float(rows[i][1]),
                 rating_n=int(rows[i][2]), score=scores.get(i), terms=index.terms.get(i, {}))
            for i in page if i in rows]


def _matched(query: CatalogueQuery, offset: int, limit: int | None):
    """``(index, the ids matching the words, the page's (id, score) or None)``. Sorted by
    relevance on PostgreSQL, one statement reads the version, matches and ranks the page among
    the practices that pass the filters in this process's index (:func:`search.searched`); when
    the version it read is another (a write since), the index of that version is taken and the
    page is ranked apart (None). Else: the version, then the match."""
    latest = facet_index.latest()
    if query.sort == "relevance" and (latest is not None or not query.filters):
        filtered = latest.page(latest.selected(latest.everyone, query.filters), 0, None) if query.filters else None
        found = search.searched(query.words, filtered, offset, limit)
        if found is not None:
            version, matched, ranked = found
            index = facet_index.at(version)
            return index, matched, ranked if index is latest or not query.filters else None
    return facet_index.current(), search.matching_id_list(query.words), None


def catalogue_selection(query: CatalogueQuery, *, whole: bool = False, facets: bool = True) -> Selection:
    """Run the query: the total, one page of items (every item with ``whole=True``) and the facets.

    A constant number of SQL statements whatever the data: the catalogue version, the text match
    (ids only), the page's ids when sorted by relevance or rating (on PostgreSQL, sorted by
    relevance, these three are one statement: :func:`_matched`), the page's practices (with their
    ratings) and their editions.
    Which practices pass the filters, the total and the facets come from the :mod:`facet_index`
    of the published practices (built once per catalogue version), as does the page when sorted by
    newest (the index's order). The text rank is computed only when sorting by relevance, and
    then only for the selection."""
    words = query.words
    offset, limit = (0, None) if whole else ((query.page - 1) * query.per_page, query.per_page)
    index, matched, ranked = _matched(query, offset, limit) if words else (facet_index.current(), None, None)
    within = index.bits(matched) if words else index.everyone
    chosen = index.selected(within, query.filters)
    total, counted = index.counts(within, query.filters) if facets else (chosen.bit_count(), {})
    ids = index.page(chosen, 0, None)
    if ranked is not None:
        page, scores = [i for i, _ in ranked], dict(ranked)
    else:
        page, scores = _page_ids(query, ids, offset, limit) if ids else ([], {})
    items = _items(index, page, scores, whole) if page else []
    return Selection(query=query, total=total, items=items, facets=counted, searched=bool(words), ids=ids)


# --- what a result looks like outside (JSON, CSV) -------------------------------------------------


def rating_of(item: Item) -> float | None:
    return None if item.rating is None else round(item.rating, 2)


def result_object(item: Item, url: str) -> dict:
    """The result object of DESIGN.md (plus ``language``, the English title and summary and the
    editions, as extensions)."""
    p = item.practice
    return {
        "slug": p.slug, "title": p.title, "region": p.region.code if p.region else None,
        "region_name": p.region.name if p.region else None, "organisation": p.organisation,
        "summary": p.summary,
        **{name + "s": item.keys(vocabulary) for name, vocabulary in FILTERS.items()},
        "rating": rating_of(item), "rating_n": item.rating_n,
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "url": url,
        "language": p.language, "title_en": p.title_en or None, "summary_en": p.summary_en or None,
        "editions": [edition_object(e) for e in p.editions],
    }


def edition_object(edition) -> dict:
    def iso(value: date | datetime | None):
        return value.isoformat() if value else None

    return {"title": edition.title, "deadline": iso(edition.deadline), "starts": iso(edition.starts),
            "ends": iso(edition.ends), "place": edition.place, "eligibility": edition.eligibility}


def upcoming_editions(selection: Selection, today: date, limit: int = 5) -> list:
    """The next dated editions of the selected practices: open calls (deadline ahead) first by
    deadline, then events ahead by start; one query. ``[(edition, practice), ...]``."""
    open_first = func.coalesce(PracticeEdition.deadline, PracticeEdition.starts)
    rows = db.session.execute(
        select(PracticeEdition, Practice).join(Practice, Practice.id == PracticeEdition.practice_id)
        .where(Practice.status == PracticeStatus.PUBLISHED, among(Practice.id, selection.ids),
               (PracticeEdition.deadline >= today) | ((PracticeEdition.deadline.is_(None)) & (PracticeEdition.starts >= today)))
        .order_by(PracticeEdition.deadline.is_(None), open_first, PracticeEdition.id).limit(limit))
    return [(edition, practice) for edition, practice in rows]
