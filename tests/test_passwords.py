"""Changing and resetting a password (accounts/passwords.py): the strength rule, single-use,
expiring and tamper-proof reset links, no enumeration, other log-ins ended."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from eis_toolkit.accounts.passwords import password_problem, reset_token
from eis_toolkit.extensions import db
from eis_toolkit.models import OutboxMessage, User

NEW = "a-much-better-one"


def _user(email: str) -> User:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def _second_client(app, email: str, password: str):
    other = app.test_client()
    assert other.post("/login", data={"email": email, "password": password}).status_code == 302
    assert other.get("/dashboard").status_code == 200
    return other


@pytest.mark.parametrize("password, problem", [
    ("short", "at least 8"), ("dk@example.org", "e-mail"), ("DK@example.org ", "e-mail"), ("dk-example", None),
    ("password123", "common"), ("Qwertyuiop", "common"), ("aaaaaaaaaa", "common"), ("a-much-better-one", None)])
def test_the_strength_rule(app, password, problem):
    found = password_problem(password, "dk@example.org")
    assert (found is None) if problem is None else (problem in found)


def test_a_person_changes_their_password_and_their_other_log_ins_end(app, loaded, client, login):
    other = _second_client(app, "dk@example.org", "region-pass")
    login("dk@example.org")
    assert client.get("/account/password").status_code == 200
    response = client.post("/account/password", data={"current_password": "region-pass", "new_password": NEW,
                                                      "confirm": NEW})
    assert response.status_code == 302
    assert _user("dk@example.org").check_password(NEW)
    assert client.get("/dashboard").status_code == 200  # this log-in stays
    assert "/login" in other.get("/dashboard").headers["Location"]  # the other one ended


@pytest.mark.parametrize("data, message", [
    ({"current_password": "wrong", "new_password": NEW, "confirm": NEW}, b"The current password is not right."),
    ({"current_password": "region-pass", "new_password": "password1", "confirm": "password1"}, b"most common"),
    ({"current_password": "region-pass", "new_password": "dk@example.org", "confirm": "dk@example.org"},
     b"must not be your e-mail"),
    ({"current_password": "region-pass", "new_password": NEW, "confirm": NEW + "x"}, b"not the same"),
])
def test_a_refused_change_says_why_and_changes_nothing(loaded, client, login, data, message):
    login("dk@example.org")
    response = client.post("/account/password", data=data)
    assert response.status_code == 200 and message in response.data
    assert _user("dk@example.org").check_password("region-pass")


def test_changing_needs_a_log_in(loaded, client):
    assert "/login" in client.get("/account/password").headers["Location"]


def _forgot(client, email: str):
    """Ask for a reset link; the response is then closed, as a server does once it has sent it
    (the e-mail leaves only then)."""
    response = client.post("/password/forgot", data={"email": email})
    response.get_data()
    response.close()
    return response


def test_no_mail_leaves_while_the_forgotten_password_page_answers(loaded, client, smtp_server):
    """For a known address as for an unknown one, the request makes no SMTP connection: the reset
    e-mail leaves once the response is closed (after it went to the client)."""
    for email, sent in (("dk@example.org", ["dk@example.org"]), ("nobody@example.org", ["dk@example.org"])):
        before = len(smtp_server.messages)
        response = client.post("/password/forgot", data={"email": email})
        assert response.status_code == 200 and b"Look in your mailbox" in response.data
        assert len(smtp_server.messages) == before  # the whole request has run: nothing sent in it
        response.close()
        assert [m["To"] for m in smtp_server.messages] == sent
    db.session.rollback()
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.sent_at is not None and row.kind == "password_reset"


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, loaded, client, smtp_server):
    disabled = _user("ie@example.org")
    disabled.active = False
    db.session.commit()
    answers = [_forgot(client, email) for email in
               ("dk@example.org", "nobody@example.org", "ie@example.org", "DK@Example.org")]
    assert {a.status_code for a in answers} == {200}
    # The same page, byte for byte (a visitor's page holds no CSRF token since the language switch is a GET).
    assert len({a.data for a in answers}) == 1
    # Only the active person with an account got mail (twice: two requests).
    assert [m["To"] for m in smtp_server.messages] == ["dk@example.org", "dk@example.org"]


def _link(smtp_server) -> str:
    text = smtp_server.messages[-1].get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/password/reset/\S+)", text).group(1)


def test_a_reset_link_works_once_and_ends_every_log_in(app, loaded, client, smtp_server):
    other = _second_client(app, "dk@example.org", "region-pass")
    _forgot(client, "dk@example.org")
    path = _link(smtp_server)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _user("dk@example.org").check_password(NEW)
    assert "/login" in other.get("/dashboard").headers["Location"]
    # Used: the same link no longer works, for a look or for a second change.
    assert client.get(path).status_code == 400
    assert client.post(path, data={"new_password": "yet-another-one", "confirm": "yet-another-one"}).status_code == 400
    assert _user("dk@example.org").check_password(NEW)
    assert client.post("/login", data={"email": "dk@example.org", "password": NEW}).status_code == 302


def test_a_weak_password_is_refused_on_reset(loaded, client, smtp_server):
    _forgot(client, "dk@example.org")
    response = client.post(_link(smtp_server), data={"new_password": "12345678", "confirm": "12345678"})
    assert response.status_code == 200 and b"most common" in response.data
    assert _user("dk@example.org").check_password("region-pass")


def test_an_expired_link_is_refused(app, loaded, client):
    hours = app.config["EIS_PASSWORD_RESET_HOURS"]
    token = reset_token(_user("dk@example.org"), issued_at=time.time() - hours * 3600 - 60)
    assert client.get(f"/password/reset/{token}").status_code == 400
    fresh = reset_token(_user("dk@example.org"))
    assert client.get(f"/password/reset/{fresh}").status_code == 200


def test_a_tampered_link_is_refused(app, loaded, client):
    token = reset_token(_user("dk@example.org"))
    other = reset_token(_user("host@example.org"))
    signature = token.partition(".")[2]
    forged = other.partition(".")[0] + "." + signature  # another person's id under this signature
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nonsense", token + "x"):
        response = client.get(f"/password/reset/{bad}")
        assert response.status_code == 400, bad
        assert b"This link does not work" in response.data


def test_a_link_for_a_disabled_person_is_refused(app, loaded, client):
    token = reset_token(_user("dk@example.org"))
    person = _user("dk@example.org")
    person.active = False
    db.session.commit()
    assert client.get(f"/password/reset/{token}").status_code == 400
    assert client.post(f"/password/reset/{token}", data={"new_password": NEW, "confirm": NEW}).status_code == 400


def test_a_link_from_another_secret_key_is_refused(app, loaded, client):
    token = reset_token(_user("dk@example.org"))
    app.config["SECRET_KEY"] = "another-secret"
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_the_reset_mail_is_in_the_person_s_language_and_always_sent(loaded, client, smtp_server):
    person = _user("dk@example.org")
    person.language = "da"
    from eis_toolkit.mail.notify import set_wanted_kinds

    set_wanted_kinds(person, [])  # every kind off: a reset still goes
    db.session.commit()
    _forgot(client, "dk@example.org")
    [message] = smtp_server.messages
    assert message["Content-Language"] == "da"
    row = db.session.scalar(select(OutboxMessage))
    assert row.kind == "password_reset" and row.language == "da"
    assert "notifications page" not in message.get_body(("html",)).get_content()


def _hash_with_old_settings(email: str, password: str) -> str:
    from werkzeug.security import generate_password_hash

    user = _user(email)
    user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:500")  # not today's
    db.session.commit()
    return user.password_hash


def test_a_hash_made_with_older_settings_is_renewed_at_log_in(loaded, client, login):
    from eis_toolkit.accounts.models import PASSWORD_METHOD, hash_settings

    old = _hash_with_old_settings("dk@example.org", "region-pass")
    assert _user("dk@example.org").password_needs_rehash()
    login("dk@example.org")
    renewed = _user("dk@example.org")
    assert renewed.password_hash != old and renewed.password_hash.startswith(hash_settings(PASSWORD_METHOD) + "$")
    assert not renewed.password_needs_rehash() and renewed.check_password("region-pass")
    assert client.get("/dashboard").status_code == 200  # the log-in that renewed it goes on
    client.post("/logout")
    login("dk@example.org")  # and the renewed hash logs in
    assert _user("dk@example.org").password_hash == renewed.password_hash, "a current hash is left alone"


@pytest.mark.parametrize("password, active", [("not-the-password", True), ("region-pass", False)])
def test_a_refused_log_in_leaves_an_old_hash_as_it_was(loaded, client, password, active):
    old = _hash_with_old_settings("dk@example.org", "region-pass")
    user = _user("dk@example.org")
    user.active = active
    db.session.commit()
    response = client.post("/login", data={"email": "dk@example.org", "password": password})
    assert response.status_code == 200
    assert _user("dk@example.org").password_hash == old
