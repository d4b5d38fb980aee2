"""Log-ins as rows: copied cookies die with their log-in; throttled log-in attempts (#13)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from eis_toolkit.accounts.services import authenticate
from eis_toolkit.extensions import db
from eis_toolkit.models import User, UserSession

MEMBER = {"email": "dk@example.org", "password": "region-pass"}


def log_in(client, remember=False, **data):
    form = {**MEMBER, **data}
    if remember:
        form["remember"] = "y"
    return client.post("/login", data=form)


def copy_cookies(source, target, *names):
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        target.set_cookie(name, cookie.value)


def logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


@pytest.fixture
def second(app):
    return app.test_client()


def test_a_copied_session_cookie_dies_at_log_out(client, second, loaded):
    assert log_in(client).status_code == 302
    copy_cookies(client, second, "session")
    assert logged_in(second)
    client.post("/logout")
    assert not logged_in(second)
    assert db.session.scalars(select(UserSession)).all() == []


def test_two_log_ins_are_two_sessions_and_a_log_out_ends_only_its_own(client, second, loaded):
    log_in(client)
    log_in(second)
    assert logged_in(client) and logged_in(second)
    client.post("/logout")
    assert not logged_in(client) and logged_in(second)


def test_remember_me_is_new_at_every_log_in_bounded_and_dies_at_log_out(app, client, loaded):
    first = log_in(client, remember=True)
    token_one = client.get_cookie("remember_token").value
    expires = next(h for h in first.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "Expires=" in expires
    when = datetime.strptime(expires.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    assert timedelta(days=13) < when.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc) < timedelta(days=15)

    revived = app.test_client()
    copy_cookies(client, revived, "remember_token")
    assert logged_in(revived), "the remember-me cookie alone logs in"

    client.post("/logout")
    log_in(client, remember=True)
    assert client.get_cookie("remember_token").value != token_one
    stale = app.test_client()
    stale.set_cookie("remember_token", token_one)
    assert not logged_in(stale), "a remember-me cookie of an ended log-in logs nobody in"


def test_without_remember_me_there_is_no_remember_cookie(client, loaded):
    log_in(client)
    assert client.get_cookie("remember_token") is None


def test_a_new_password_or_disabling_ends_every_log_in(client, second, loaded, login):
    log_in(second)
    assert logged_in(second)
    login("admin@example.org")
    person = db.session.scalar(select(User).where(User.email == "dk@example.org"))
    edit = {"name": person.name, "email": person.email, "region_id": person.region_id, "roles": ["region"],
            "language": "en", "active": "y", "password": "a-brand-new-pass"}
    assert client.post(f"/admin/people/{person.id}", data=edit).status_code == 302
    assert not logged_in(second)
    assert log_in(second, password="a-brand-new-pass").status_code == 302
    edit.pop("active")
    edit["password"] = ""
    client.post(f"/admin/people/{person.id}", data=edit)
    assert not logged_in(second)
    assert logged_in(client), "the admin's own log-in is not touched"


def test_an_expired_log_in_ends(client, loaded):
    log_in(client)
    db.session.execute(update(UserSession).values(expires_at=datetime(2000, 1, 1)))
    db.session.commit()
    assert not logged_in(client)


def test_only_a_hash_of_the_token_is_stored(client, loaded):
    log_in(client)
    token = db.session.scalar(select(UserSession.token_hash))
    assert len(token) == 64
    assert token not in client.get_cookie("session").value


def test_an_unknown_e_mail_costs_a_password_hash_too(app, loaded, monkeypatch):
    import eis_toolkit.accounts.services as services

    calls = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda *a: calls.append(a) or real(*a))
    assert authenticate("nobody@example.org", "whatever-pass") is None
    assert len(calls) == 1


@pytest.fixture
def throttled(make_app, loaded):
    """A client of an app with low limits; the limiter's counters start and end empty."""
    from eis_toolkit.extensions import limiter

    limiter.reset()
    yield make_app(EIS_LOGIN_LIMIT_ACCOUNT="3 per minute", EIS_LOGIN_LIMIT_ADDRESS="6 per minute").test_client()
    limiter.reset()


def test_wrong_passwords_for_one_account_are_throttled(throttled):
    for _ in range(3):
        assert log_in(throttled, password="wrong-password").status_code == 200
    refused = log_in(throttled)
    assert refused.status_code == 429
    assert "Too many log-in attempts" in refused.get_data(as_text=True)
    assert log_in(throttled, email="it@example.org", password="review-pass").status_code == 302, \
        "another account from the same address may still log in"


def test_wrong_passwords_from_one_address_are_throttled_across_accounts(throttled):
    emails = ["dk@example.org", "it@example.org", "ie@example.org", "host@example.org", "admin@example.org",
              "x@example.org"]
    for email in emails:
        log_in(throttled, email=email, password="wrong-password")
    assert log_in(throttled, email="it@example.org", password="review-pass").status_code == 429


def test_successful_log_ins_do_not_count(throttled):
    for _ in range(8):
        assert log_in(throttled).status_code == 302
        throttled.post("/logout")


def test_only_the_limited_views_run_the_limiter(app):
    """The limits are on the log-in and password views (their decorators check them); no request
    runs the limiter's app-wide check, which would look for limits that do not exist."""
    from eis_toolkit.extensions import limiter

    assert not (limiter.limit_manager.default_limits or limiter.limit_manager.application_limits)
    assert all(getattr(hook, "__self__", None) is not limiter for hook in app.before_request_funcs[None])
