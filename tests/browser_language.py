"""Helpers for browser journeys run in another language than English."""
from __future__ import annotations

from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from eis_toolkit.i18n import LANGUAGE_NAMES


def translator(app, language: str):
    """``t(msgid, **values)``: the text the pages show in ``language`` (the app's own catalogues), so
    that one journey reads the page in whatever language it runs in."""
    def t(msgid: str, **values) -> str:
        with app.test_request_context(), force_locale(language):
            return gettext(msgid, **values)
    return t


def switch_language(page, language: str) -> None:
    """Choose ``language`` with the header's switch (each button named in its own language), as a
    person would, and check that the page now says it is in that language."""
    if language != "en":
        page.locator(".language-switch").get_by_role("button", name=LANGUAGE_NAMES[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
