"""Hosts: a planned workshop is deleted behind a confirmation page; opening needs a hot-seat region."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from eis_toolkit.extensions import db
from eis_toolkit.models import (Answer, Assessment, AuditEvent, EvidenceFile, ReviewerAssignment, SiteVisit, Workshop,
                                WorkshopStatus)
from tests.conftest import csrf_token

SLUG = "vejle-2019"
PLANNED = {
    "slug": SLUG, "title": "Vejle workshop", "questionnaire": "eis-core@1", "host": "DK04", "place": "Vejle",
    "starts": "2019-05-02", "ends": "2019-05-03", "status": "planned", "hot_seat": ["DK04", "IE04"],
    "site_visits": [{"firm": "Vejle Tools"}],
    "assessments": [{"region": "DK04", "status": "draft",
                     "answers": {"strategy.vision": {"score": 3}, "strategy.budget": {"value": 1000}}}],
    "reviews": [{"reviewer": "it@example.org", "region": "DK04", "status": "draft"}],
}
STORED = "ab" * 16


@pytest.fixture
def planned(load, bundle):
    bundle["workshops"].append(copy.deepcopy(PLANNED))
    load(bundle)
    answer = db.session.scalar(select(Answer).join(Answer.assessment).join(Assessment.workshop).where(Workshop.slug == SLUG))
    db.session.add(EvidenceFile(answer=answer, filename="plan.pdf", stored_name=STORED,
                                content_type="application/pdf", size=4))
    db.session.commit()
    folder = Path(current_app.config["EIS_UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STORED).write_bytes(b"%PDF")
    return db.session.scalar(select(Workshop).where(Workshop.slug == SLUG))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_host_confirms_then_the_planned_workshop_goes_with_everything_in_it(planned, client, login):
    workshop_id = planned.id
    login("host@example.org")
    assert f"/workshops/{SLUG}/delete" in client.get(f"/workshops/{SLUG}").text
    page = client.get(f"/workshops/{SLUG}/delete")
    assert page.status_code == 200
    assert "Delete the workshop Vejle workshop?" in page.text
    for line in ("1 self-assessment\n", "2 answers", "1 evidence file", "1 reviewer assignment", "1 site visit"):
        assert line in page.text
    assert count(Workshop) == 2, "the page alone deletes nothing"
    response = client.post(f"/workshops/{SLUG}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/workshops")
    assert "Deleted the workshop Vejle workshop." in client.get("/workshops").text
    assert db.session.scalar(select(Workshop).where(Workshop.slug == SLUG)) is None
    assert (count(Workshop), count(EvidenceFile)) == (1, 0)
    for model in (Assessment, ReviewerAssignment, SiteVisit):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.workshop_id == workshop_id)) == 0
    assert not (Path(current_app.config["EIS_UPLOAD_DIR"]) / STORED).exists(), "its files are removed from disk"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "workshop.delete"))
    assert event.detail == {"slug": SLUG, "title": "Vejle workshop"}


def test_the_confirmation_page_counts_in_a_constant_number_of_queries(planned, client, login, count_queries):
    login("host@example.org")
    with count_queries() as few:
        client.get(f"/workshops/{SLUG}/delete")
    answer = db.session.scalar(select(Answer).join(Answer.assessment).join(Assessment.workshop).where(Workshop.slug == SLUG))
    for n in range(5):
        db.session.add(EvidenceFile(answer=answer, filename=f"more{n}.pdf", stored_name=f"{n:x}" * 32,
                                    content_type="application/pdf", size=4))
    db.session.commit()
    with count_queries() as more:
        page = client.get(f"/workshops/{SLUG}/delete").text
    assert "6 evidence files" in page
    assert len(more) == len(few)


def test_the_delete_button_needs_the_csrf_token(planned, make_app, login):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = guarded.get("/login").text
    guarded.post("/login", data={"email": "host@example.org", "password": "host-pass", "csrf_token": csrf_token(page)})
    form = guarded.get(f"/workshops/{SLUG}/delete").text
    assert guarded.post(f"/workshops/{SLUG}/delete", data={"csrf_token": "stale"}).status_code == 400
    assert count(Workshop) == 2, "no token, no deletion"
    assert guarded.post(f"/workshops/{SLUG}/delete", data={"csrf_token": csrf_token(form)}).status_code == 302
    assert count(Workshop) == 1


@pytest.mark.parametrize("email, status", [("dk@example.org", 403), ("it@example.org", 403), (None, 302)])
def test_other_people_cannot_delete_a_workshop(planned, client, login, email, status):
    if email:
        login(email)
    assert client.get(f"/workshops/{SLUG}/delete").status_code == status
    assert client.post(f"/workshops/{SLUG}/delete").status_code == status
    assert count(Workshop) == 2


def test_an_admin_may_delete_it(planned, client, login):
    login("admin@example.org")
    assert client.post(f"/workshops/{SLUG}/delete").status_code == 302
    assert count(Workshop) == 1


@pytest.mark.parametrize("status", [WorkshopStatus.OPEN, WorkshopStatus.CLOSED, WorkshopStatus.PUBLISHED])
def test_a_workshop_that_has_opened_cannot_be_deleted(planned, client, login, status):
    planned.status = status
    db.session.commit()
    login("host@example.org")
    assert f"/workshops/{SLUG}/delete" not in client.get(f"/workshops/{SLUG}").text
    response = client.post(f"/workshops/{SLUG}/delete", follow_redirects=True)
    assert f"Only a planned workshop can be deleted; this one is {status}." in response.text
    assert count(Workshop) == 2


def test_an_unknown_workshop_is_404(planned, client, login):
    login("host@example.org")
    assert client.get("/workshops/nowhere/delete").status_code == 404


def test_a_workshop_without_hot_seat_region_cannot_open(planned, client, login):
    planned.hot_seat = []
    db.session.commit()
    login("host@example.org")
    page = client.get(f"/workshops/{SLUG}/status/open").text
    assert "no hot-seat region yet: choose at least one on the workshop&#39;s Edit page" in page
    response = client.post(f"/workshops/{SLUG}/status/open", follow_redirects=True)
    assert "no hot-seat region yet" in response.text
    assert db.session.scalar(select(Workshop.status).where(Workshop.slug == SLUG)) == WorkshopStatus.PLANNED


def test_long_titles_wrap():
    css = (Path(__file__).parents[1] / "eis_toolkit" / "static" / "css" / "app.css").read_text()
    assert "h1, h2, h3, td, th, .muted, .lead { overflow-wrap: anywhere; }" in css


LONG_TITLE = "Interregional peer review workshop on internationalisation support " + "Supercalifragilistic" * 4


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_delete_page_and_a_long_title_pass_axe(load, bundle, live_server, page, width):
    from tests.conftest import assert_accessible, log_in

    bundle["workshops"].append({**copy.deepcopy(PLANNED), "title": LONG_TITLE})
    load(bundle)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, "host@example.org")
    for path in (f"/workshops/{SLUG}", f"/workshops/{SLUG}/delete"):
        page.goto(f"{live_server}{path}")
        assert_accessible(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} is wider than the screen"
