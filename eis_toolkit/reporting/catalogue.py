"""The practice catalogue report: what it prints, as plain data.

It takes an already selected list of practices (the catalogue's search, issue #10, selects them
with the filters of DESIGN.md) and a description of the filters, and prints a table of contents
and one practice per half page or page with its fields, terms and peer rating. Only published
practices are printed, whatever the caller passes: the catalogue is public.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from ..catalogue.ratings import peer_rating
from ..i18n import translate
from ..models import Practice, PracticeStatus, Term, Vocabulary

#: The vocabularies printed with each practice, in this order.
VOCABULARIES = (Vocabulary.INSTRUMENT, Vocabulary.SECTOR, Vocabulary.MARKET, Vocabulary.STAGE, Vocabulary.DIMENSION)
#: The narrative fields printed with each practice, in this order.
FIELDS = ("description", "resources", "timescale", "evidence", "transferability", "difficulties", "contact")


def editions_data(editions) -> list[dict]:
    """Every edition (call, event) of a practice, by its deadline or start date, undated last.

    All of them, past ones too: the printed catalogue does not know the day it is read on, and
    its cache key must not depend on the day it is printed."""
    def when(edition) -> date:
        return edition.deadline or edition.starts or date.max

    return [{"title": e.title, "deadline": e.deadline, "starts": e.starts, "ends": e.ends, "place": e.place,
             "eligibility": e.eligibility} for e in sorted(editions, key=lambda e: (when(e), e.title))]


def practice_data(practice: Practice, language: str) -> dict:
    terms: dict[str, list[str]] = {str(v): [] for v in VOCABULARIES}
    for term in practice.terms:
        if str(term.vocabulary) in terms:
            terms[str(term.vocabulary)].append(translate(term.label, language) or term.key)
    return {"slug": practice.slug, "title": practice.title, "summary": (practice.summary or "").strip(),
            "region": {"code": practice.region.code, "name": practice.region.name} if practice.region else None,
            "organisation": practice.organisation, "language": practice.language,
            "fields": {f: (getattr(practice, f) or "").strip() for f in FIELDS},
            "links": [str(link) for link in (practice.links or [])], "terms": terms,
            "rating": dataclasses.asdict(peer_rating(practice.ratings)),
            "editions": editions_data(practice.editions),
            "published_at": practice.published_at.date() if practice.published_at else None}


def filters_data(filters: Mapping[str, Iterable[str]], terms: Mapping[tuple[str, str], Term], language: str) -> list:
    """``{vocabulary or "q" or "region": [values]}`` as ``[(name, [labels])]`` in a stable order."""
    result = []
    for name in ("q", "region", *map(str, VOCABULARIES)):
        values = [v for v in filters.get(name, ()) if v]
        if values:
            result.append([name, [translate(terms[(name, v)].label, language) if (name, v) in terms else v
                                  for v in values]])
    return result


def catalogue_report_context(practices: Iterable[Practice], filters: Mapping[str, Iterable[str]],
                             language: str, terms: Mapping[tuple[str, str], Term] | None = None,
                             progress: Callable[[int], None] | None = None) -> dict:
    """Everything the catalogue report prints: the published ones of ``practices`` (in the order
    given, e.g. the search's), and the filters that selected them. ``progress(n)`` is called
    after each practice (the CLI's progress bar)."""
    items = []
    for practice in practices:
        if practice.status == PracticeStatus.PUBLISHED:
            items.append(practice_data(practice, language))
        if progress:
            progress(1)
    return {"kind": "catalogue", "language": language, "filters": filters_data(filters, terms or {}, language),
            "practices": items}


def selected_catalogue_context(args, language: str, progress: Callable[[int], None] | None = None) -> dict:
    """The catalogue report of the catalogue's own selection for ``args`` (its query parameters,
    DESIGN.md: the same filters as the pages and exports); raises ``CatalogueQueryError``."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from ..catalogue.selection import catalogue_selection, parse_catalogue_args
    from ..extensions import db

    query = parse_catalogue_args(args)
    selection = catalogue_selection(query, whole=True, facets=False)
    # the ratings (per criterion: not in the selection) and terms (their labels) of every selected
    # practice, a statement each
    ids = [item.practice.id for item in selection.items]
    db.session.scalars(select(Practice).where(Practice.id.in_(ids)).options(
        selectinload(Practice.ratings), selectinload(Practice.terms))).all()
    terms = {(str(t.vocabulary), t.key): t for t in db.session.scalars(select(Term))}
    filters = {"q": [query.q] if query.q else [], **{name: list(keys) for name, keys in query.filters.items()}}
    return catalogue_report_context([item.practice for item in selection.items], filters, language, terms, progress)
