"""The public catalogue: full text with stemming and folded accents, filters, facets, sorting,
pagination, the JSON and CSV shapes, 400 on unknown values, and nothing unpublished leaking."""
from __future__ import annotations

import csv
import html
import io
import re

import flask
import pytest

from eis_toolkit.catalogue import text
from eis_toolkit.catalogue.search import postgresql, sqlite
from eis_toolkit.catalogue.selection import FACETS, CatalogueQueryError, catalogue_selection, parse_catalogue_args
from eis_toolkit.extensions import db

HOSTILE = ['"', '""', "'", "\\", "NEAR(", "NEAR(a b", "AND OR NOT *", "*", "fiera*", "a AND", "OR",
           "(", ")", "^", "-", "title:japan", "jap\"an", "'; DROP TABLE practice; --", "\x00", "💥",
           "a" * 200, "NOT", "japan NOT", "{x}", "col:", ":*", "!", "&|", "<->"]


def practice(slug, title, status="published", **extra):
    return {"slug": slug, "title": title, "region": extra.pop("region", "ITC4"), "status": status, **extra}


def catalogue_practices() -> list[dict]:
    """Published practices in three languages, plus a draft and one in review that must never show."""
    return [
        practice("fiera-milano", "Partecipazione collettiva alla fiera di Tokyo", language="it",
                 summary="Uno stand regionale per le imprese della cosmetica.", instruments=["trade_fair"],
                 sectors=["cosmetics"], markets=["JP"], stages=["new_exporter"], dimensions=["missions"],
                 summary_en="A regional stand for cosmetics firms at a Tokyo fair.",
                 ratings=[{"rater": "ie@example.org", "evidence": 2, "transferability": 2, "usefulness": 2}]),
        practice("trade-fairs-usa", "Support for trade fairs in the USA", language="en",
                 summary="Grants for SMEs exhibiting at American fairs.", instruments=["trade_fair", "grant"],
                 sectors=["machinery"], markets=["US"], stages=["experienced"], region="DK04",
                 ratings=[{"rater": "it@example.org", "evidence": 5, "transferability": 5, "usefulness": 4}]),
        practice("messe-japan", "Gemeinschaftsstand auf Messen in Japan", language="de",
                 summary="Unternehmen stellen gemeinsam auf japanischen Messen aus. Größere Sichtbarkeit.",
                 instruments=["trade_fair", "matchmaking"], sectors=["machinery", "medtech"], markets=["JP", "KR"],
                 region="IE04"),
        practice("secret-draft", "Secret Japan draft about fairs", status="draft", markets=["BR"],
                 instruments=["voucher"], summary="fiera giappone"),
        practice("waiting-review", "Japan fairs waiting in review", status="in_review", markets=["BR"],
                 instruments=["voucher"], summary="fiere"),
    ]


@pytest.fixture
def catalogue(load, bundle):
    """:func:`catalogue_practices` loaded."""
    bundle["practices"] = catalogue_practices()
    load(bundle)
    return bundle


def slugs(client, **params):
    response = client.get("/practices.json", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["slug"] for r in response.get_json()["results"]]


# --- pure text functions ------------------------------------------------------------------------


def test_fold_removes_accents_and_special_letters():
    assert text.fold("Città Ærø Größe Caffè") == "citta aero grosse caffe"


@pytest.mark.parametrize(("document_word", "language", "query"), [
    ("fiera", "it", "fiere"), ("fiere", "it", "fiera"), ("fair", "en", "fairs"), ("fairs", "en", "fair"),
    ("Messe", "de", "Messen"), ("eksportører", "da", "eksportør"), ("città", "it", "citta"),
])
def test_a_query_word_matches_the_stem_in_the_documents_language(document_word, language, query):
    stems = set(text.stems(document_word, language))
    assert any(form in stems for forms in text.query_words(query) for form in forms)


@pytest.mark.parametrize("query", HOSTILE)
def test_query_words_hold_only_letters_and_digits(query):
    for forms in text.query_words(query):
        for form in forms:
            assert form.isalnum() and form.isascii()
    assert all(c.isalnum() or c in '"() ' or c.isspace() for c in
               sqlite.match_expression(text.query_words(query)).replace("AND", "").replace("OR", ""))
    assert all(c.isalnum() or c in "()|& " for c in postgresql.tsquery_expression(text.query_words(query)))


# --- search ---------------------------------------------------------------------------------------


def test_italian_plural_finds_the_singular_and_english_plural_finds_fairs(client, catalogue):
    trade_fairs = {"fiera-milano", "trade-fairs-usa", "messe-japan"}
    # "Fiera", "Trade fair" and "Messe" are the instrument's labels, indexed with every trade fair
    assert set(slugs(client, q="fiere")) == set(slugs(client, q="fairs")) == trade_fairs
    assert slugs(client, q="impresa") == ["fiera-milano"]  # the text says "imprese"
    assert slugs(client, q="exhibits grant") == ["trade-fairs-usa"]  # "exhibiting", "Grants"
    assert slugs(client, q="Unternehmens") == ["messe-japan"]  # "Unternehmen"


def test_accents_are_folded_both_ways(client, catalogue):
    assert slugs(client, q="grossere sichtbarkeit") == ["messe-japan"]
    assert slugs(client, q="GRÖSSERE") == ["messe-japan"]


def test_market_names_in_any_language_and_the_english_summary_are_searched(client, catalogue):
    assert set(slugs(client, q="Japan")) == {"fiera-milano", "messe-japan"}
    assert set(slugs(client, q="Giappone")) == {"fiera-milano", "messe-japan"}
    assert slugs(client, q="cosmetics stand") == ["fiera-milano"]


def test_every_word_must_match(client, catalogue):
    assert slugs(client, q="japan machinery") == ["messe-japan"]
    assert slugs(client, q="japan nonexistentword") == []


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_text_is_never_a_server_error(client, catalogue, query):
    for address in ("/practices/", "/practices.json", "/practices.csv", "/practices/deadlines.ics"):
        response = client.get(address, query_string={"q": query})
        assert response.status_code in (200, 400), (address, query, response.status_code)
        assert b"Secret" not in response.data


def test_a_query_without_words_shows_everything_with_a_message(client, catalogue):
    response = client.get("/practices/", query_string={"q": '"*"'})
    assert response.status_code == 200
    assert "no words to look for" in response.get_data(as_text=True)
    assert len(slugs(client, q='"*"')) == 3


# --- filters, facets, sorting, pagination ----------------------------------------------------------


def test_filters_are_or_within_and_and_across(client, catalogue):
    assert set(slugs(client, market=["JP", "US"])) == {"fiera-milano", "trade-fairs-usa", "messe-japan"}
    assert slugs(client, market=["JP"], sector=["machinery"]) == ["messe-japan"]
    assert set(slugs(client, sector=["machinery", "cosmetics"], instrument=["trade_fair"])) == {
        "fiera-milano", "trade-fairs-usa", "messe-japan"}
    assert slugs(client, region="dk04") == ["trade-fairs-usa"]
    assert slugs(client, dimension="missions") == ["fiera-milano"]


def test_facets_count_the_selection_without_their_own_filter(client, catalogue):
    data = client.get("/practices.json", query_string={"market": "JP", "sector": "machinery"}).get_json()
    facets = data["facets"]
    assert data["total"] == 1
    assert facets["market"] == {"JP": 1, "KR": 1, "US": 1}  # machinery practices, any market
    assert facets["sector"] == {"machinery": 1, "medtech": 1, "cosmetics": 1}  # JP practices, any sector
    assert facets["instrument"] == {"trade_fair": 1, "matchmaking": 1}
    assert facets["region"] == {"IE04": 1}
    assert "BR" not in client.get("/practices.json").get_json()["facets"]["market"]


def test_sort_by_rating_puts_unrated_after_rated(client, catalogue):
    assert slugs(client, sort="rating") == ["trade-fairs-usa", "fiera-milano", "messe-japan"]
    results = client.get("/practices.json", query_string={"sort": "rating"}).get_json()["results"]
    assert results[0]["rating"] == pytest.approx(14 / 3, abs=0.01) and results[0]["rating_n"] == 1
    assert results[2]["rating"] is None and results[2]["rating_n"] == 0


def test_relevance_is_the_default_with_words_and_newest_without(app, catalogue):
    assert parse_catalogue_args({"q": "japan"}).sort == "relevance"
    assert parse_catalogue_args({}).sort == "newest"
    assert parse_catalogue_args({"sort": "relevance"}).sort == "newest"


def test_pagination_and_the_json_shape(client, catalogue):
    first = client.get("/practices.json", query_string={"per_page": 2}).get_json()
    second = client.get("/practices.json", query_string={"per_page": 2, "page": 2}).get_json()
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert {r["slug"] for r in first["results"] + second["results"]} == {"fiera-milano", "trade-fairs-usa",
                                                                          "messe-japan"}
    result = first["results"][0]
    for key in ("slug", "title", "region", "region_name", "organisation", "summary", "instruments", "sectors",
                "markets", "stages", "dimensions", "rating", "rating_n", "published_at", "url"):
        assert key in result
    assert result["url"].startswith("http://") and result["url"].endswith("/practices/" + result["slug"])
    assert set(first["facets"]) == {"instrument", "sector", "market", "stage", "dimension", "region"}


def test_the_csv_holds_the_whole_selection(client, catalogue):
    response = client.get("/practices.csv", query_string={"per_page": 1, "instrument": "trade_fair"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert {r["slug"] for r in rows} == {"fiera-milano", "trade-fairs-usa", "messe-japan"}
    assert next(r for r in rows if r["slug"] == "messe-japan")["markets"] == "JP; KR"


@pytest.mark.parametrize(("params", "message"), [
    ({"sector": "space_tourism"}, "Unknown sector: 'space_tourism'"),
    ({"market": "XX"}, "Unknown market: 'XX'"),
    ({"instrument": ["webinar", "telepathy"]}, "Unknown instrument: 'telepathy'"),
    ({"stage": "unicorn"}, "Unknown stage"),
    ({"region": "ZZ99"}, "Unknown region"),
    ({"dimension": "nope"}, "Unknown dimension"),
    ({"sort": "random"}, "Unknown sort"),
    ({"page": "0"}, "page must be 1 or more"),
    ({"page": "two"}, "page must be a whole number"),
    ({"per_page": "101"}, "per_page must be from 1 to 100"),
    ({"lang": "fr"}, "Unknown lang"),
    ({"q": "x" * 201}, "q is too long"),
])
def test_unknown_values_are_a_400_that_says_which(client, catalogue, params, message):
    for address in ("/practices/", "/practices.json", "/practices.csv", "/practices/deadlines.ics"):
        response = client.get(address, query_string=params)
        assert response.status_code == 400, address
        assert message in html.unescape(response.get_data(as_text=True)), address
    assert client.get("/practices.json", query_string=params).get_json()["error"].startswith(message[:7])


def test_every_iso_country_is_a_market(app, catalogue):
    assert parse_catalogue_args({"market": ["tv", "VA", "AQ"]}).filters["market"] == ("TV", "VA", "AQ")
    with pytest.raises(CatalogueQueryError):
        parse_catalogue_args({"market": "EU"})


# --- nothing unpublished leaks ---------------------------------------------------------------------


def test_public_addresses_show_published_practices_only(client, catalogue):
    for params in ({}, {"q": "secret"}, {"q": "japan"}, {"q": "fiere"}, {"market": "BR"},
                   {"instrument": "voucher"}, {"sort": "rating"}):
        for address in ("/practices/", "/practices.json", "/practices.csv", "/practices/deadlines.ics"):
            body = client.get(address, query_string=params).get_data(as_text=True)
            assert "secret-draft" not in body and "waiting-review" not in body, (address, params)
            assert "Secret" not in body and "waiting in review" not in body
    facets = client.get("/practices.json").get_json()["facets"]
    assert "voucher" not in facets["instrument"] and "BR" not in facets["market"]
    only_br = client.get("/practices.json", query_string={"market": "BR"}).get_json()
    assert only_br["total"] == 0 and only_br["facets"]["market"]["BR"] == 0
    assert only_br["facets"]["instrument"] == {}
    assert client.get("/practices/secret-draft").status_code == 404
    assert client.get("/practices/waiting-review").status_code == 404


def test_the_page_works_without_javascript(client, catalogue):
    html = client.get("/practices/", query_string={"q": "japan", "sector": "machinery"}).get_data(as_text=True)
    assert '<form class="search catalogue-search" method="get"' in html
    assert "Gemeinschaftsstand" in html and "Partecipazione" not in html
    assert 'href="/practices/?q=japan&amp;sector=machinery&amp;sector=cosmetics"' in html  # a facet link
    assert "<script" not in html


@pytest.mark.parametrize("params", [{}, {"q": "japan", "sector": "machinery"},
                                    {"q": 'fiere "a&b" #1 + ü/é?', "market": ["JP", "KR"], "sort": "newest",
                                     "per_page": "50", "page": "2"}, {"stage": "experienced", "lang": "de"}])
def test_every_facet_link_is_the_address_url_for_writes(app, client, catalogue, params):
    """The facet links are written without url_for (pages.FacetLinks), to the same address."""
    page = client.get("/practices/", query_string=params).get_data(as_text=True)
    written = [html.unescape(href) for href in re.findall(r'<li [^>]*><a href="([^"]+)"', page)]
    with app.test_request_context("/practices/", query_string=params):
        query = parse_catalogue_args(flask.request.args)
        selection = catalogue_selection(query)
        expected = [flask.url_for("catalogue.index", **query.toggled(name, key))
                    for name in FACETS for key in selection.facets[name]]
    assert expected and written == expected


def test_the_page_is_a_constant_number_of_queries(app, client, load, bundle, count_queries):
    load(bundle)
    client.get("/practices/")
    with count_queries() as few:
        client.get("/practices/", query_string={"q": "japan", "market": "JP"})
    bundle["practices"] += [practice(f"p-{i}", f"Japan practice {i}", markets=["JP", "US"],
                                     instruments=["mission"]) for i in range(30)]
    load(bundle)
    with count_queries() as first:  # the first request of a catalogue version builds the facet index
        client.get("/practices/", query_string={"q": "japan", "market": "US"})
    with count_queries() as many:
        client.get("/practices/", query_string={"q": "japan", "market": "JP"})
    with count_queries() as again:  # the same results at the same catalogue version: rendered once
        client.get("/practices/", query_string={"q": "japan", "market": "JP"})
    assert len(many) == len(few) <= 16
    # + the facet index's two statements; on PostgreSQL the page's ranking apart too, since the
    # statement that read the new version ranked with the filters of the old index (selection._matched)
    assert len(first) == len(many) + 2 + (db.engine.dialect.name == "postgresql")
    assert len(again) == 1  # the catalogue version


def test_a_ranked_page_after_a_write_is_the_new_versions(client, catalogue):
    """PostgreSQL ranks in the statement that reads the catalogue version, among the practices that
    pass the filters in this process's facet index; after a write, that index is an old one and
    the page is ranked again with the new version's."""
    from sqlalchemy import select

    from eis_toolkit.models import Practice, Term

    assert "trade-fairs-usa" not in slugs(client, q="fairs", market="JP")
    usa = db.session.scalar(select(Practice).where(Practice.slug == "trade-fairs-usa"))
    usa.terms.append(db.session.scalar(select(Term).where(Term.vocabulary == "market", Term.key == "JP")))
    db.session.commit()
    assert "trade-fairs-usa" in slugs(client, q="fairs", market="JP")
    assert "trade-fairs-usa" in slugs(client, q="fairs", market="JP", page=1)


def test_the_selection_function_is_shared(app, catalogue):
    selection = catalogue_selection(parse_catalogue_args({"market": ["JP"]}), whole=True)
    assert {i.practice.slug for i in selection.items} == {"fiera-milano", "messe-japan"}
    assert selection.total == 2


def test_a_changed_practice_is_found_by_its_new_words(client, catalogue):
    from sqlalchemy import select

    from eis_toolkit.models import Practice

    practice_row = db.session.scalar(select(Practice).where(Practice.slug == "trade-fairs-usa"))
    practice_row.summary = "Now about Kangaroos."
    db.session.commit()
    assert slugs(client, q="kangaroo") == ["trade-fairs-usa"]
    db.session.delete(db.session.scalar(select(Practice).where(Practice.slug == "trade-fairs-usa")))
    db.session.commit()
    assert slugs(client, q="kangaroo") == []


def _facets_by_hand(results: list[dict], params: dict) -> tuple[int, dict]:
    """Facets as DESIGN.md defines them, from the published practices' result objects."""
    def keys(result, name):
        return [result["region"]] if name == "region" else result[name + "s"]

    def passes(result, without=None):
        return all(set(keys(result, name)) & set(wanted) for name, wanted in params.items() if name != without)

    facets = {}
    for name in ("instrument", "sector", "market", "stage", "dimension", "region"):
        counts = {}
        for result in results:
            if passes(result, without=name):
                for key in keys(result, name):
                    counts[key] = counts.get(key, 0) + 1
        for key in params.get(name, ()):
            counts.setdefault(key, 0)
        facets[name] = counts
    return sum(passes(r) for r in results), facets


@pytest.mark.parametrize("params", [
    {}, {"market": ["JP"]}, {"market": ["JP"], "sector": ["machinery"]},
    {"market": ["JP", "US"], "instrument": ["trade_fair"], "region": ["IE04"]},
    {"sector": ["machinery", "cosmetics"], "stage": ["experienced"], "market": ["US"], "dimension": ["missions"]},
])
@pytest.mark.parametrize("q", ["", "fiere"])
def test_total_and_facets_match_a_count_by_hand(client, catalogue, params, q):
    """The one counting statement (rows failing two filters dropped, one sum per filter) gives
    what counting each facet on its own would, and nothing unpublished counts."""
    everything = client.get("/practices.json", query_string={"q": q, "per_page": 100}).get_json()["results"]
    data = client.get("/practices.json", query_string={"q": q, **params}).get_json()
    total, facets = _facets_by_hand(everything, params)
    assert data["total"] == total
    assert data["facets"] == facets
    assert "BR" not in data["facets"]["market"] and "voucher" not in data["facets"]["instrument"]


def test_words_sorted_by_newest_are_not_ranked(app, catalogue):
    ranked = catalogue_selection(parse_catalogue_args({"q": "fiere"}))
    newest = catalogue_selection(parse_catalogue_args({"q": "fiere", "sort": "newest"}))
    assert ranked.total == newest.total > 0
    assert all(i.score is not None for i in ranked.items) and all(i.score is None for i in newest.items)
    assert {i.practice.slug for i in ranked.items} == {i.practice.slug for i in newest.items}


@pytest.mark.parametrize("params", [{}, {"market": ["JP"]}, {"sector": ["machinery", "cosmetics"]}])
def test_relevance_ranks_the_matching_selection_best_first(app, catalogue, params):
    """Ranked by score (BM25 / ``ts_rank``), then newest; every ranked practice matches the words
    (a positive score: PostgreSQL ranks the matching ids without testing the words again), and the
    ranked page holds what the newest-first selection holds."""
    query = {"q": "fiere", "per_page": 100, **params}
    ranked = catalogue_selection(parse_catalogue_args(query))
    newest = catalogue_selection(parse_catalogue_args({**query, "sort": "newest"}))
    scores = [i.score for i in ranked.items]
    assert scores and all(score > 0 for score in scores) and scores == sorted(scores, reverse=True)
    assert sorted(i.practice.id for i in ranked.items) == sorted(newest.ids) and ranked.total == newest.total


def facet_and_slugs(client, **params):
    body = client.get("/practices.json", query_string=params).get_json()
    return body["facets"]["market"].get("BR", 0), [r["slug"] for r in body["results"]]


@pytest.mark.commits
def test_publishing_and_returning_change_the_public_result_at_once(client, login, catalogue):
    client.get("/practices/", query_string={"q": "fiere"})  # the index of this version is built
    before = facet_and_slugs(client, q="fiere")
    assert before[0] == 0 and "fiera-milano" in before[1] and "waiting-review" not in before[1]
    login("host@example.org")
    assert client.post("/practices/waiting-review/publish").status_code == 302
    client.post("/logout")
    brazil, found = facet_and_slugs(client, q="fiere")
    assert brazil == 1 and set(found) == {*before[1], "waiting-review"}
    assert "waiting-review" in client.get("/practices/", query_string={"market": "BR"}).get_data(as_text=True)
    login("host@example.org")
    assert client.post("/practices/waiting-review/return", data={"reason": "Not yet."}).status_code == 302
    client.post("/logout")
    assert facet_and_slugs(client, q="fiere") == before
    assert "waiting-review" not in client.get("/practices/", query_string={"market": "BR"}).get_data(as_text=True)
