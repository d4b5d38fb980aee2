"""Practices sent back to draft or published: their author hears of it (docs/mail.md), read back
from a real SMTP server, in the author's language, with the link to the practice."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Region, User

FORM = {"title": "Export desk", "language": "en", "summary": "A desk.", "editions": "",
        "links": "https://example.org", "instruments": ["coaching"], "markets": ["JP"]}


@pytest.fixture
def in_review(load, bundle, client, login):
    """dk@example.org (reading Danish) wrote "Export desk" and sent it for review; the host is logged in."""
    next(p for p in bundle["people"] if p["email"] == "dk@example.org")["language"] = "da"
    load(bundle)
    login("dk@example.org")
    dk04 = db.session.scalar(select(Region.id).where(Region.code == "DK04"))
    assert client.post("/practices/new", data={**FORM, "region_id": str(dk04)}).status_code == 302
    db.session.rollback()
    from eis_toolkit.models import Practice

    slug = db.session.scalar(select(Practice.slug).where(Practice.title == "Export desk"))
    assert client.post(f"/practices/{slug}/submit").status_code == 302
    client.post("/logout")
    login("host@example.org")
    return slug


def test_the_author_hears_that_the_practice_went_back_with_the_reason(in_review, client, smtp_server):
    assert client.post(f"/practices/{in_review}/return", data={"reason": "Add the results."}).status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "dk@example.org" and message["X-EIS-Kind"] == "practice_sent_back"
    assert message["Content-Language"] == "da" and "Export desk" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Add the results." in text and f"http://localhost/practices/{in_review}" in text
    assert "udkast" in text  # Danish


def test_the_author_hears_that_the_practice_is_published(in_review, client, smtp_server):
    assert client.post(f"/practices/{in_review}/publish").status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "dk@example.org" and message["X-EIS-Kind"] == "practice_published"
    assert f"http://localhost/practices/{in_review}" in message.get_body(("plain",)).get_content()
    assert client.get(f"http://localhost/practices/{in_review}").status_code == 200


def test_a_refused_change_sends_nothing(in_review, client, smtp_server):
    client.post(f"/practices/{in_review}/return", data={"reason": ""})  # no reason: no change
    assert smtp_server.messages == []


@pytest.mark.parametrize("kind, action, data", [("practice_sent_back", "return", {"reason": "Why"}),
                                                ("practice_published", "publish", {})])
def test_an_author_can_turn_each_kind_off(in_review, client, login, smtp_server, kind, action, data):
    from eis_toolkit.mail.notify import KINDS

    client.post("/logout")
    login("dk@example.org")
    assert client.post("/account/notifications", data={"kind": sorted(set(KINDS) - {kind})}).status_code == 302
    client.post("/logout")
    login("host@example.org")
    assert client.post(f"/practices/{in_review}/{action}", data=data).status_code == 302
    assert smtp_server.messages == []


def test_a_moderator_who_wrote_the_practice_gets_no_mail_about_their_own_move(loaded, client, login, smtp_server):
    login("host@example.org")
    dk04 = db.session.scalar(select(Region.id).where(Region.code == "DK04"))
    client.post("/practices/new", data={**FORM, "region_id": str(dk04)})
    db.session.rollback()
    from eis_toolkit.models import Practice

    slug = db.session.scalar(select(Practice.slug).where(Practice.title == "Export desk"))
    client.post(f"/practices/{slug}/submit")
    assert client.post(f"/practices/{slug}/publish").status_code == 302
    assert smtp_server.messages == []
    assert db.session.scalar(select(User.id).where(User.email == "host@example.org"))
