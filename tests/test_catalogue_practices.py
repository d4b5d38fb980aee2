"""One practice: its page (fields, editions, rating, nominations, the region's peer scores), the
iCalendar feed, editing with history, and who may do what (role × route × status matrix)."""
from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import AuditEvent, Nomination, Practice

FIELDS = {"organisation": "Region Midtjylland", "summary": "Firms tell their story.",
          "description": "A long description.\n\n- first point\n- second point", "resources": "Two staff members.",
          "timescale": "Every spring.", "evidence": "Forty firms visited.", "transferability": "Easy to copy.",
          "difficulties": "Finding willing firms.", "contact": "visits@example.org"}


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def dk_practice(load, bundle):
    """A published DK04 practice with every field, editions, two ratings and the small bundle."""
    soon, later = date.today() + timedelta(days=20), date.today() + timedelta(days=60)
    bundle["practices"].append({
        "slug": "company-visits", "title": "Virksomhedsbesøg", "title_en": "Company visits", "region": "DK04",
        "status": "published", "language": "da", "summary_en": "Firms show peers what support did.",
        "links": ["https://example.org/visits"], "instruments": ["networking"], "markets": ["JP"],
        "sectors": ["tourism"], "stages": ["new_exporter"], "dimensions": ["strategy"], **FIELDS,
        "editions": [{"title": "Spring call", "deadline": soon.isoformat(), "eligibility": "Firms in DK04"},
                     {"title": "Visit week", "starts": later.isoformat(),
                      "ends": (later + timedelta(days=2)).isoformat(), "place": "Aarhus"}],
        "ratings": [{"rater": "it@example.org", "evidence": 4, "transferability": 4, "usefulness": 4},
                    {"rater": "ie@example.org", "evidence": 2, "transferability": 3, "usefulness": 1}]})
    bundle["practices"].append({"slug": "dk-draft", "title": "DK draft", "region": "DK04", "status": "draft",
                                "markets": ["JP"], "editions": [{"title": "Secret deadline", "deadline": soon.isoformat()}]})
    load(bundle)
    nomination = db.session.scalar(select(Nomination).where(Nomination.title == "Company visits"))
    nomination.practice_id = db.session.scalar(select(Practice.id).where(Practice.slug == "company-visits"))
    db.session.commit()
    return soon, later


def test_the_page_shows_every_field_editions_and_the_rating(client, dk_practice):
    soon, _ = dk_practice
    body = page_text(client.get("/practices/company-visits"))
    for value in ("Virksomhedsbesøg", "Company visits", "Firms show peers what support did.", "Central Denmark",
                  "https://example.org/visits", "Networking", "Japan", "Tourism", "New exporter",
                  "Firms in DK04", "Aarhus", "Spring call", "Open now", "Upcoming"):
        assert value in body, value
    for value in FIELDS.values():
        for part in value.replace("- ", "").split("\n"):
            assert part.strip() in body, part
    assert "<li>first point</li>" in body
    assert "Peer rating 3.0 of 5" in body and "2 ratings" in body
    assert soon.strftime("%-d %b %Y") in body


def test_the_page_shows_the_nomination_and_the_regions_published_peer_score(client, login, dk_practice):
    body = page_text(client.get("/practices/company-visits"))
    assert "Aarhus workshop: “Company visits”" in body
    assert "Strategy" in body or "strategy" in body
    assert "<strong>3.0</strong>" in body  # the one submitted review scored strategy.vision 3
    assert "/benchmark/workshops/aarhus-2017/regions/DK04" not in body  # anonymous: no scorecard link
    login("ie@example.org")  # a partner region of the programme, workshop published
    assert "/benchmark/workshops/aarhus-2017/regions/DK04" in page_text(client.get("/practices/company-visits"))


def test_an_unrated_practice_says_so(client, load, bundle):
    bundle["practices"][0]["ratings"] = []
    load(bundle)
    assert "Not rated yet" in page_text(client.get("/practices/paths-japan"))
    assert client.get("/practices.json").get_json()["results"][0]["rating"] is None


def test_the_page_is_a_constant_number_of_queries(client, dk_practice, count_queries):
    client.get("/practices/company-visits")
    with count_queries() as queries:
        client.get("/practices/company-visits")
    assert len(queries) <= 20


# --- iCalendar ----------------------------------------------------------------------------------


def test_the_feed_parses_and_holds_deadlines_and_events_of_published_practices(client, dk_practice):
    soon, later = dk_practice
    response = client.get("/practices/deadlines.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Deadline: Virksomhedsbesøg — Spring call", "Virksomhedsbesøg — Visit week"}
    deadline = events["Deadline: Virksomhedsbesøg — Spring call"]
    assert deadline.decoded("dtstart") == soon and deadline.decoded("dtend") == soon + timedelta(days=1)
    week = events["Virksomhedsbesøg — Visit week"]
    assert week.decoded("dtstart") == later and week.decoded("dtend") == later + timedelta(days=3)
    assert str(week["location"]) == "Aarhus" and str(week["url"]).endswith("/practices/company-visits")
    assert len({str(e["uid"]) for e in events.values()}) == 2
    assert b"Secret deadline" not in response.data


def test_the_feed_takes_the_catalogue_filters(client, dk_practice):
    assert Calendar.from_ical(client.get("/practices/deadlines.ics?market=JP").data).walk("VEVENT")
    assert not Calendar.from_ical(client.get("/practices/deadlines.ics?market=US").data).walk("VEVENT")
    assert not Calendar.from_ical(client.get("/practices/deadlines.ics?q=nothingmatches").data).walk("VEVENT")
    assert client.get("/practices/deadlines.ics?sector=moon").status_code == 400


# --- editing, moderation, history ----------------------------------------------------------------


FORM = {"title": "Export desk", "language": "en", "region_id": "0", "summary": "A desk.", "editions": "",
        "links": "https://example.org", "instruments": ["coaching"], "markets": ["JP"]}


def test_a_member_writes_a_draft_sends_it_and_a_host_publishes_it(app, client, login, loaded):
    from eis_toolkit.models import Region

    login("dk@example.org")
    dk04 = db.session.scalar(select(Region.id).where(Region.code == "DK04"))
    response = client.post("/practices/new", data={**FORM, "region_id": str(dk04),
                                                   "editions": "Call | 2099-05-13 | | | Aarhus | SMEs in DK04"})
    assert response.status_code == 302
    practice = db.session.scalar(select(Practice).where(Practice.title == "Export desk"))
    assert practice.status == "draft" and practice.region_id == dk04
    assert [(e.title, e.deadline, e.place) for e in practice.editions] == [("Call", date(2099, 5, 13), "Aarhus")]
    assert client.get("/practices.json").get_json()["total"] == 1  # only the bundle's published one

    assert client.post(f"/practices/{practice.slug}/edit", data={**FORM, "region_id": str(dk04),
                                                                 "summary": "A better desk."}).status_code == 302
    assert client.post(f"/practices/{practice.slug}/submit").status_code == 302
    assert client.post(f"/practices/{practice.slug}/publish").status_code == 403
    client.post("/logout")
    login("host@example.org")
    assert client.post(f"/practices/{practice.slug}/return", data={"reason": ""}).status_code == 302
    assert db.session.get(Practice, practice.id).status == "in_review"  # no reason, no change
    assert client.post(f"/practices/{practice.slug}/return", data={"reason": "Add the results."}).status_code == 302
    client.post("/logout")
    login("dk@example.org")
    body = page_text(client.get(f"/practices/{practice.slug}"))
    assert "<strong>Sent back to draft:</strong> Add the results." in body
    client.post(f"/practices/{practice.slug}/submit")
    client.post("/logout")
    login("host@example.org")
    assert client.post(f"/practices/{practice.slug}/publish").status_code == 302
    practice = db.session.get(Practice, practice.id)
    assert practice.status == "published" and practice.published_at is not None
    assert "A better desk." in page_text(client.get("/practices/?q=desk"))

    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "practice", AuditEvent.object_id == practice.id).order_by(AuditEvent.id)))
    assert actions == ["practice.create", "practice.edit", "practice.submit", "practice.return",
                       "practice.submit", "practice.publish"]
    edit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "practice.edit"))
    assert edit.detail["changes"]["summary"] == ["A desk.", "A better desk."] and edit.user.email == "dk@example.org"
    body = page_text(client.get(f"/practices/{practice.slug}"))
    assert "History" in body and "Dag Member" in body and "“Add the results.”" in body


def test_a_member_cannot_write_for_another_region(client, login, loaded):
    from eis_toolkit.models import Region

    login("dk@example.org")
    itc4 = db.session.scalar(select(Region.id).where(Region.code == "ITC4"))
    response = client.post("/practices/new", data={**FORM, "region_id": str(itc4)})
    assert response.status_code in (200, 403)
    assert db.session.scalar(select(Practice).where(Practice.title == "Export desk")) is None


def test_a_practice_starts_from_a_nomination_prefilled_and_linked(client, login, loaded):
    nomination = db.session.scalar(select(Nomination).where(Nomination.title == "Company visits"))
    login("dk@example.org")  # DK04 was reviewed; the workshop is published
    body = page_text(client.get(f"/practices/new?nomination={nomination.id}"))
    assert 'value="Company visits"' in body and "Started from the nomination" in body
    from eis_toolkit.models import Region
    dk04 = db.session.scalar(select(Region.id).where(Region.code == "DK04"))
    response = client.post("/practices/new", data={**FORM, "title": "Company visits", "region_id": str(dk04),
                                                   "nomination": nomination.id, "dimensions": ["outreach"]})
    assert response.status_code == 302
    practice = db.session.scalar(select(Practice).where(Practice.title == "Company visits"))
    assert db.session.get(Nomination, nomination.id).practice_id == practice.id
    assert client.get(f"/practices/new?nomination={nomination.id}").status_code == 403  # already has one


def test_bad_editions_and_links_are_refused_with_the_input_kept(client, login, loaded):
    login("host@example.org")
    body = page_text(client.post("/practices/new", data={**FORM, "editions": "Call | 13 May", "links": "ftp://x"}))
    assert "Line 1: 13 May is not a date" in body and "Not an http(s) address: ftp://x" in body
    assert 'value="Export desk"' in body


PEOPLE = {"anonymous": None, "admin": "admin@example.org", "host": "host@example.org",
          "member": "dk@example.org", "other_region": "it@example.org"}


def _expected(person: str, status: str, action: str) -> int:
    moderator = person in ("admin", "host")
    may_see = status == "published" or moderator or person == "member"
    editor = moderator or person == "member"
    if not may_see:
        return 404
    if action == "view":
        return 200
    if person == "anonymous":
        return 302  # to the login page
    allowed = {"edit": editor, "submit": editor and status == "draft",
               "publish": moderator and status == "in_review",
               "return": moderator and status in ("in_review", "published")}[action]
    if not allowed:
        return 403
    return 200 if action == "edit" else 302


@pytest.mark.parametrize("status", ["draft", "in_review", "published"])
@pytest.mark.parametrize("person", list(PEOPLE))
def test_role_route_matrix(app, client, login, load, bundle, person, status):
    bundle["practices"] = [{"slug": "dk-practice", "title": "DK practice", "region": "DK04", "status": status}]
    load(bundle)
    if PEOPLE[person]:
        login(PEOPLE[person])
    for action in ("view", "edit", "submit", "publish", "return"):
        if action == "view":
            response = client.get("/practices/dk-practice")
        elif action == "edit":
            response = client.get("/practices/dk-practice/edit")
        else:
            response = client.post(f"/practices/dk-practice/{action}", data={"reason": "Because."})
        expected = _expected(person, status, action)
        assert response.status_code == expected, (person, status, action, response.status_code)
        if expected == 302 and PEOPLE[person]:
            changed = db.session.scalar(select(Practice.status).where(Practice.slug == "dk-practice"))
            assert changed != status, (person, status, action)
            return  # the state moved on; the other actions are covered by other statuses
    assert db.session.scalar(select(Practice.status).where(Practice.slug == "dk-practice")) == status


@pytest.mark.parametrize(("person", "new", "manage"), [
    ("anonymous", 302, 302), ("admin", 200, 200), ("host", 200, 200), ("member", 200, 200),
    ("other_region", 200, 200)])
def test_who_may_start_practices(client, login, loaded, person, new, manage):
    if PEOPLE[person]:
        login(PEOPLE[person])
    assert client.get("/practices/new").status_code == new
    assert client.get("/practices/manage").status_code == manage


def test_manage_lists_own_region_drafts_only_for_members(client, login, load, bundle):
    bundle["practices"] += [{"slug": "dk-draft", "title": "DK draft", "region": "DK04", "status": "draft"},
                            {"slug": "it-draft", "title": "IT draft", "region": "ITC4", "status": "in_review"}]
    load(bundle)
    login("dk@example.org")
    body = client.get("/practices/manage").get_data(as_text=True)
    assert "DK draft" in body and "IT draft" not in body
    client.post("/logout")
    login("host@example.org")
    body = client.get("/practices/manage").get_data(as_text=True)
    assert "DK draft" in body and "IT draft" in body


def test_the_catalogue_shows_open_calls_and_upcoming_dates_first(client, dk_practice):
    soon, later = dk_practice
    body = page_text(client.get("/practices/"))
    box = body[body.index("Open now and coming up"):body.index("</section>", body.index("Open now and coming up"))]
    assert box.index("Spring call") < box.index("Visit week")
    assert "Secret deadline" not in body
    assert "Open now and coming up" not in page_text(client.get("/practices/?market=US"))
