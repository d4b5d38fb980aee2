"""Logging in and out."""
import pytest

from eis_toolkit.extensions import db
from eis_toolkit.models import User


def test_a_region_member_logs_in_and_sees_the_dashboard(client, loaded):
    response = client.post("/login", data={"email": "DK@example.org ", "password": "region-pass"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Welcome, Dag Member" in page
    assert "Aarhus workshop" in page and "submitted" in page


@pytest.mark.parametrize("email, password", [
    ("dk@example.org", "wrong-pass"),
    ("nobody@example.org", "region-pass"),
])
def test_wrong_credentials_are_refused_with_the_email_kept(client, loaded, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not right" in page
    assert f'value="{email}"' in page, "the typed e-mail stays in the form"
    assert client.get("/dashboard").status_code == 302


def test_a_disabled_account_cannot_log_in(client, loaded):
    db.session.query(User).filter_by(email="dk@example.org").one().active = False
    db.session.commit()
    response = client.post("/login", data={"email": "dk@example.org", "password": "region-pass"})
    assert "is not right" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client, loaded):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login?next=%2Fdashboard" in response.headers["Location"]
    response = client.post("/login?next=/dashboard", data={"email": "dk@example.org", "password": "region-pass"})
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_never_redirects_to_another_site(client, loaded, target):
    response = client.post(f"/login?next={target}", data={"email": "dk@example.org", "password": "region-pass"})
    assert response.headers["Location"] == "/dashboard"


def test_logout(client, loaded, login):
    login("dk@example.org")
    assert client.get("/logout").status_code == 405, "logging out is a POST (a link cannot do it)"
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302
