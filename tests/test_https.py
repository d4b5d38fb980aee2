"""Served over HTTPS (directly or behind a trusted proxy): Secure cookies and HSTS (#13)."""
import pytest


def _login(client, **kwargs):
    return client.post("/login", data={"email": "dk@example.org", "password": "region-pass"}, **kwargs)


def test_plain_http_has_no_hsts_and_the_cookie_works_on_localhost(client, loaded):
    response = _login(client)
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


def test_https_gives_hsts_and_secure_cookies(client, loaded):
    response = _login(client, base_url="https://eis.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert "; Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("proxies, secure", [(0, False), (1, True)])
def test_a_proxys_forwarded_proto_counts_only_when_trusted(make_app, loaded, proxies, secure):
    client = make_app(EIS_TRUSTED_PROXIES=proxies).test_client()
    response = _login(client, headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is secure
    assert ("; Secure" in response.headers["Set-Cookie"]) is secure
