"""The language switch and a translated page's script, in the browser (Danish and Italian)."""
import re

import pytest
from playwright.sync_api import expect

from eis_toolkit.assessments import queries
from tests.assessment_fixtures import draft, drafted  # noqa: F401
from tests.conftest import assert_accessible, hand_over

pytestmark = pytest.mark.browser


def test_a_visitor_switches_to_danish_and_stays_in_danish(drafted, live_server, page):
    page.goto(f"{live_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Dansk").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind")
    page.get_by_label("E-mail").fill("dk@example.org")
    page.get_by_label("Adgangskode").fill("region-pass")
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen, Dag Member")
    expect(page.locator(".language-switch [aria-current]")).to_have_attribute("lang", "da")


def test_an_italian_member_types_2_000_000_and_the_script_answers_in_italian(draft, live_server, page):
    page.goto(f"{live_server}/login?lang=it")
    page.get_by_label("E-mail").fill("dk@example.org")
    page.get_by_label("Password", exact=True).fill("region-pass")
    page.get_by_role("button", name="Accedi").click()
    page.goto(f"{live_server}/assessments/{draft.id}/questions/strategy")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    page.locator('[id="q-strategy.budget"]').get_by_role("textbox").first.fill("2.000.000")
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Tutte le modifiche salvate alle "),
                                                      timeout=15000)
    hand_over()  # the live server's request committed: read what it stored
    assert queries.answers_by_key(draft)["strategy.budget"].value == 2_000_000
    page.reload()
    expect(page.locator('[id="q-strategy.budget"]').get_by_role("textbox").first).to_have_value("2000000")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["it", "da", "de"])
def test_translated_pages_have_no_axe_violations(draft, live_server, page, language, width):
    """Longer words (German) and the language switch keep the pages accessible at both widths."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server}/login?lang={language}")
    assert_accessible(page)
    page.locator("#email").fill("dk@example.org")
    page.locator("#password").fill("region-pass")
    page.locator("form:not(.language-switch):not(.inline) button[type=submit]").click()
    page.wait_for_url(f"{live_server}/dashboard")
    for path in ("/dashboard", f"/assessments/{draft.id}", f"/assessments/{draft.id}/questions/strategy"):
        page.goto(f"{live_server}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page, path)
