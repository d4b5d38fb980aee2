"""The live screen on the room's own devices, in a browser: a reviewer's phone follows the host's
reveal, and the followers' screen on a desktop is accessible (the rest of it:
tests/test_workshop_live_readers.py, whose data these tests build for themselves, committed, for
the live server to read)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eis_toolkit.extensions import db
from tests.conftest import assert_accessible, log_in
from tests.test_workshop_live_readers import VIEW, live_room, set_state
from tests.workshop_support import person

pytestmark = pytest.mark.browser


@pytest.fixture
def room(load):
    live_room(load)


def test_a_reviewer_on_a_phone_sees_the_scores_when_the_host_reveals_them(room, live_server, page):
    person("ie@example.org").language = "da"  # Ian reads Danish; the host's room is Italian
    db.session.commit()
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                             has_touch=True).new_page()
    log_in(phone, live_server, "ie@example.org")
    phone.goto(f"{live_server}{VIEW}")
    assert phone.locator("html").get_attribute("lang") == "da"
    phone.locator("#live-updated").get_by_text(re.compile(r"^Opdateret \d")).wait_for()  # the script has polled
    assert phone.locator("#live-progress .live-count").first.inner_text() == "2 af 3"
    expect(phone.locator("#live-hidden")).to_be_visible()
    expect(phone.locator("#live-dimensions-section")).to_be_hidden()
    assert phone.locator("#reveal-form").count() == 0 and phone.locator("#room-language").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on the phone"
    assert_accessible(phone, "the live screen on a phone, hidden")

    log_in(page, live_server, "host@example.org")
    page.goto(f"{live_server}/workshops/aarhus-2017/live?room=it")
    shared = page.get_by_role("link", name=f"{live_server}{VIEW}")
    assert shared.get_attribute("href") == f"{live_server}{VIEW}"
    page.get_by_role("button", name="Mostra i punteggi").click()
    page.get_by_role("button", name="Nascondi i punteggi").wait_for()

    phone.locator("#live-dimensions-section").wait_for(state="visible")  # at the next poll, without reloading
    expect(phone.locator("#live-hidden")).to_be_hidden()
    expect(phone.get_by_role("heading", name="Drøft først: hvor bedømmerne er uenige")).to_be_visible()
    headers = phone.locator("#live-dimensions thead").first.text_content()
    assert "Afvigelse" in headers and "Scarto" not in headers, "the reader's Danish, not the room's Italian"
    phone.locator("#live-questions li").first.wait_for()
    assert "DK04" in phone.locator("#live-questions li").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, "the live screen on a phone, revealed")

    page.get_by_role("button", name="Nascondi i punteggi").click()
    phone.locator("#live-hidden").wait_for(state="visible")  # hidden again on the phone too
    expect(phone.locator("#live-dimensions-section")).to_be_hidden()


def test_the_followers_screen_on_a_desktop_is_accessible(room, live_server, page):
    set_state(revealed=True)
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}{VIEW}")
    page.locator("#live-questions li").first.wait_for()
    expect(page.locator(".live-chart svg").first, "the bars, on a wide screen").to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_accessible(page, "the live screen on a desktop, revealed")
