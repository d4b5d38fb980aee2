"""The live screen on the room's own devices (``/workshops/<slug>/live/view`` and its JSON):
who may follow it, that it shows only what the host revealed, in the reader's own language
(in a browser: tests/test_workshop_live_browser.py)."""
from __future__ import annotations

import html
import json
import re

import pytest

from eis_toolkit.accounts.services import create_user, save_region
from eis_toolkit.bundles.load import load_bundle
from eis_toolkit.extensions import db
from eis_toolkit.models import WorkshopStatus
from eis_toolkit.workshops.services import assign_reviewer

from tests.workshop_support import login_as, person, region, reviewing_bundle, submit_as, workshop  # noqa: F401

VIEW = "/workshops/aarhus-2017/live/view"
DATA = "/workshops/aarhus-2017/live/view.json"
OUTSIDER = "pia.itc4@example.org"  # a region member of ITC4, outside the hot seat, reviewing nothing


@pytest.fixture(scope="module")
def room(shared_data):
    """:func:`live_room`, built once for the module: every test starts from it and is rolled back."""
    return shared_data(lambda: live_room(load_bundle))


def live_room(load) -> None:
    """The open Aarhus workshop (DK04 and IE04 in the hot seat); Ida (it@) and Dora (de@) submitted
    their reviews of DK04, Ian's (ie@) is a draft; plus a region member outside the hot seat.
    ``load``: the bundle loader, or conftest's ``load`` fixture (tests/test_workshop_live_browser.py)."""
    bundle = reviewing_bundle()
    bundle["people"].append({"email": OUTSIDER, "name": "Pia Plain", "region": "ITC4", "roles": ["region"],
                             "password": "review-pass"})
    load(bundle)
    submit_as("it@example.org", "DK04", 3, {"strategy.vision": 2})
    submit_as("de@example.org", "DK04", 3, {"strategy.vision": 4})


def set_state(status=None, revealed=None):
    w = workshop()
    if status:
        w.status = WorkshopStatus(status)
    if revealed is not None:
        w.live_revealed = revealed
    db.session.commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _messages(page: str) -> dict:
    match = re.search(r'id="live"[^>]*?data-messages=\'([^\']*)\'', page, re.S)
    assert match, "no data-messages on #live"
    return json.loads(match.group(1))


# --- who may follow -------------------------------------------------------------------------

READERS = {
    "admin@example.org": "any", "host@example.org": "any",  # they run it, in every state
    "it@example.org": "room", "de@example.org": "room", "ie@example.org": "room",  # assigned reviewers
    "dk@example.org": "room",  # a member of DK04, in the hot seat
    "it2@example.org": "never",  # a reviewer without an assignment in this workshop
    OUTSIDER: "never",  # a region member outside the hot seat
}


@pytest.mark.parametrize("status", ["planned", "open", "closed", "published"])
@pytest.mark.parametrize("email", sorted(READERS))
def test_who_may_follow_the_live_screen(room, client, login, email, status):
    set_state(status)
    login(email, "review-pass" if email == OUTSIDER else None)
    allowed = READERS[email] == "any" or (READERS[email] == "room" and status in ("open", "closed"))
    for path in (VIEW, DATA):
        assert client.get(path).status_code == (200 if allowed else 403), path
    assert client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1"}).status_code == (
        302 if READERS[email] == "any" else 403), "followers never switch the reveal"


def test_anonymous_visitors_are_sent_to_log_in(room, client):
    for path in (VIEW, DATA):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path
    assert client.get("/workshops/nowhere/live/view").status_code == 404  # nothing to log in for


def test_an_unknown_workshop_is_not_found(room, client, login_as):
    login_as("it@example.org")
    assert client.get("/workshops/nowhere/live/view").status_code == 404
    assert client.get("/workshops/nowhere/live/view.json").status_code == 404


# --- what they see: as far as the host revealed -----------------------------------------------


def test_before_the_reveal_the_followers_get_progress_only(room, client, login_as):
    login_as("ie@example.org")  # his own review of DK04 is a draft: he has seen no peer score
    response = client.get(DATA)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json == {"workshop": "aarhus-2017", "status": "open", "revealed": False, "progress": [
        {"region": "DK04", "name": "Central Denmark", "submitted": 2, "assigned": 3},
        {"region": "IE04", "name": "Northern and Western", "submitted": 0, "assigned": 2}]}
    page = _text(client.get(VIEW))
    assert "The scores are hidden until the host reveals them." in page
    assert 'data-url="/workshops/aarhus-2017/live/view.json"' in page and "js/live.js" in page
    assert 'data-refresh-ms="500"' in page, "polls every EIS_LIVE_REFRESH_SECONDS (0.5 in the tests)"
    assert "reveal-form" not in page and "/live/reveal" not in page, "no host control"
    assert 'name="room"' not in page, "no room language switch"
    assert "<script>" not in page and "style=" not in page


def test_after_the_reveal_the_followers_see_what_the_room_sees_and_no_names(room, client, login_as):
    login_as("host@example.org")
    assert client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "1"},
                       headers={"Accept": "application/json"}).json == {"revealed": True}
    hosts = client.get("/workshops/aarhus-2017/live.json?room=en").json
    for email in ("ie@example.org", "dk@example.org"):
        login_as(email)
        seen = client.get(DATA).json
        assert seen == hosts, email
        vision = next(q for q in seen["questions"] if (q["region"], q["key"]) == ("DK04", "strategy.vision"))
        assert (vision["peer_n"], vision["peer_mean"]) == (2, 3), "the submitted reviews only: Ian's draft is left out"
        text = json.dumps(seen)
        for name in ("Ida", "Dora", "Ian", "Reviewer", "@example.org"):
            assert name not in text, f"{email} reads {name}"
        assert "The scores are hidden" in _text(client.get(VIEW))  # the page's text, until its script says otherwise

    login_as("host@example.org")
    client.post("/workshops/aarhus-2017/live/reveal", data={"revealed": "0"})
    login_as("it@example.org")
    assert set(client.get(DATA).json) == {"workshop", "status", "revealed", "progress"}, "hidden again"


def test_a_closed_round_stays_hidden_until_revealed(room, client, login_as):
    set_state("closed")
    login_as("dk@example.org")
    assert client.get(DATA).json["revealed"] is False and "questions" not in client.get(DATA).json
    set_state(revealed=True)
    assert client.get(DATA).json["status"] == "closed" and client.get(DATA).json["questions"]


# --- in the reader's own language -------------------------------------------------------------


def test_each_reader_reads_in_their_own_language_not_the_rooms(room, client, login_as):
    set_state(revealed=True)
    login_as("host@example.org")
    client.get("/workshops/aarhus-2017/live?room=da")  # the room is Danish
    danish = client.get("/workshops/aarhus-2017/live.json").json
    italian = client.get("/workshops/aarhus-2017/live.json?room=it").json
    english = client.get("/workshops/aarhus-2017/live.json?room=en").json
    assert danish["dimensions"][0]["title"] != english["dimensions"][0]["title"]

    person("ie@example.org").language = "it"  # Ian's own setting
    db.session.commit()
    login_as("ie@example.org")
    page = _text(client.get(VIEW))
    assert '<html lang="it"' in page and "Revisioni inviate" in page  # "Reviews submitted"
    assert _messages(page)["dimension"] == "Dimensione" and _messages(page)["statuses"]["open"] == "aperto"
    assert client.get(DATA).json == italian, "the questionnaire's texts in Italian, not the room's Danish"

    login_as("dk@example.org")  # no setting: English, the room's Danish does not reach him
    assert '<html lang="en"' in _text(client.get(VIEW)) and client.get(DATA).json == english
    client.get("/?lang=de")  # his choice in the header
    assert '<html lang="de"' in _text(client.get(VIEW))


def test_the_hosts_screen_gives_the_address_to_share(room, client, login_as):
    login_as("host@example.org")
    page = _text(client.get("/workshops/aarhus-2017/live"))
    assert "Open on your own device:" in page
    assert '<a href="http://localhost/workshops/aarhus-2017/live/view">http://localhost/workshops/aarhus-2017/live/view</a>' in page


# --- cost -------------------------------------------------------------------------------------


def test_following_costs_the_same_queries_however_many_reviewers(room, client, login_as, count_queries):
    set_state(revealed=True)
    login_as("ie@example.org")
    counts = []
    for more in (0, 5):
        for i in range(more):
            _add_reviewer(len(counts) * 10 + i)
        for path in (VIEW, DATA):
            client.get(path)  # warm
        with count_queries() as page:
            assert client.get(VIEW).status_code == 200
        with count_queries() as data:
            assert client.get(DATA).status_code == 200
        counts.append((len(page), len(data)))
    assert counts[0] == counts[1], counts


def _add_reviewer(i):
    """A reviewer from a new region, with submitted reviews of both hot-seat regions."""
    new_region = save_region(None, code=f"XX{i:02d}", name=f"Region {i}", country="XX", language="en")
    w = workshop()
    w.programme.regions.append(new_region)
    reviewer = create_user(f"r{i}@example.org", f"Reviewer {i}", "review-pass", roles=["reviewer"], region=new_region)
    for code in ("DK04", "IE04"):
        assign_reviewer(w, reviewer, region(code))
        submit_as(reviewer.email, code, 1 + i % 5, commit=False)
    db.session.commit()
