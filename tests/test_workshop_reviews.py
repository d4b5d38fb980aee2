"""The reviewer's work: the review page, drafts, autosave with optimistic locking, submitting,
nominations and practice ratings; two reviewers submitting at the same moment."""
import threading

import pytest
from sqlalchemy import select

from eis_toolkit.audit import AuditEvent
from eis_toolkit.catalogue.models import PracticeRating
from eis_toolkit.extensions import db
from eis_toolkit.models import Nomination, Review, ReviewScore, ReviewStatus
from eis_toolkit.workshops import reviews as services
from eis_toolkit.workshops.queries import scored_question_ids
from eis_toolkit.workshops.services import accept_nomination
from tests.workshop_support import (assignment_of, definition, login_as, open_workshop, person,  # noqa: F401
                                    score_fields, workshop, workshop_bundle)


@pytest.fixture
def ie_on_dk(open_workshop, login):
    """Ian (IE04) logged in, reviewing DK04."""
    login("ie@example.org")
    return assignment_of("ie@example.org", "DK04")


def review_of(assignment) -> Review:
    return db.session.get(Review, assignment.review.id)


def test_the_review_page_shows_the_regions_answers_beside_the_score_inputs(ie_on_dk, client):
    page = client.get(f"/reviews/{ie_on_dk.id}").text
    assert "Review of Central Denmark (DK04)" in page
    assert "Written strategy" in page, "the region's comment"
    assert "4 – Established and monitored" in page, "the region's own score, with its anchored level"
    assert "540,000 EUR" in page, "a non-scored answer is shown as context"
    assert page.count('type="radio" name="score.') == 33 * 7  # five levels, N/A, "not scored yet"
    assert 'value="na"' in page and 'data-autosave-url="/reviews/' in page
    assert "js/review.js" in page


def test_save_a_draft_then_submit(ie_on_dk, client):
    version = ie_on_dk.review.version
    response = client.post(f"/reviews/{ie_on_dk.id}", data={
        "version": version, "action": "save", "score.strategy.vision": "2", "comment.strategy.vision": "Old plan",
        "score.strategy.kpis": "na", "strengths": "Strong cluster"}, follow_redirects=True)
    assert "Your draft is saved." in response.text
    review = review_of(ie_on_dk)
    assert review.status == ReviewStatus.DRAFT and review.version == version + 1 and review.strengths == "Strong cluster"
    scores = {s.question.key: (s.score, s.not_applicable, s.comment) for s in review.scores}
    assert scores == {"strategy.vision": (2, False, "Old plan"), "strategy.kpis": (None, True, "")}
    assert 'value="2" checked' in response.text

    incomplete = client.post(f"/reviews/{ie_on_dk.id}", data={
        "version": review.version, "action": "submit", "score.strategy.vision": "3"}, follow_redirects=True)
    assert "saved as a draft" in incomplete.text and "32 still to do" in incomplete.text
    assert review_of(ie_on_dk).status == ReviewStatus.DRAFT

    done = client.post(f"/reviews/{ie_on_dk.id}", data={
        "version": review_of(ie_on_dk).version, "action": "submit", **score_fields(4)}, follow_redirects=True)
    assert "Your review is submitted" in done.text
    review = review_of(ie_on_dk)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at is not None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == review.id)) == "review.submit"
    assert 'type="radio"' not in done.text, "a submitted review is read-only"
    assert client.post(f"/reviews/{ie_on_dk.id}", data={"version": review.version, "action": "save"}).status_code == 403


def test_an_invalid_score_saves_nothing_and_keeps_the_input(ie_on_dk, client):
    response = client.post(f"/reviews/{ie_on_dk.id}", data={
        "version": ie_on_dk.review.version, "action": "save", "score.strategy.vision": "7",
        "comment.strategy.vision": "kept comment"})
    assert "strategy.vision: &#39;7&#39; is not a level from 1 to 5 or N/A." in response.text
    assert "kept comment" in response.text
    assert review_of(ie_on_dk).scores == []


def test_a_stale_page_does_not_overwrite_a_newer_save(ie_on_dk, client):
    version = ie_on_dk.review.version
    client.post(f"/reviews/{ie_on_dk.id}", data={"version": version, "action": "save", "score.strategy.vision": "2"})
    response = client.post(f"/reviews/{ie_on_dk.id}", data={
        "version": version, "action": "save", "score.strategy.vision": "5"}, follow_redirects=True)
    assert "saved from another window or device" in response.text
    assert [s.score for s in review_of(ie_on_dk).scores] == [2]


def test_autosave(ie_on_dk, client):
    url = f"/reviews/{ie_on_dk.id}/autosave"
    version = ie_on_dk.review.version
    response = client.post(url, json={"version": version, "fields": {"score.strategy.vision": "3", "weaknesses": "W"}})
    assert response.status_code == 200
    assert response.json["version"] == version + 1 and response.json["missing"] == 32
    again = client.post(url, json={"version": version + 1, "fields": {"score.strategy.vision": "4"}})
    assert again.status_code == 200 and again.json["version"] == version + 2
    review = review_of(ie_on_dk)
    assert [s.score for s in review.scores] == [4] and review.weaknesses == ""

    stale = client.post(url, json={"version": version + 1, "fields": {"score.strategy.vision": "1"}})
    assert stale.status_code == 409 and "another window" in stale.json["error"]
    invalid = client.post(url, json={"version": version + 2, "fields": {"score.strategy.vision": "9"}})
    assert invalid.status_code == 400 and "score.strategy.vision" in invalid.json["fields"]
    assert client.post(url, json={"fields": {}}).status_code == 400
    assert [s.score for s in review_of(ie_on_dk).scores] == [4]


@pytest.mark.parametrize("email", ["it@example.org", "dk@example.org", "host@example.org"])
def test_nobody_else_saves_someone_elses_review(ie_on_dk, client, login_as, email):
    login_as(email)
    version = ie_on_dk.review.version
    assert client.post(f"/reviews/{ie_on_dk.id}/autosave",
                       json={"version": version, "fields": {"score.strategy.vision": "1"}}).status_code == 403
    assert client.post(f"/reviews/{ie_on_dk.id}", data={"version": version, "action": "save"}).status_code == 403


def test_a_reviewer_moved_to_their_own_region_cannot_review_it(ie_on_dk, client):
    ian = person("ie@example.org")
    ian.region = ie_on_dk.region  # Ian moved to DK04: the old assignment is a conflict of interest now
    db.session.commit()
    assert client.get(f"/reviews/{ie_on_dk.id}").status_code == 403


# --- nominations and ratings ------------------------------------------------------------------


def test_nominations(ie_on_dk, client):
    url = f"/reviews/{ie_on_dk.id}/nominations"
    client.post(url, data={"title": "Export ambassadors", "description": "Firms coach firms",
                           "dimension_key": "outreach", "why": "Cheap and trusted"})
    refused = client.post(url, data={"title": "No dimension", "dimension_key": "nonsense"}, follow_redirects=True)
    assert "Not a valid choice" in refused.text
    [nomination] = review_of(ie_on_dk).nominations
    assert (nomination.title, nomination.dimension_key, nomination.why) == ("Export ambassadors", "outreach", "Cheap and trusted")
    assert "Export ambassadors" in client.get(f"/reviews/{ie_on_dk.id}").text
    accept_nomination(nomination)
    db.session.commit()
    kept = client.post(f"{url}/{nomination.id}/delete", follow_redirects=True)
    assert "already taken" in kept.text
    other = services.add_nomination(review_of(ie_on_dk), definition(), title="Second", dimension_key="finance")
    db.session.commit()
    client.post(f"{url}/{other.id}/delete")
    assert [n.title for n in db.session.scalars(select(Nomination).where(Nomination.review_id == ie_on_dk.review.id))] == [
        "Export ambassadors"]


def test_reviewers_rate_the_practices_nominated_at_the_workshop(ie_on_dk, client, login_as):
    # Ida (ITC4) nominated a DK04 practice in the small bundle; the host accepts it.
    practice = accept_nomination(db.session.scalar(select(Nomination).where(Nomination.title == "Company visits")))
    db.session.commit()
    page = client.get(f"/reviews/{ie_on_dk.id}").text
    assert "Rate the practices nominated at this workshop" in page and "Company visits" in page
    field = f"rating.{practice.id}"
    response = client.post(f"/reviews/{ie_on_dk.id}/ratings", data={
        f"{field}.evidence": "4", f"{field}.transferability": "5", f"{field}.usefulness": "3"}, follow_redirects=True)
    assert "Saved 1 rating." in response.text
    client.post(f"/reviews/{ie_on_dk.id}/ratings", data={
        f"{field}.evidence": "2", f"{field}.transferability": "5", f"{field}.usefulness": "3"})
    ratings = db.session.scalars(select(PracticeRating).where(PracticeRating.practice_id == practice.id)).all()
    assert [(r.rater.email, r.evidence, r.workshop_id) for r in ratings] == [("ie@example.org", 2, workshop().id)]
    incomplete = client.post(f"/reviews/{ie_on_dk.id}/ratings", data={f"{field}.evidence": "2"}, follow_redirects=True)
    assert "on every criterion from 1 to 5" in incomplete.text

    login_as("dk@example.org")  # DK04's own members are not reviewers of this workshop
    assert client.post(f"/reviews/{ie_on_dk.id}/ratings", data={f"{field}.evidence": "5"}).status_code == 403


def test_a_practice_of_ones_own_region_is_not_rated(open_workshop):
    practice = accept_nomination(db.session.scalar(select(Nomination)))
    with pytest.raises(services.WorkshopError, match="your own region"):
        services.rate_practice(practice, person("host@example.org"), open_workshop, evidence=5, transferability=5,
                               usefulness=5)


# --- at the same moment -----------------------------------------------------------------------


def _in_threads(app, *jobs):
    """Run each job in its own thread and app context (its own database session), all at once."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                results[index] = job(barrier)
            except Exception as error:  # noqa: BLE001 - reported to the test
                results[index] = error
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.commits  # threads, each with its own connection
def test_two_reviewers_submit_at_the_same_moment(open_workshop, app):
    def submit(email, value):
        def job(barrier):
            assignment = assignment_of(email, "DK04")
            ids = scored_question_ids(assignment.workshop.questionnaire_id)
            values = services.parse_review_input(score_fields(value), definition(assignment.workshop))
            barrier.wait(10)
            services.save_review(assignment.review, values, assignment.review.version, ids)
            services.submit_review(assignment.review, ids)
            db.session.commit()
            return "submitted"
        return job

    results = _in_threads(app, submit("ie@example.org", 2), submit("de@example.org", 4))
    assert results == ["submitted", "submitted"]
    db.session.expire_all()
    statuses = {a.reviewer.email: a.review.status for a in workshop().assignments if a.region.code == "DK04"}
    assert statuses == {"ie@example.org": "submitted", "de@example.org": "submitted", "it@example.org": "draft"}
    scores = db.session.scalars(select(ReviewScore.score).join(Review).where(Review.status == "submitted")).all()
    assert sorted(set(scores)) == [2, 4] and len(scores) == 66


@pytest.mark.commits  # threads, each with its own connection
def test_two_saves_of_the_same_review_at_the_same_moment_one_wins(open_workshop, app):
    base = assignment_of("ie@example.org", "DK04").review.version

    def save(value):
        def job(barrier):
            assignment = assignment_of("ie@example.org", "DK04")
            ids = scored_question_ids(assignment.workshop.questionnaire_id)
            values = services.parse_review_input({"score.strategy.vision": str(value)}, definition(assignment.workshop))
            assert assignment.review.version == base
            barrier.wait(10)
            services.save_review(assignment.review, values, base, ids)
            db.session.commit()
            return value
        return job

    results = _in_threads(app, save(1), save(5))
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, services.ReviewConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    db.session.expire_all()
    review = assignment_of("ie@example.org", "DK04").review
    assert review.version == base + 1
    assert [s.score for s in review.scores] == winners


# --- with CSRF protection on, as in production -----------------------------------------------


def test_autosave_and_the_reveal_switch_need_the_csrf_token(open_workshop, make_app):
    from tests.conftest import csrf_token

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").text
    client.post("/login", data={"email": "ie@example.org", "password": "review-pass",
                                "csrf_token": csrf_token(login_page)})
    assignment = assignment_of("ie@example.org", "DK04")
    token = csrf_token(client.get(f"/reviews/{assignment.id}").text)
    body = {"version": assignment.review.version, "fields": {"score.strategy.vision": "3"}}
    assert client.post(f"/reviews/{assignment.id}/autosave", json=body).status_code == 400
    saved = client.post(f"/reviews/{assignment.id}/autosave", json=body, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    client.post("/logout", data={"csrf_token": token})
    logged_out = client.post(f"/reviews/{assignment.id}/autosave", json=body, headers={"X-CSRFToken": token})
    assert logged_out.status_code in (400, 401) and logged_out.is_json is (logged_out.status_code == 401)

    login_page = client.get("/login").text
    client.post("/login", data={"email": "host@example.org", "password": "host-pass",
                                "csrf_token": csrf_token(login_page)})
    token = csrf_token(client.get("/workshops/aarhus-2017/live").text)
    assert client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1"}).status_code == 400
    assert client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1", "csrf_token": token}).status_code == 302
    assert workshop().live_revealed


def test_a_logged_out_autosave_gets_json(open_workshop, client):
    assignment = assignment_of("ie@example.org", "DK04")
    response = client.post(f"/reviews/{assignment.id}/autosave", json={"version": 1, "fields": {}})
    assert response.status_code == 401 and "logged out" in response.json["error"]


def test_a_review_without_a_draft_row_is_started_on_the_first_save(ie_on_dk, client):
    db.session.delete(ie_on_dk.review)
    db.session.commit()
    response = client.post(f"/reviews/{ie_on_dk.id}", data={"version": "1", "action": "save",
                                                             "score.strategy.vision": "4"}, follow_redirects=True)
    assert "Your draft is saved." in response.text
    assert [s.score for s in assignment_of("ie@example.org", "DK04").review.scores] == [4]
