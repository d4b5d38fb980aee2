"""Hosts create and edit workshops, their hot seat and site visits, and moderate nominations."""
from datetime import date

import pytest
from sqlalchemy import select

from eis_toolkit.catalogue.models import Practice, PracticeStatus
from eis_toolkit.extensions import db
from eis_toolkit.models import Assessment, Nomination, Programme, Questionnaire, WorkshopStatus
from eis_toolkit.workshops.services import (WorkshopError, accept_nomination, create_workshop, set_hot_seat,
                                            slugify, update_workshop)
from tests.workshop_support import open_workshop, person, region, workshop, workshop_bundle  # noqa: F401


def new_workshop(**changes):
    values = dict(programme=db.session.scalar(select(Programme)), title="Milan workshop",
                  host_region=region("ITC4"), starts=date(2018, 3, 1), ends=date(2018, 3, 2),
                  questionnaire=db.session.scalar(select(Questionnaire)), hot_seat=[region("DK04")])
    values.update(changes)
    return create_workshop(**values)


def test_slugs():
    assert slugify("Ærøskøbing — Ålborg 2019!") == "aeroskobing-alborg-2019"
    assert slugify("???") == "item"


def test_create_a_workshop_with_its_hot_seat_assessments(loaded):
    w = new_workshop()
    db.session.commit()
    assert (w.slug, w.status) == ("milan-workshop-2018", WorkshopStatus.PLANNED)
    assert [(a.region.code, a.status) for a in w.assessments] == [("DK04", "draft")]
    assert new_workshop().slug == "milan-workshop-2018-2"


@pytest.mark.parametrize("changes, message", [
    ({"title": " "}, "needs a title"),
    ({"ends": date(2018, 2, 1)}, "cannot end before it starts"),
    ({"slug": "aarhus-2017"}, "already a workshop"),
])
def test_refused_workshops(loaded, changes, message):
    with pytest.raises(WorkshopError, match=message):
        new_workshop(**changes)


def test_the_hot_seat_and_questionnaire_are_fixed_once_open(open_workshop):
    with pytest.raises(WorkshopError, match="hot seat can change only while the workshop is planned"):
        set_hot_seat(open_workshop, [region("DK04")])
    update_workshop(open_workshop, title="Renamed", starts=open_workshop.starts, ends=open_workshop.ends,
                    hot_seat=list(open_workshop.hot_seat))  # the same hot seat is fine
    assert open_workshop.title == "Renamed"


def test_a_region_leaves_the_hot_seat_with_its_empty_assessment_and_assignments(loaded):
    w = new_workshop(hot_seat=[region("DK04"), region("IE04")])
    set_hot_seat(w, [region("IE04")])
    db.session.commit()
    assert [a.region.code for a in db.session.scalars(select(Assessment).where(Assessment.workshop_id == w.id))] == ["IE04"]


def test_a_region_that_answered_cannot_leave(open_workshop):
    open_workshop.status = WorkshopStatus.PLANNED
    with pytest.raises(WorkshopError, match="DK04 has already answered its self-assessment"):
        set_hot_seat(open_workshop, [region("IE04")])


def test_the_host_creates_a_workshop_through_the_form(loaded, client, login):
    login("host@example.org")
    form = client.get("/workshops/new").text
    assert "ITC4 – Lombardy" in form  # the hot-seat choices
    assert 'value="{}"'.format(region("ITC4").id) not in form.split('id="host_region_id"')[1].split("</select>")[0], \
        "a host creates workshops for their own region only"
    response = client.post("/workshops/new", data={
        "title": "Donegal workshop", "programme_id": db.session.scalar(select(Programme.id)),
        "host_region_id": region("DK04").id, "place": "Letterkenny", "starts": "2018-10-02", "ends": "2018-10-03",
        "questionnaire_id": db.session.scalar(select(Questionnaire.id)), "hot_seat": [region("IE04").id]},
        follow_redirects=True)
    assert "Created Donegal workshop." in response.text
    w = workshop("donegal-workshop-2018")
    assert [r.code for r in w.hot_seat] == ["IE04"] and w.place == "Letterkenny"


def test_the_edit_form_keeps_the_input_when_refused(loaded, client, login):
    login("host@example.org")
    response = client.post("/workshops/aarhus-2017/edit", data={
        "title": "Aarhus", "starts": "2017-06-28", "ends": "2017-06-27"})
    assert "cannot end before it starts" in response.text and 'value="Aarhus"' in response.text
    assert workshop().title == "Aarhus workshop"


@pytest.mark.parametrize("email, status", [("admin@example.org", 200), ("host@example.org", 200),
                                           ("dk@example.org", 403), ("it@example.org", 403), (None, 302)])
def test_who_creates_workshops(loaded, client, login, email, status):
    if email:
        login(email)
    assert client.get("/workshops/new").status_code == status


def test_site_visits(open_workshop, client, login):
    login("host@example.org")
    client.post(f"/workshops/{open_workshop.slug}/site-visits/new",
                data={"firm": "Unique North", "what": "Inspiration trips", "story": "Went to Japan"})
    visits = workshop().site_visits
    assert [v.firm for v in visits] == ["EASI'R", "Unique North"]
    client.post(f"/workshops/{open_workshop.slug}/site-visits/{visits[0].id}", data={"firm": "EASI'R ApS"})
    client.post(f"/workshops/{open_workshop.slug}/site-visits/{visits[1].id}/delete")
    assert [v.firm for v in workshop().site_visits] == ["EASI'R ApS"]
    refused = client.post(f"/workshops/{open_workshop.slug}/site-visits/new", data={"firm": "", "what": "kept"})
    assert refused.status_code == 200 and "kept" in refused.text
    assert len(workshop().site_visits) == 1


# --- nominations → practices ------------------------------------------------------------------


def test_accepting_a_nomination_creates_a_practice_in_review(loaded):
    nomination = db.session.scalar(select(Nomination))
    practice = accept_nomination(nomination, person("host@example.org"))
    db.session.commit()
    assert (practice.title, practice.slug, practice.status, practice.region.code) == (
        "Company visits", "company-visits", PracticeStatus.IN_REVIEW, "DK04")
    assert practice.keys("dimension") == ["outreach"]
    with pytest.raises(WorkshopError, match="already linked"):
        accept_nomination(nomination)


def test_the_host_moderates_nominations(loaded, client, login):
    login("host@example.org")
    nomination = db.session.scalar(select(Nomination))
    assert "Company visits" in client.get("/workshops/aarhus-2017/nominations").text
    client.post(f"/workshops/aarhus-2017/nominations/{nomination.id}/accept")
    practice = db.session.scalar(select(Practice).where(Practice.slug == "company-visits"))
    assert practice is not None
    client.post(f"/workshops/aarhus-2017/nominations/{nomination.id}/unlink")
    assert db.session.get(Nomination, nomination.id).practice_id is None
    client.post(f"/workshops/aarhus-2017/nominations/{nomination.id}/link", data={"practice_id": practice.id})
    assert db.session.get(Nomination, nomination.id).practice_id == practice.id


@pytest.mark.parametrize("email", ["dk@example.org", "it@example.org"])
def test_only_hosts_moderate(loaded, client, login, email):
    login(email)
    nomination = db.session.scalar(select(Nomination))
    assert client.get("/workshops/aarhus-2017/nominations").status_code == 403
    assert client.post(f"/workshops/aarhus-2017/nominations/{nomination.id}/accept").status_code == 403
