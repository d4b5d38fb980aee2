"""The in-memory facet index: the same counts as SQL (the test that it is never stale after a
moderation change needs real commits: ``test_catalogue_search.py``). The data is built once for
the module (``shared_data``)."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from eis_toolkit.accounts.models import Region
from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.catalogue import facet_index
from eis_toolkit.catalogue.models import Practice, PracticeStatus, Term, practice_term
from eis_toolkit.catalogue.search import matching_id_list
from eis_toolkit.catalogue.selection import FACETS, FILTERS, CatalogueQuery, catalogue_selection, parse_catalogue_args
from eis_toolkit.extensions import db

from tests.conftest import SMALL_BUNDLE
from tests.test_catalogue_search import catalogue_practices, practice


def sql_facets(query: CatalogueQuery) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facets counted by plain SQL: each facet on the selection without its own filter."""
    def selected(without=None):
        conditions = [Practice.status == PracticeStatus.PUBLISHED]
        if query.words:
            conditions.append(Practice.id.in_(matching_id_list(query.words)))
        for name, keys in query.filters.items():
            if name == "region" and name != without:
                conditions.append(Practice.region_id.in_(select(Region.id).where(Region.code.in_(keys))))
            elif name != without:
                conditions.append(Practice.id.in_(
                    select(practice_term.c.practice_id).join(Term, Term.id == practice_term.c.term_id)
                    .where(Term.vocabulary == FILTERS[name], Term.key.in_(keys))))
        return select(Practice.id).where(*conditions)

    total = db.session.scalar(select(func.count()).select_from(selected().subquery()))
    facets = {}
    for name in FACETS:
        if name == "region":
            rows = (select(Region.code, func.count()).join(Practice, Practice.region_id == Region.id)
                    .where(Practice.id.in_(selected(name))).group_by(Region.code))
        else:
            rows = (select(Term.key, func.count()).join(practice_term, practice_term.c.term_id == Term.id)
                    .where(Term.vocabulary == FILTERS[name], practice_term.c.practice_id.in_(selected(name)))
                    .group_by(Term.key))
        counts = dict(db.session.execute(rows).tuples().all())
        for key in query.filters.get(name, ()):
            counts.setdefault(key, 0)
        facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return total, facets


QUERIES = [{}, {"q": "fiere"}, {"q": "japan"}, {"market": ["JP"]}, {"market": ["JP", "US"]},
           {"q": "fairs", "instrument": ["trade_fair"], "sector": ["machinery"]},
           {"market": ["JP"], "sector": ["cosmetics", "medtech"], "region": ["IE04"]},
           {"q": "messe", "market": ["BR"]}, {"q": "nothingmatchesthis"}, {"instrument": ["voucher"]},
           {"dimension": ["missions"], "stage": ["new_exporter"]}]


def _build() -> None:
    """The catalogue's practices plus forty generated ones, some unpublished, on many terms."""
    markets, sectors = ["JP", "US", "KR", "BR", "DE"], ["cosmetics", "machinery", "medtech", "food"]
    instruments = ["trade_fair", "grant", "matchmaking", "voucher", "mission"]
    data = copy.deepcopy(SMALL_BUNDLE)
    data["practices"] = catalogue_practices() + [
        practice(f"gen-{i}", f"Generated fair {i} Japan" if i % 2 else f"Messe {i}",
                 status=("published", "published", "draft", "in_review")[i % 4],
                 region=("ITC4", "DK04", "IE04")[i % 3], language=("en", "de")[i % 2],
                 summary="fiere missione" if i % 3 else "Unternehmen",
                 markets=list(dict.fromkeys([markets[i % 5], markets[(i * 3 + 1) % 5]])), sectors=[sectors[i % 4]],
                 instruments=[instruments[i % 5], instruments[(i + 2) % 5]]) for i in range(40)]
    load_bundle(data)


@pytest.fixture(scope="module")
def scenario(shared_data):
    return shared_data(_build)


@pytest.mark.parametrize("args", QUERIES)
def test_the_index_counts_what_sql_counts(app, scenario, args):
    query = parse_catalogue_args(args)
    selection = catalogue_selection(query)
    assert (selection.total, selection.facets) == sql_facets(query)
    unpublished = set(db.session.scalars(select(Practice.id).where(Practice.status != PracticeStatus.PUBLISHED)))
    assert unpublished and not unpublished & set(facet_index.current().ids)


@pytest.mark.parametrize("sort", ["newest", "rating", "relevance"])
def test_the_page_from_the_index_is_the_page_sql_selects(app, scenario, sort):
    query = parse_catalogue_args({"q": "fair", "sort": sort, "per_page": "7", "page": "2"})
    page = [i.practice.slug for i in catalogue_selection(query).items]
    whole = [i.practice.slug for i in catalogue_selection(query, whole=True, facets=False).items]
    assert len(whole) > 14 and page == whole[7:14]
