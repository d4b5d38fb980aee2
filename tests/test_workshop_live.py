"""The live session: nothing but progress until the host reveals, then the right numbers."""
import math

import pytest
from sqlalchemy import select

from eis_toolkit.audit import AuditEvent
from eis_toolkit.benchmark.numbers import Row
from eis_toolkit.extensions import db
from eis_toolkit.workshops import live
from eis_toolkit.workshops import reviews as services
from eis_toolkit.workshops.queries import scored_question_ids
from tests.workshop_support import (assignment_of, definition, open_workshop, score_fields, submit_as,  # noqa: F401
                                    workshop, workshop_bundle)

# DK04's own scores (workshop_support): strategy.vision 4 (weight 2), strategy.coordination 2 (weight 1).
# Ida scores everything 3 but vision 2; Dora everything 3 but vision 4 and kpis N/A; Ian's draft says 1.


@pytest.fixture
def scored(open_workshop, client, login):
    submit_as("it@example.org", "DK04", 3, {"strategy.vision": 2})
    submit_as("de@example.org", "DK04", 3, {"strategy.vision": 4, "strategy.kpis": "na"})
    draft = assignment_of("ie@example.org", "DK04")
    services.save_review(draft.review, services.parse_review_input(score_fields(1), definition()), draft.review.version,
                         scored_question_ids(open_workshop.questionnaire_id))
    db.session.commit()
    login("host@example.org")
    return open_workshop


def reveal(client, on=True):
    return client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1" if on else "0"},
                       headers={"Accept": "application/json"})


def test_nothing_but_progress_until_revealed(scored, client):
    data = client.get("/workshops/aarhus-2017/live.json").json
    assert data == {"workshop": "aarhus-2017", "status": "open", "revealed": False, "progress": [
        {"region": "DK04", "name": "Central Denmark", "submitted": 2, "assigned": 3},
        {"region": "IE04", "name": "Northern and Western", "submitted": 0, "assigned": 2}]}
    page = client.get("/workshops/aarhus-2017/live").text
    assert "The scores are hidden" in page and "Reveal the scores" in page
    assert "js/live.js" in page and "<script>" not in page and "style=" not in page


def test_the_reveal_switch_is_audited_and_shows_the_numbers(scored, client):
    assert reveal(client).json == {"revealed": True}
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action.like("workshop.%"))) == "workshop.reveal"
    data = client.get("/workshops/aarhus-2017/live.json").json
    assert data["revealed"] is True and data["scale"] == {"min": 1, "max": 5}

    questions = {(q["region"], q["key"]): q for q in data["questions"]}
    vision = questions[("DK04", "strategy.vision")]
    assert (vision["self"], vision["peer_n"], vision["peer_mean"], vision["peer_min"], vision["peer_max"]) == (4, 2, 3, 2, 4)
    assert vision["peer_sd"] == pytest.approx(math.sqrt(2)) and vision["gap"] == 1
    assert vision["disagreement"] == pytest.approx(math.sqrt(2) + 1)
    assert data["questions"][0]["key"] == "strategy.vision", "the most disagreement first"
    assert data["questions"][1]["key"] == "strategy.coordination"  # gap 2 − 3 = −1, no spread
    assert questions[("DK04", "strategy.kpis")]["peer_n"] == 1, "N/A is left out"
    assert all(q["region"] == "DK04" for q in data["questions"]), "IE04 has no submitted review: nothing to discuss"

    weights = {q.key: q.weight for q in definition().scored_questions()}
    strategy = next(d for d in data["dimensions"] if (d["region"], d["key"]) == ("DK04", "strategy"))
    expected_self = (4 * weights["strategy.vision"] + 2 * weights["strategy.coordination"]) / (
        weights["strategy.vision"] + weights["strategy.coordination"])
    assert strategy["self"] == pytest.approx(expected_self)
    assert strategy["peer_mean"] == pytest.approx(3.0), "Ian's draft (all 1) does not count"
    assert strategy["title"] == "Strategy and governance"
    [overall] = [o for o in data["overall"] if o["region"] == "DK04"]
    assert overall["peer_mean"] == pytest.approx(3.0) and overall["index"] == pytest.approx(50.0)

    reveal(client, on=False)
    assert set(client.get("/workshops/aarhus-2017/live.json").json) == {"workshop", "status", "revealed", "progress"}


def test_the_numbers_follow_new_submissions(scored, client):
    reveal(client)
    before = client.get("/workshops/aarhus-2017/live.json").json
    submit_as("it@example.org", "IE04", 5)
    after = client.get("/workshops/aarhus-2017/live.json").json
    assert [p["submitted"] for p in after["progress"]] == [2, 1]
    assert not any(d["region"] == "IE04" and d["peer_mean"] for d in before["dimensions"])
    assert any(d["region"] == "IE04" and d["peer_mean"] == 5 for d in after["dimensions"])


def test_the_reveal_switch_without_javascript(scored, client):
    response = client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1"})
    assert response.status_code == 302 and response.location.endswith("/workshops/aarhus-2017/live")
    assert workshop().live_revealed


# --- the pure part ----------------------------------------------------------------------------


def row(key, region="DK04", **values):
    return Row(region, "question", key, **values)


def test_disagreement_is_spread_plus_absolute_gap():
    assert live.disagreement(row("a", peer_sd=1.5, gap=-0.5)) == 2.0
    assert live.disagreement(row("a", peer_sd=None, gap=None)) == 0.0


def test_questions_to_discuss_ordering():
    rows = [row("q1", peer_n=2, peer_sd=0.5, gap=0.0), row("q2", peer_n=3, peer_sd=0.0, gap=-2.0),
            row("q3", peer_n=0), row("q1", "IE04", peer_n=2, peer_sd=0.5, gap=0.0),
            Row("DK04", "dimension", "strategy", peer_mean=3)]
    ordered = live.questions_to_discuss(rows, ["q1", "q2", "q3"])
    assert [(r.region, r.key) for r in ordered] == [("DK04", "q2"), ("DK04", "q1"), ("IE04", "q1")]


def test_the_payload_holds_no_figures_when_hidden(core_definition):
    rows = [row("strategy.vision", peer_n=2, peer_mean=3.0)]
    hidden = live.payload(slug="w", status="open", revealed=False, progress=[("DK04", "Central Denmark", 1, 2)],
                          rows=rows, definition=core_definition)
    assert "questions" not in hidden and "dimensions" not in hidden and "3.0" not in str(hidden)
