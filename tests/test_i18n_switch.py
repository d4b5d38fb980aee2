"""Which language a page is in: ``?lang=`` (then remembered), the switch in the header (also saved
as the person's language), the person's setting, ``Accept-Language``, English."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import User
from tests.conftest import csrf_token


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def _language_of(email: str) -> str:
    return db.session.scalar(select(User.language).where(User.email == email))


def test_english_without_any_choice(client, loaded):
    assert _lang(client.get("/")) == "en"


@pytest.mark.parametrize("header, expected", [("de-DE,de;q=0.9,en;q=0.5", "de"), ("da", "da"),
                                               ("fr-FR,fr;q=0.9", "en"), ("it-CH, en;q=0.2", "it")])
def test_the_browser_language_when_nothing_was_chosen(client, loaded, header, expected):
    assert _lang(client.get("/", headers={"Accept-Language": header})) == expected


def test_lang_in_the_address_is_remembered_for_the_next_pages(client, loaded):
    assert _lang(client.get("/?lang=da")) == "da"
    assert _lang(client.get("/login")) == "da"
    assert _lang(client.get("/", headers={"Accept-Language": "de"})) == "da"  # the choice beats the browser
    assert _lang(client.get("/login?lang=it")) == "it"
    assert _lang(client.get("/")) == "it"


@pytest.mark.parametrize("asked", ["xx", "", "EN", "../de", "de-DE", "it;drop table"])
def test_an_unknown_lang_is_ignored(client, loaded, asked):
    response = client.get("/", query_string={"lang": asked})
    assert response.status_code == 200 and _lang(response) == "en"
    client.get("/?lang=de")
    response = client.get("/login", query_string={"lang": asked})
    assert response.status_code == 200 and _lang(response) == "de"  # the previous choice stays


def test_the_persons_setting_applies_after_log_in(client, loaded, login):
    db.session.scalar(select(User).where(User.email == "dk@example.org")).language = "da"
    db.session.commit()
    login("dk@example.org")
    assert _lang(client.get("/dashboard")) == "da"


def test_a_lang_link_does_not_change_the_persons_setting(client, loaded, login):
    login("dk@example.org")
    assert _lang(client.get("/dashboard?lang=it")) == "it"
    assert _lang(client.get("/dashboard")) == "it"
    assert _language_of("dk@example.org") == "en"  # a GET writes nothing to the database


def test_the_switch_saves_the_persons_language_and_goes_back(client, loaded, login):
    login("dk@example.org")
    response = client.post("/language", data={"lang": "de", "next": "/assessments/?x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/assessments/?x=1"
    assert _language_of("dk@example.org") == "de"
    assert _lang(client.get("/dashboard")) == "de"


def test_the_switch_for_visitors_is_kept_in_the_session(client, loaded):
    response = client.post("/language", data={"lang": "it", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _lang(client.get("/login")) == "it"
    assert _lang(client.get("/", headers={"Accept-Language": "da"})) == "it"


@pytest.mark.parametrize("data", [{"lang": "xx"}, {"lang": ""}, {}, {"lang": "en-GB"}])
def test_the_switch_refuses_unknown_languages(client, loaded, login, data):
    login("dk@example.org")
    response = client.post("/language", data={**data, "next": "/dashboard"})
    assert response.status_code == 400
    assert _language_of("dk@example.org") == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_switch_goes_back_only_to_this_site(client, loaded, target):
    response = client.post("/language", data={"lang": "da", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_the_switch_needs_the_forms_csrf_token(make_app, loaded):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert client.post("/language", data={"lang": "da", "next": "/"}).status_code == 400
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"lang": "da", "next": "/", "csrf_token": token})
    assert response.status_code == 302
    assert _lang(client.get("/")) == "da"
    client.post("/login", data={"email": "dk@example.org", "password": "region-pass", "csrf_token": token})
    assert client.post("/language", data={"lang": "it", "next": "/"}).status_code == 400
    token = csrf_token(client.get("/dashboard").get_data(as_text=True))  # the header's switch
    assert client.post("/language", data={"lang": "it", "next": "/", "csrf_token": token}).status_code == 302
    assert _language_of("dk@example.org") == "it"


def _buttons_in_their_own_names(page: str) -> None:
    for code, name in (("en", "English"), ("it", "Italiano"), ("da", "Dansk")):
        assert (f'name="lang" value="{code}" lang="{code}" title="{name}"><span aria-hidden="true">'
                f'{code.upper()}</span><span class="visually-hidden">{name}</span></button>') in page
    assert ('<span class="current" lang="de" aria-current="true" title="Deutsch"><span aria-hidden="true">DE</span>'
            '<span class="visually-hidden">Deutsch</span></span>') in page


def test_the_header_offers_every_language_in_its_own_name(client, loaded, login):
    for who in (None, "dk@example.org"):
        if who:
            login(who)
        page = client.get("/login?lang=de&next=/x" if who is None else "/dashboard?lang=de&next=/x").get_data(as_text=True)
        method = "get" if who is None else "post"
        assert f'<form method="{method}" action="/language" class="language-switch"' in page
        back = "/login?next=%2Fx" if who is None else "/dashboard?next=%2Fx"
        assert f'<input type="hidden" name="next" value="{back}">' in page  # back without ?lang=
        _buttons_in_their_own_names(page)


def test_a_visitors_switch_is_a_get_and_their_pages_hold_no_token(client, loaded):
    """A visitor's choice lives in their session only, as ``?lang=`` does: the switch is a GET,
    holds no CSRF token, and no session starts before it; a GET writes nothing for a logged-in
    person either."""
    page = client.get("/practices/?q=japan").get_data(as_text=True)
    assert 'name="csrf_token"' not in page and "Set-Cookie" not in client.get("/practices/?q=japan").headers
    response = client.get("/language", query_string={"lang": "da", "next": "/practices/?q=japan"})
    assert response.status_code == 302 and response.headers["Location"] == "/practices/?q=japan"
    assert _lang(client.get("/practices/?q=japan")) == "da", "remembered in the session"
    assert client.get("/language", query_string={"lang": "xx", "next": "/"}).status_code == 400
    response = client.get("/language", query_string={"lang": "it", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/dashboard"


def test_a_get_switch_does_not_change_the_persons_setting(client, loaded, login):
    login("dk@example.org")
    assert client.get("/language?lang=it&next=/dashboard").status_code == 302
    assert _lang(client.get("/dashboard")) == "it"
    assert _language_of("dk@example.org") == "en"
