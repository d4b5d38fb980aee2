"""Security by default: headers, CSRF, hashed passwords, safe redirects."""
import pytest

from eis_toolkit.models import User
from tests.conftest import csrf_token


def test_every_response_carries_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert client.get("/nowhere").headers["X-Frame-Options"] == "DENY", "error pages too"


@pytest.fixture
def csrf_client(make_app, loaded):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def test_a_form_posted_without_its_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/login", data={"email": "dk@example.org", "password": "region-pass"})
    assert response.status_code == 400
    assert "The form had expired or came from another page." in response.get_data(as_text=True)


def test_a_form_posted_with_its_csrf_token_is_accepted(csrf_client):
    token = csrf_token(csrf_client.get("/login").get_data(as_text=True))
    response = csrf_client.post("/login", data={"email": "dk@example.org", "password": "region-pass",
                                                "csrf_token": token})
    assert response.status_code == 302


def test_logout_needs_a_csrf_token_too(csrf_client):
    token = csrf_token(csrf_client.get("/login").get_data(as_text=True))
    csrf_client.post("/login", data={"email": "dk@example.org", "password": "region-pass", "csrf_token": token})
    assert csrf_client.post("/logout").status_code == 400
    assert csrf_client.get("/dashboard").status_code == 200, "still logged in"


def test_passwords_are_stored_hashed(app, loaded):
    user = app.extensions["sqlalchemy"].session.query(User).filter_by(email="dk@example.org").one()
    assert "region-pass" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.check_password("region-pass") and not user.check_password("region-pasS")


def test_the_session_cookie_is_signed_with_the_key_or_its_fallbacks(make_app, loaded):
    """The session interface builds its serializer once per key: a cookie signed with a key now among
    the fallbacks still reads, one signed with an unknown key does not, and a new cookie is signed
    with the current key."""
    old = make_app(SECRET_KEY="old-key").test_client()
    old.get("/?lang=da")
    cookie = old.get_cookie("session").value
    for keys, expected in ((["old-key"], "da"), ([], "en")):
        client = make_app(SECRET_KEY="new-key", SECRET_KEY_FALLBACKS=keys).test_client()
        client.set_cookie("session", cookie)
        assert '<html lang="%s">' % expected in client.get("/").get_data(as_text=True)
    renewed = make_app(SECRET_KEY="new-key").test_client()
    renewed.get("/?lang=it")
    again = make_app(SECRET_KEY="new-key").test_client()
    again.set_cookie("session", renewed.get_cookie("session").value)
    assert '<html lang="it">' in again.get("/").get_data(as_text=True)


def test_a_visit_without_a_session_sets_no_cookie_but_varies_on_it(client, loaded):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers and response.headers["Vary"] == "Cookie"
    assert client.get("/?lang=de").headers["Set-Cookie"].startswith("session="), "a choice starts one"
