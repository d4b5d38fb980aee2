"""The SME self-check: the pure ranking on hand-made cases, and its pages (nothing stored,
reasons in the reader's language, 400 on unknown values, nothing unpublished)."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from eis_toolkit.catalogue.recommend import Answers, Candidate, Reason, rank, score
from eis_toolkit.extensions import db

TODAY = date(2026, 5, 1)
NEEDS = {"events": {"trade_fair", "mission"}, "partners": {"matchmaking", "partner_search"},
         "finance": {"grant", "voucher"}, "training": {"training", "webinar"}}


def candidate(slug, **values):
    values.setdefault("title", slug.title())
    return Candidate(slug=slug, **{k: frozenset(v) if isinstance(v, (set, list)) else v for k, v in values.items()})


JAPAN_MISSION = candidate("japan-mission", markets={"JP"}, sectors={"cosmetics", "food"}, stages={"new_exporter"},
                          instruments={"mission", "matchmaking"}, deadlines=(date(2026, 5, 31), date(2026, 4, 1)))
BRAZIL_FAIR = candidate("brazil-fair", markets={"BR"}, instruments={"trade_fair"})
ANY_MARKET_GRANT = candidate("export-voucher", instruments={"voucher"}, stages={"new_exporter", "pre_export"})
JAPAN_ANY_SECTOR = candidate("japan-desk", markets={"JP"}, instruments={"partner_search"}, rating=5.0)


def test_a_fitting_practice_gets_every_reason_in_order():
    result = score(Answers(sector="cosmetics", markets=("JP",), stage="new_exporter", needs=("events", "partners")),
                   JAPAN_MISSION, TODAY, NEEDS)
    assert result.reasons == [Reason("market", "JP"), Reason("sector", "cosmetics"), Reason("stage", "new_exporter"),
                              Reason("need", "events"), Reason("need", "partners"), Reason("deadline", date(2026, 5, 31))]
    assert result.score == 4 + 3 + 2 + 2 + 2 + 1.5


def test_a_practice_for_other_markets_sectors_or_stages_is_left_out():
    assert score(Answers(markets=("JP",)), BRAZIL_FAIR, TODAY, NEEDS) is None
    assert score(Answers(sector="machinery"), JAPAN_MISSION, TODAY, NEEDS) is None
    assert score(Answers(stage="experienced"), JAPAN_MISSION, TODAY, NEEDS) is None


def test_open_practices_count_a_little_but_never_alone():
    assert score(Answers(markets=("JP",), sector="food"), ANY_MARKET_GRANT, TODAY, NEEDS) is None
    grant = score(Answers(markets=("JP",), needs=("finance",)), ANY_MARKET_GRANT, TODAY, NEEDS)
    assert grant.reasons == [Reason("any_market"), Reason("need", "finance")] and grant.score == 1 + 2


def test_passed_deadlines_are_no_reason_and_events_ahead_are_a_small_one():
    late = score(Answers(markets=("JP",)), JAPAN_MISSION, date(2026, 6, 1), NEEDS)
    assert [r.code for r in late.reasons] == ["market"]
    fair = candidate("fair", markets={"JP"}, event_starts=(date(2026, 9, 1),))
    assert score(Answers(markets=("JP",)), fair, TODAY, NEEDS).reasons[-1] == Reason("event", date(2026, 9, 1))


def test_ranking_is_by_score_then_title():
    ranked = rank(Answers(markets=("JP",), needs=("partners",)),
                  [JAPAN_ANY_SECTOR, BRAZIL_FAIR, JAPAN_MISSION, candidate("a-japan", title="A japan", markets={"JP"}),
                   candidate("b-japan", title="B japan", markets={"JP"})], TODAY, NEEDS)
    assert [r.slug for r in ranked] == ["japan-mission", "japan-desk", "a-japan", "b-japan"]
    assert ranked[1].score == 4 + 2 + 1.0  # the rating adds rating / 5
    assert ranked[0].score == 4 + 2 + 1.5 and ranked[2].score == ranked[3].score == 4


def test_more_markets_covered_rank_higher():
    both = candidate("both", markets={"JP", "US"})
    ranked = rank(Answers(markets=("JP", "US")), [candidate("jp", markets={"JP"}), both], TODAY, NEEDS)
    assert [r.slug for r in ranked] == ["both", "jp"]


def test_no_answers_recommend_nothing():
    assert rank(Answers(), [JAPAN_MISSION, BRAZIL_FAIR], TODAY, NEEDS) == []


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def practices(load, bundle):
    bundle["practices"] = [
        {"slug": "japan-call", "title": "Call for Japan", "region": "ITC4", "status": "published",
         "markets": ["JP"], "sectors": ["cosmetics"], "stages": ["new_exporter"], "instruments": ["mission", "webinar"],
         "editions": [{"title": "Tokyo", "deadline": "2099-05-31", "starts": "2099-07-16", "ends": "2099-07-19",
                       "place": "Tokyo"}]},
        {"slug": "usa-fairs", "title": "Fairs in the USA", "region": "DK04", "status": "published",
         "markets": ["US"], "instruments": ["trade_fair"]},
        {"slug": "hidden-japan", "title": "Hidden Japan draft", "region": "ITC4", "status": "draft",
         "markets": ["JP"], "sectors": ["cosmetics"], "instruments": ["mission"]},
        {"slug": "review-japan", "title": "Japan in review", "region": "ITC4", "status": "in_review",
         "markets": ["JP"], "instruments": ["mission"]},
    ]
    load(bundle)


def test_results_json_has_scores_and_reasons_in_the_chosen_language(client, practices):
    params = {"sector": "cosmetics", "market": "JP", "stage": "new_exporter", "need": "events"}
    data = client.get("/self-check/results.json", query_string=params).get_json()
    assert [r["slug"] for r in data["results"]] == ["japan-call"]
    result = data["results"][0]
    assert result["score"] == 4 + 3 + 2 + 2 + 1.5
    assert result["reasons"][:3] == ["covers Japan", "for the Cosmetics sector", "for firms exporting for the first time"]
    assert result["reasons"][-1] == "application deadline 31 May 2099"
    for key in ("slug", "title", "region", "markets", "rating", "rating_n", "url"):
        assert key in result


def test_reasons_follow_lang_for_country_names(client, practices):
    data = client.get("/self-check/results.json", query_string={"market": "JP", "lang": "it"}).get_json()
    assert "Giappone" in data["results"][0]["reasons"][0]
    data = client.get("/self-check/results.json", query_string={"market": "JP", "lang": "de"}).get_json()
    assert "Japan" in data["results"][0]["reasons"][0]


def _session(client) -> dict:
    cookie = client.get_cookie("session")
    if cookie is None:
        return {}
    serializer = client.application.session_interface.get_signing_serializer(client.application)
    return serializer.loads(cookie.value)


def test_results_page_is_shareable_and_stores_nothing(app, client, practices):
    from eis_toolkit.models import AuditEvent

    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get("/self-check/results?market=JP&market=US&need=events")
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Call for Japan" in body and "Fairs in the USA" in body
    assert "covers Japan" in body and "covers United States" in body
    # The session may carry the CSRF token of the header's language switch, never the answers.
    assert set(_session(client)) <= {"csrf_token"}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_form_has_the_questions_and_keeps_answers(client, practices):
    body = client.get("/self-check?market=JP&need=finance").get_data(as_text=True)
    questions = re.findall(r"(?:<legend>|<label for=\"(?:sector|lang)\">)(\d)\. ", body)
    assert questions == ["1", "2", "3", "4", "5", "6", "7"], "seven short questions, numbered in order"
    needs = re.findall(r'name="need" value="([a-z_]+)"', body)
    assert sorted(needs) == sorted(["information", "partners", "finance", "training", "events", "follow_up"])
    assert 'name="need" value="finance" checked' in body
    assert 'action="/self-check/results"' in body and 'method="get"' in body


@pytest.mark.parametrize("params", [{"sector": "nope"}, {"market": "XX"}, {"stage": "unicorn"}, {"need": "luck"},
                                    {"lang": "fr"}, {"sector": ["food", "fashion"]}])
def test_unknown_self_check_values_are_a_400(client, practices, params):
    for address in ("/self-check/results", "/self-check/results.json", "/self-check"):
        assert client.get(address, query_string=params).status_code == 400, address
    message = client.get("/self-check/results.json", query_string=params).get_json()["error"]
    assert message


def test_the_self_check_never_recommends_unpublished_practices(client, practices):
    for params in ({"market": "JP"}, {"sector": "cosmetics"}, {"need": "events"}):
        body = client.get("/self-check/results.json", query_string=params).get_data(as_text=True)
        assert "hidden-japan" not in body and "review-japan" not in body
        page = client.get("/self-check/results", query_string=params).get_data(as_text=True)
        assert "Hidden Japan" not in page and "Japan in review" not in page
