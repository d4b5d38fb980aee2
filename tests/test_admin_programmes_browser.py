"""The programme pages in a browser: an admin adds a partner region, removes one after the
confirmation, and every page passes axe at desktop and phone widths."""
import pytest
from playwright.sync_api import expect

from conftest import assert_accessible, keep_screenshot, log_in

pytestmark = pytest.mark.browser


def _look(page, name: str) -> None:
    assert_accessible(page, name)
    keep_screenshot(page, name)


def test_an_admin_manages_the_partner_regions_of_a_programme(load, bundle, live_server, page):
    bundle["regions"].append({"code": "FI1B", "name": "Helsinki-Uusimaa", "country": "FI"})
    load(bundle)
    log_in(page, live_server, "admin@example.org")
    page.get_by_role("link", name="Regions", exact=True).click()
    page.get_by_role("link", name="Programmes").click()
    _look(page, "programmes")
    page.get_by_role("link", name="Everywhere International SMEs").click()
    _look(page, "programme-edit")
    page.get_by_role("button", name="Remove IE04").click()
    expect(page.get_by_text("1 workshop that reviews it: Aarhus workshop")).to_be_visible()
    _look(page, "partner-remove")
    page.get_by_role("button", name="Remove the partner region").click()
    expect(page.get_by_text("is no longer a partner of Everywhere International SMEs")).to_be_visible()
    partners = page.locator("#partners")
    assert "IE04" not in partners.get_by_role("table").inner_text()
    page.get_by_label("Region").select_option(label="IE04 – Northern and Western")
    page.get_by_role("button", name="Add the partner region").click()
    assert "IE04" in partners.get_by_role("table").inner_text()
    page.get_by_role("button", name="Remove DK04").click()
    expect(page.get_by_text("It cannot be removed")).to_be_visible()
    _look(page, "partner-refused")
    page.goto(f"{live_server}/admin/programmes/new")
    page.get_by_label("Title").fill("Second round")
    page.get_by_label("Address name").fill("eis")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is already a programme with the address name eis.")).to_be_visible()
    _look(page, "programme-new-error")
    page.get_by_label("Address name").fill("eis-2")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Delete…").click()
    _look(page, "programme-delete")
    page.get_by_role("button", name="Delete the programme").click()
    expect(page.get_by_text("Deleted Second round.")).to_be_visible()
