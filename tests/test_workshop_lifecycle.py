"""The life cycle planned → open → closed → published: guards, confirmation, audit trail, routes."""
import pytest
from sqlalchemy import select

from eis_toolkit.audit import AuditEvent
from eis_toolkit.extensions import db
from eis_toolkit.models import Assessment, AssessmentStatus, ReviewStatus, WorkshopStatus
from eis_toolkit.workshops import lifecycle
from eis_toolkit.workshops.lifecycle import TransitionRefused
from eis_toolkit.workshops.services import remove_assignment
from tests.workshop_support import (assignment_of, open_workshop, person, submit_as, workshop,  # noqa: F401
                                    workshop_bundle)


@pytest.fixture
def planned(load, workshop_bundle):
    workshop_bundle["workshops"][0]["status"] = "planned"
    workshop_bundle["workshops"][0]["reviews"] = [
        {"reviewer": email, "region": code} for email, code in
        [("it@example.org", "DK04"), ("de@example.org", "DK04"), ("it@example.org", "IE04"), ("de@example.org", "IE04")]]
    load(workshop_bundle)
    w = workshop()
    for a in w.assignments:  # a bundle review implies a draft review; a planned workshop has none
        db.session.delete(a.review)
    db.session.commit()
    return workshop()


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_ready_workshop_opens_with_draft_reviews_and_an_audit_event(planned):
    host = person("host@example.org")
    assert lifecycle.check(planned, "open").allowed
    lifecycle.apply(planned, "open", host)
    db.session.commit()
    assert planned.status == WorkshopStatus.OPEN
    assert all(a.review and a.review.status == ReviewStatus.DRAFT for a in planned.assignments)
    [event] = events("workshop.open")
    assert (event.user_id, event.detail) == (host.id, {"from": "planned", "to": "open"})


def test_opening_needs_submitted_self_assessments_and_two_reviewers(planned):
    dk = next(a for a in planned.assessments if a.region.code == "DK04")
    dk.status = AssessmentStatus.DRAFT
    db.session.delete(next(a for a in planned.assessments if a.region.code == "IE04"))
    remove_assignment(assignment_of("de@example.org", "IE04"))
    db.session.flush()
    db.session.expire(planned)
    result = lifecycle.check(planned, "open")
    assert result.refusals == [
        "DK04 has not submitted its self-assessment yet.",
        "IE04 has no self-assessment yet.",
        "IE04 has 1 reviewer; at least 2 are needed.",
    ]
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.apply(planned, "open")
    assert refused.value.reasons == result.refusals
    assert planned.status == WorkshopStatus.PLANNED
    assert events("workshop.open") == []


def test_opening_warns_about_the_country_rule(planned):
    # DK04 is reviewed from IT and DE, IE04 too: fine. Take DE away from IE04 and add another Italian.
    from eis_toolkit.workshops.services import assign_reviewer

    remove_assignment(assignment_of("de@example.org", "IE04"))
    assign_reviewer(planned, person("it2@example.org"), assignment_of("it@example.org", "IE04").region)
    result = lifecycle.check(planned, "open")
    assert result.allowed
    assert result.warnings == ["IE04's reviewers come from 1 other country (IT); the peer-review rule asks for at least 2."]


def test_a_workshop_without_hot_seat_does_not_open(load, bundle):
    bundle["workshops"][0].update(status="planned", hot_seat=[], assessments=[], reviews=[])
    load(bundle)
    assert lifecycle.check(workshop(), "open").refusals == [
        "The workshop has no hot-seat region yet: choose at least one on the workshop's Edit page before "
        "opening the review round."]


def test_closing_needs_a_submitted_review_per_region(open_workshop):
    submit_as("it@example.org", "DK04")
    assert lifecycle.check(open_workshop, "close").refusals == [
        "IE04 has no submitted review yet: there would be nothing to publish for it."]


def test_closing_with_drafts_needs_confirmation_and_records_what_was_left_out(open_workshop):
    submit_as("it@example.org", "DK04")
    submit_as("de@example.org", "IE04")
    result = lifecycle.check(open_workshop, "close")
    assert result.allowed and result.needs_confirmation
    assert result.warnings[0].startswith("3 reviews are not submitted and will be left out of the results: ")
    with pytest.raises(TransitionRefused, match="Confirm"):
        lifecycle.apply(open_workshop, "close")
    assert open_workshop.status == WorkshopStatus.OPEN
    lifecycle.apply(open_workshop, "close", person("host@example.org"), confirmed=True)
    db.session.commit()
    [event] = events("workshop.close")
    assert event.detail == {"from": "open", "to": "closed", "left_out": 3}


def test_closing_without_drafts_needs_no_confirmation(open_workshop):
    for email, code in [("it@example.org", "DK04"), ("ie@example.org", "DK04"), ("de@example.org", "DK04"),
                        ("it@example.org", "IE04"), ("de@example.org", "IE04")]:
        submit_as(email, code)
    result = lifecycle.check(open_workshop, "close")
    assert result.allowed and not result.needs_confirmation and result.warnings == []
    lifecycle.apply(open_workshop, "close")
    assert open_workshop.status == WorkshopStatus.CLOSED


def test_publishing_needs_a_closed_workshop(open_workshop):
    assert lifecycle.check(open_workshop, "publish").refusals == [
        "The workshop is open; only a closed workshop can be published."]
    open_workshop.status = WorkshopStatus.CLOSED
    lifecycle.apply(open_workshop, "publish", person("host@example.org"))
    assert open_workshop.status == WorkshopStatus.PUBLISHED
    assert lifecycle.next_action(open_workshop) is None
    assert events("workshop.publish")[0].detail == {"from": "closed", "to": "published"}


@pytest.mark.parametrize("status, action", [("planned", "close"), ("planned", "publish"), ("open", "open"),
                                            ("closed", "open"), ("published", "open"), ("published", "close"),
                                            ("published", "publish")])
def test_transitions_only_from_their_own_status(open_workshop, status, action):
    open_workshop.status = status
    assert not lifecycle.check(open_workshop, action).allowed


def test_reviewers_cannot_change_reviews_after_closing(open_workshop, client, login):
    submit_as("it@example.org", "DK04")
    submit_as("de@example.org", "IE04")
    lifecycle.apply(open_workshop, "close", confirmed=True)
    db.session.commit()
    login("ie@example.org")
    assignment = assignment_of("ie@example.org", "DK04")
    assert client.post(f"/reviews/{assignment.id}", data={"action": "save", "version": "1"}).status_code == 403
    page = client.get(f"/reviews/{assignment.id}")
    assert "left out of the results" in page.text


# --- the routes -------------------------------------------------------------------------------


def test_the_host_walks_the_whole_cycle_through_the_pages(planned, client, login):
    login("host@example.org")
    slug = planned.slug
    page = client.get(f"/workshops/{slug}/status/open")
    assert "Open the review round?" in page.text
    assert "Opened" not in page.text
    response = client.post(f"/workshops/{slug}/status/open", follow_redirects=True)
    assert "The workshop is now open." in response.text
    submit_as("it@example.org", "DK04")
    submit_as("de@example.org", "IE04")
    page = client.get(f"/workshops/{slug}/status/close")
    assert "2 reviews are not submitted" in page.text and 'name="confirmed"' in page.text
    refused = client.post(f"/workshops/{slug}/status/close", follow_redirects=True)
    assert "Confirm that the reviews not submitted will be left out." in refused.text
    assert workshop().status == WorkshopStatus.OPEN
    client.post(f"/workshops/{slug}/status/close", data={"confirmed": "y"})
    assert workshop().status == WorkshopStatus.CLOSED
    client.post(f"/workshops/{slug}/status/publish")
    assert workshop().status == WorkshopStatus.PUBLISHED
    history = client.get(f"/workshops/{slug}").text
    assert "results published by Hana Host" in history and "(2 not submitted, left out)" in history


def test_a_refused_transition_shows_why(planned, client, login):
    next(a for a in planned.assessments if a.region.code == "IE04").status = AssessmentStatus.DRAFT
    db.session.commit()
    login("host@example.org")
    assert "IE04 has not submitted its self-assessment yet." in client.get(f"/workshops/{planned.slug}").text
    response = client.post(f"/workshops/{planned.slug}/status/open", follow_redirects=True)
    assert "IE04 has not submitted its self-assessment yet." in response.text
    assert workshop().status == WorkshopStatus.PLANNED


@pytest.mark.parametrize("email", ["dk@example.org", "it@example.org", "ie@example.org"])
def test_only_hosts_move_the_workshop_on(open_workshop, client, login, email):
    login(email)
    assert client.get(f"/workshops/{open_workshop.slug}/status/close").status_code == 403
    assert client.post(f"/workshops/{open_workshop.slug}/status/close", data={"confirmed": "y"}).status_code == 403
    assert workshop().status == WorkshopStatus.OPEN


def test_an_unknown_action_is_not_found(open_workshop, client, login):
    login("host@example.org")
    assert client.get(f"/workshops/{open_workshop.slug}/status/reopen").status_code == 404


def test_assessments_are_created_for_the_hot_seat(load, bundle):
    bundle["workshops"][0].update(status="planned", assessments=[], reviews=[])
    load(bundle)
    assert db.session.scalars(select(Assessment)).all() == []
    from eis_toolkit.workshops.services import set_hot_seat

    set_hot_seat(workshop(), workshop().hot_seat)
    db.session.commit()
    assert sorted(a.region.code for a in db.session.scalars(select(Assessment))) == ["DK04", "IE04"]
    assert {a.status for a in db.session.scalars(select(Assessment))} == {AssessmentStatus.DRAFT}


def test_the_host_starts_missing_self_assessments(load, bundle, client, login):
    bundle["workshops"][0].update(status="planned", assessments=[], reviews=[])
    load(bundle)
    login("host@example.org")
    page = client.get("/workshops/aarhus-2017").text
    assert page.count("Start it") == 2 and "DK04 has no self-assessment yet." in page
    response = client.post("/workshops/aarhus-2017/assessments", follow_redirects=True)
    assert "Started the self-assessment of DK04, IE04." in response.text
    assert sorted(a.region.code for a in workshop().assessments) == ["DK04", "IE04"]


def test_a_planned_round_shows_the_reviewer_the_self_assessment_but_no_inputs(planned, client, login):
    login("it@example.org")
    page = client.get(f"/reviews/{assignment_of('it@example.org', 'DK04').id}/strategy").text
    assert "The review round has not opened yet." in page and "Written strategy" in page
    assert 'type="radio"' not in page


def test_opening_tells_each_reviewer_the_regions_they_review_in_their_language(planned, client, login,
                                                                               smtp_server):
    from flask_babel import force_locale
    from flask_babel import gettext as _

    login("host@example.org")
    response = client.post(f"/workshops/{planned.slug}/status/open", data={"confirmed": "y"})
    assert response.status_code == 302
    opened = {m["To"]: m for m in smtp_server.messages}
    assert set(opened) == {"it@example.org", "de@example.org"}  # the assigned reviewers, once each
    names = ", ".join(sorted(region.name for region in planned.hot_seat))
    for email in opened:
        body = opened[email].get_body(("plain",)).get_content()
        assert names in body and "http://localhost/reviews" in body
    language = person("de@example.org").language or "en"
    with force_locale(language):
        assert opened["de@example.org"]["Subject"] == _("The review round of %(workshop)s is open",
                                                        workshop=planned.title)
