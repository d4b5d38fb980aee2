"""The action plan pages (docs/action-plans.md): who may read, write and comment; adding and
editing actions; submitting with the list of what is missing; progress reports."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Action, ActionPlan, PlanComment, ProgressReport, Review

PLAN = "/action-plans/aarhus-2017/DK04"

COMPLETE = {"background_kind": "dimension", "background_ref": "strategy", "background": "Peers: no KPIs",
            "title": "A KPI set for the export service", "description": "Define and publish five KPIs",
            "players": "Business Region, the chamber", "starts": "2018-01-01", "ends": "2018-12-31",
            "costs": "€20,000", "funding": "ERDF regional programme", "dimension_key": "strategy",
            "indicator": "KPIs reported yearly", "baseline": "0", "target": "5", "unit": "KPIs"}


@pytest.fixture
def published(load, bundle):
    """The small bundle (aarhus-2017 published; it@ of ITC4 submitted a review of DK04), with the
    review's recommendation."""
    bundle["workshops"][0]["reviews"][0]["recommendations"] = "Set targets and measure them every year."
    load(bundle)
    return bundle


def _plan():
    return db.session.scalar(select(ActionPlan))


def _add(client, **changes):
    return client.post(f"{PLAN}/actions/new", data=COMPLETE | changes)


# --- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize("email, expected", [
    ("dk@example.org", 200), ("host@example.org", 200),  # DK04's members (the host works for DK04)
    ("it@example.org", 200),  # the peer who reviewed DK04
    ("admin@example.org", 200),
    ("ie@example.org", 403),  # another hot-seat region, not a reviewer of DK04
])
def test_who_reads_the_plan(published, client, login, email, expected):
    login(email)
    assert client.get(PLAN).status_code == expected


def test_anonymous_visitors_are_sent_to_log_in(published, client):
    response = client.get(PLAN)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_region_never_sees_the_draft_plan(published, client, login):
    login("dk@example.org")
    assert _add(client).status_code == 302
    client.post("/logout")
    login("ie@example.org")
    assert client.get(PLAN).status_code == 403
    assert client.get(f"{PLAN}/actions/{db.session.scalar(select(Action.id))}").status_code == 403
    assert client.post(f"{PLAN}/comments", data={"body": "hello"}).status_code == 403


@pytest.mark.parametrize("email", ["it@example.org", "admin@example.org", "ie@example.org"])
def test_only_members_write(published, client, login, email):
    login(email)
    assert client.get(f"{PLAN}/actions/new").status_code == 403
    assert _add(client).status_code == 403
    assert db.session.scalar(select(Action.id)) is None


def test_before_publication_there_is_no_plan(load, bundle, client, login):
    bundle["workshops"][0]["status"] = "closed"
    load(bundle)
    login("dk@example.org")
    assert client.get(PLAN).status_code == 403
    assert _add(client).status_code == 403


def test_unknown_workshop_or_region_is_404(published, client, login):
    login("dk@example.org")
    assert client.get("/action-plans/nowhere/DK04").status_code == 404
    assert client.get("/action-plans/aarhus-2017/ITC4").status_code == 404  # not in the hot seat


def test_the_scorecard_links_to_the_plan_for_those_who_may_read_it(published, client, login):
    login("dk@example.org")
    assert PLAN.encode() in client.get("/benchmark/workshops/aarhus-2017/regions/DK04").data


# --- writing ------------------------------------------------------------------------------------


def test_the_plan_page_offers_starting_points(published, client, login):
    login("dk@example.org")
    html = client.get(PLAN).get_data(as_text=True)
    assert "Set targets and measure them every year." in html
    assert "kind=recommendation" in html and "kind=dimension" in html


def test_an_action_starts_from_a_recommendation_or_a_weak_dimension(published, client, login):
    login("dk@example.org")
    review_id = db.session.scalar(select(Review.id))
    html = client.get(f"{PLAN}/actions/new?kind=recommendation&ref={review_id}").get_data(as_text=True)
    assert "Set targets and measure them every year." in html
    html = client.get(f"{PLAN}/actions/new?kind=dimension&ref=strategy").get_data(as_text=True)
    assert 'value="strategy" selected' in html or 'selected value="strategy"' in html
    html = client.get(f"{PLAN}/actions/new?kind=practice&ref=paths-japan&dimension=missions").get_data(as_text=True)
    assert "Paths to Japan" in html
    assert client.get(f"{PLAN}/actions/new?kind=practice&ref=nope").status_code == 200  # ignored


def test_a_member_adds_and_edits_an_action(published, client, login):
    login("dk@example.org")
    response = _add(client, players="")
    assert response.status_code == 302
    action = db.session.scalar(select(Action))
    assert action.title == COMPLETE["title"] and action.baseline == 0.0 and action.players == ""
    assert str(action.plan.status) == "draft"
    response = client.post(f"{PLAN}/actions/{action.id}", data=COMPLETE | {"players": "The agency"})
    assert response.status_code == 302
    assert db.session.get(Action, action.id).players == "The agency"
    assert COMPLETE["title"] in client.get(PLAN).get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"baseline": "a dozen"}, "Enter a number"),
    ({"starts": "31/12/2018"}, "Enter a date as YYYY-MM-DD"),
    ({"starts": "2018-06-01", "ends": "2018-01-01"}, "ends before it starts"),
    ({"title": ""}, "This field is required"),
    ({"dimension_key": "nonsense"}, "Not a valid choice"),
])
def test_the_form_keeps_what_was_typed_on_error(published, client, login, changes, message):
    login("dk@example.org")
    response = _add(client, **changes, funding="Our own typed funding")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "Our own typed funding" in html
    for value in changes.values():
        if value and value != "nonsense":
            assert value in html
    assert db.session.scalar(select(Action.id)) is None


def test_an_action_of_another_plan_is_404(published, client, login):
    login("dk@example.org")
    _add(client)
    client.post("/logout")
    login("ie@example.org")  # IE04 is in the hot seat too
    client.post("/action-plans/aarhus-2017/IE04/actions/new", data=COMPLETE)
    ie_action = db.session.scalars(select(Action.id).order_by(Action.id)).all()[-1]
    assert db.session.get(Action, ie_action).plan.region.code == "IE04"
    client.post("/logout")
    login("dk@example.org")
    assert client.get(f"{PLAN}/actions/{ie_action}").status_code == 404


def test_deleting_an_action(published, client, login):
    login("dk@example.org")
    _add(client)
    action_id = db.session.scalar(select(Action.id))
    assert client.post(f"{PLAN}/actions/{action_id}/delete").status_code == 302
    assert db.session.scalar(select(Action.id)) is None


# --- submitting ---------------------------------------------------------------------------------


def test_submitting_lists_what_is_missing(published, client, login):
    login("dk@example.org")
    _add(client, players="", unit="")
    _add(client, title="Second", costs="")
    response = client.post(f"{PLAN}/submit", data={"policy_context": "ERDF ROP axis 3"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Still missing" in html
    assert "Action 1" in html and "Players involved" in html and "Unit" in html
    assert "Action 2" in html and "Costs" in html
    assert "ERDF ROP axis 3" in html  # what was typed stays
    assert str(_plan().status) == "draft"


def test_a_complete_plan_is_submitted_and_no_longer_changes(published, client, login):
    login("dk@example.org")
    _add(client)
    assert client.post(f"{PLAN}/submit", data={"policy_context": "ERDF ROP axis 3"}).status_code == 302
    plan = _plan()
    assert str(plan.status) == "submitted" and plan.submitted_at and plan.policy_context == "ERDF ROP axis 3"
    action_id = db.session.scalar(select(Action.id))
    assert client.post(f"{PLAN}/actions/{action_id}", data=COMPLETE | {"title": "Changed"}).status_code == 409
    assert client.post(f"{PLAN}/actions/new", data=COMPLETE).status_code == 409
    assert client.post(f"{PLAN}/actions/{action_id}/delete").status_code == 409
    assert client.post(f"{PLAN}/submit").status_code == 409


def test_submitting_a_plan_that_does_not_exist_is_404(published, client, login):
    login("dk@example.org")
    assert client.post(f"{PLAN}/submit").status_code == 404


# --- comments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["it@example.org", "admin@example.org", "dk@example.org"])
def test_host_peers_and_members_comment(published, client, login, email):
    login("dk@example.org")
    _add(client)
    client.post("/logout")
    login(email)
    assert client.post(f"{PLAN}/comments", data={"body": "Add a budget line"}).status_code == 302
    assert db.session.scalar(select(PlanComment.body)) == "Add a budget line"
    assert "Add a budget line" in client.get(PLAN).get_data(as_text=True)


def test_an_empty_comment_is_refused(published, client, login):
    login("dk@example.org")
    _add(client)
    client.post(f"{PLAN}/comments", data={"body": "   "})
    assert db.session.scalar(select(PlanComment.id)) is None


# --- progress -----------------------------------------------------------------------------------


@pytest.fixture
def submitted(published, client, login):
    login("dk@example.org")
    _add(client)
    assert client.post(f"{PLAN}/submit").status_code == 302
    return db.session.scalar(select(Action.id))


def test_progress_waits_for_submission(published, client, login):
    login("dk@example.org")
    _add(client)
    action_id = db.session.scalar(select(Action.id))
    assert client.get(f"{PLAN}/actions/{action_id}/progress").status_code == 409


def test_progress_reports_follow_the_life_cycle(submitted, client):
    url = f"{PLAN}/actions/{submitted}/progress"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reported_on": "2018-03-01", "status": "done"})
    assert response.status_code == 422 and "cannot follow" in response.get_data(as_text=True)
    assert client.post(url, data={"reported_on": "2018-03-01", "status": "started", "current_value": "2"}
                       ).status_code == 302
    response = client.post(url, data={"reported_on": "2018-02-01", "status": "started"})
    assert response.status_code == 422 and "before the latest" in response.get_data(as_text=True)
    response = client.post(url, data={"reported_on": "2018-04-01", "status": "dropped", "reason": ""})
    assert response.status_code == 422 and "Say why the action is dropped" in response.get_data(as_text=True)
    assert client.post(url, data={"reported_on": "2018-04-01", "status": "dropped", "reason": "No budget"}
                       ).status_code == 302
    reports = db.session.scalars(select(ProgressReport).order_by(ProgressReport.id)).all()
    assert [(str(r.status), r.current_value, r.reason) for r in reports] == [
        ("started", 2.0, ""), ("dropped", None, "No budget")]
    html = client.get(PLAN).get_data(as_text=True)
    assert "No budget" in html and "dropped" in html
    response = client.post(url, data={"reported_on": "2018-05-01", "status": "started"})
    assert response.status_code == 422  # dropped is final


def test_peers_do_not_report_progress(submitted, client, login):
    client.post("/logout")
    login("it@example.org")
    assert client.post(f"{PLAN}/actions/{submitted}/progress",
                       data={"reported_on": "2018-03-01", "status": "started"}).status_code == 403


def test_the_plan_page_costs_the_same_queries_for_one_action_or_five(published, client, login, count_queries):
    login("dk@example.org")

    def count():
        client.get(PLAN)  # warm the benchmark cache
        with count_queries() as queries:
            assert client.get(PLAN).status_code == 200
        return len(queries)

    _add(client)
    draft_one = count()
    for number in range(4):
        _add(client, title=f"Action {number}")
    draft_five = count()
    assert draft_one == draft_five, (draft_one, draft_five)
    client.post(f"{PLAN}/submit")
    ids = db.session.scalars(select(Action.id).order_by(Action.id)).all()
    client.post(f"{PLAN}/actions/{ids[0]}/progress", data={"reported_on": "2018-03-01", "status": "started"})
    one_report = count()
    for action_id in ids[1:]:
        for day in ("2018-03-01", "2018-04-01"):
            client.post(f"{PLAN}/actions/{action_id}/progress", data={"reported_on": day, "status": "started"})
    many_reports = count()
    assert len(db.session.scalars(select(ProgressReport.id)).all()) == 9
    assert one_report == many_reports, (one_report, many_reports)
    print(f"plan page queries: draft {draft_one}, submitted {one_report}")
