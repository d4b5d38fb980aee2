"""The outbox and the notifications (docs/mail.md), against a real SMTP server (``smtp_server``)."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from eis_toolkit.extensions import db
from eis_toolkit.mail import notify
from eis_toolkit.mail.outbox import deliver_committed, queue
from eis_toolkit.models import OutboxMessage, Region, Review, User


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _outbox() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def open_workshop(load, bundle):
    """The small bundle with aarhus-2017 open (reviewers can be assigned); ie@ reads Italian."""
    bundle["workshops"][0]["status"] = "open"
    next(p for p in bundle["people"] if p["email"] == "ie@example.org")["language"] = "it"
    load(bundle)
    return bundle


def _assign(client, login, reviewer: str = "ie@example.org", region: str = "DK04"):
    login("host@example.org")
    response = client.post("/workshops/aarhus-2017/assignments", data={
        "reviewer_id": _user(reviewer).id,
        "region_id": db.session.scalar(select(Region.id).where(Region.code == region))})
    assert response.status_code == 302
    return response


def test_an_assignment_reaches_the_reviewer_in_their_language_with_a_link(open_workshop, client, login, smtp_server):
    _assign(client, login)
    [message] = smtp_server.to("ie@example.org")
    assert message["To"] == "ie@example.org"
    assert message["Content-Language"] == "it"
    with force_locale("it"):
        subject = _("You are asked to review %(region)s at %(workshop)s", region="Central Denmark",
                    workshop="Aarhus workshop")
    assert message["Subject"] == subject
    assert subject != "You are asked to review Central Denmark at Aarhus workshop"  # the Italian catalogue
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [row] = _outbox()
    link = f"http://localhost/reviews/{_assignment_id()}"
    assert link in text and f'href="{link}"' in html
    assert "Central Denmark" in text and row.sent_at is not None and row.attempts == 1 and row.kind == "reviewer_assigned"


def _assignment_id() -> int:
    from eis_toolkit.models import ReviewerAssignment

    return db.session.scalar(select(ReviewerAssignment.id).join(ReviewerAssignment.reviewer)
                             .where(User.email == "ie@example.org"))


def test_a_refusing_server_leaves_the_message_queued_and_the_request_succeeds(open_workshop, client, login,
                                                                             smtp_server, runner):
    smtp_server.refuse = True
    response = _assign(client, login)
    assert "/workshops/aarhus-2017" in response.headers["Location"]
    [row] = _outbox()
    assert row.sent_at is None and row.attempts == 1 and "554" in row.last_error
    assert smtp_server.messages == []

    smtp_server.refuse = False
    result = runner.invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 still queued" in result.output
    [message] = smtp_server.to("ie@example.org")
    assert message["Content-Language"] == "it"
    [row] = _outbox()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
    # Nothing left: a second run sends nothing again.
    assert "0 sent" in runner.invoke(args=["notify", "send"]).output
    assert len(smtp_server.messages) == 1


def test_notify_send_exits_1_while_the_server_refuses(app, smtp_server, runner):
    queue("someone@example.org", "Hello", "Text", kind="test")
    db.session.commit()
    smtp_server.refuse = True
    result = runner.invoke(args=["notify", "send"])
    assert result.exit_code == 1 and "0 sent, 1 still queued" in result.output


def test_no_server_at_all_keeps_the_message(app, open_workshop, client, login):
    app.config["EIS_SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens on the discard port
    _assign(client, login)
    [row] = _outbox()
    assert row.sent_at is None and row.last_error


def test_without_smtp_each_message_is_an_eml_file(app, tmp_path, open_workshop, client, login):
    app.config["EIS_OUTBOX_DIR"] = str(tmp_path / "outbox")
    _assign(client, login)
    [row] = _outbox()
    path = tmp_path / "outbox" / f"{row.id}.eml"
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "ie@example.org" and message["Subject"] == row.subject
    assert row.sent_at is not None


def test_a_rolled_back_transaction_sends_nothing(app, smtp_server):
    queue("someone@example.org", "Never", "Text", kind="test")
    db.session.rollback()
    deliver_committed()
    assert smtp_server.messages == [] and _outbox() == []


def test_workshop_published_reaches_the_members_of_each_hot_seat_region(load, bundle, client, login, smtp_server):
    bundle["workshops"][0]["status"] = "closed"
    load(bundle)
    login("host@example.org")
    response = client.post("/workshops/aarhus-2017/status/publish", data={"confirmed": "y"})
    assert response.status_code == 302
    received = {m["To"]: m for m in smtp_server.messages}
    # Members (region role) of DK04 and IE04; not ITC4's reviewer, not the admin.
    assert set(received) == {"host@example.org", "dk@example.org", "ie@example.org"}
    assert "http://localhost/benchmark/workshops/aarhus-2017/regions/DK04" in \
        received["dk@example.org"].get_body(("plain",)).get_content()
    assert "http://localhost/benchmark/workshops/aarhus-2017/regions/IE04" in \
        received["ie@example.org"].get_body(("plain",)).get_content()


def test_a_person_can_turn_a_kind_off(load, bundle, client, login, smtp_server):
    bundle["workshops"][0]["status"] = "closed"
    load(bundle)
    login("dk@example.org")
    page = client.get("/account/notifications")
    assert page.status_code == 200 and b'value="workshop_published" checked' in page.data
    assert client.post("/account/notifications", data={"kind": ["reviewer_assigned"]}).status_code == 302
    assert b'value="workshop_published" checked' not in client.get("/account/notifications").data
    client.post("/logout")
    login("host@example.org")
    client.post("/workshops/aarhus-2017/status/publish", data={"confirmed": "y"})
    assert smtp_server.to("dk@example.org") == []
    assert smtp_server.to("host@example.org")


def test_review_submitted_reaches_the_hosts_of_the_host_region(loaded, smtp_server):
    review = db.session.scalar(select(Review))
    assert notify.review_submitted(review) == 1
    db.session.commit()
    deliver_committed()
    [message] = smtp_server.messages
    assert message["To"] == "host@example.org"
    assert "Ida Reviewer" in message["Subject"] and "Central Denmark" in message["Subject"]
    assert "http://localhost:5000/workshops/aarhus-2017" in message.get_body(("plain",)).get_content()


def test_links_outside_a_request_use_the_base_url(app, loaded):
    app.config["EIS_BASE_URL"] = "https://eis.example.org/toolkit"
    assert notify.absolute_url("workshops.inbox") == "https://eis.example.org/toolkit/reviews"


def test_disabled_people_get_no_notification(loaded, smtp_server):
    host = _user("host@example.org")
    host.active = False
    db.session.commit()
    assert notify.review_submitted(db.session.scalar(select(Review))) == 0


def test_admins_read_the_outbox_page_by_page(app, loaded, client, login, count_queries):
    for n in range(30):
        queue(f"p{n}@example.org", f"Subject {n}", "Text", kind="test", language="da")
    db.session.commit()
    login("admin@example.org")
    with count_queries() as queries:
        first = client.get("/admin/outbox")
    assert first.status_code == 200
    assert b"Subject 29" in first.data and b"Subject 4<" not in first.data
    assert len(queries) <= 6, queries
    second = client.get("/admin/outbox?page=2")
    assert b"Subject 4<" in second.data and b"Subject 29" not in second.data
    message_id = db.session.scalar(select(func.min(OutboxMessage.id)))
    assert b"Subject 0" in client.get(f"/admin/outbox/{message_id}").data
    assert client.get("/admin/outbox?state=queued").status_code == 200


@pytest.mark.parametrize("email", ["host@example.org", "dk@example.org"])
def test_only_admins_read_the_outbox(loaded, client, login, email):
    login(email)
    assert client.get("/admin/outbox").status_code == 403
    assert client.get("/admin/outbox/1").status_code == 403


def test_the_smtp_url_logs_in_with_its_user_and_password(app, smtp_server, runner):
    smtp_server.credentials = ("mailer", "s3cret/pw")
    app.config["EIS_SMTP_URL"] = f"smtp://mailer:wrong@127.0.0.1:{smtp_server.port}"
    queue("someone@example.org", "Hello", "Text", kind="test")
    db.session.commit()
    deliver_committed()
    [row] = _outbox()
    assert row.sent_at is None and "535" in row.last_error and smtp_server.messages == []

    app.config["EIS_SMTP_URL"] = f"smtp://mailer:s3cret%2Fpw@127.0.0.1:{smtp_server.port}"
    assert "1 sent" in runner.invoke(args=["notify", "send"]).output
    [message] = smtp_server.messages
    assert message["To"] == "someone@example.org" and message["From"] == app.config["EIS_MAIL_FROM"]


def test_an_unknown_scheme_keeps_the_message_with_the_reason(app, runner):
    app.config["EIS_SMTP_URL"] = "http://127.0.0.1:25"
    queue("someone@example.org", "Hello", "Text", kind="test")
    db.session.commit()
    assert runner.invoke(args=["notify", "send"]).exit_code == 1
    [row] = _outbox()
    assert "unknown scheme" in row.last_error


def test_publishing_reads_the_recipients_in_a_few_queries_however_many(load, bundle, count_queries):
    bundle["people"] += [{"email": f"m{n}@example.org", "name": f"Member {n}", "region": "IE04", "roles": ["region"],
                          "password": "region-pass"} for n in range(20)]
    load(bundle)
    from eis_toolkit.models import Workshop

    workshop = db.session.scalar(select(Workshop))
    workshop.hot_seat  # noqa: B018 - loaded before counting
    with count_queries() as queries:
        assert notify.workshop_published(workshop) == 23
    reads = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2, reads  # the members (not their roles, which the message does not show), the opt-outs
    db.session.rollback()

