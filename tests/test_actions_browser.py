"""Browser journey (Playwright): a region member turns a peer recommendation into an action,
submits the plan, then reports progress; the pages pass axe."""
import os

import pytest

from conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

#: Set to a folder to keep screenshots of each step (for looking at the pages; never in git).
SHOTS = os.environ.get("EIS_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})


def test_a_member_turns_a_recommendation_into_an_action_submits_and_reports(load, bundle, live_server, page):
    bundle["workshops"][0]["reviews"][0]["recommendations"] = "Set targets and measure them every year."
    load(bundle)
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}/benchmark/workshops/aarhus-2017/regions/DK04")
    page.get_by_role("link", name="Action plan", exact=True).click()
    page.get_by_role("heading", name="Action plan of Central Denmark (DK04)").wait_for()
    assert_accessible(page, "the draft plan")
    _shot(page, "plan-draft")

    page.get_by_role("link", name="Turn into an action").click()
    assert page.get_by_label("Background").input_value() == "Set targets and measure them every year."
    page.get_by_label("Action", exact=True).fill("A KPI set for the export service")
    page.get_by_label("What will be done").fill("Define five KPIs and publish them yearly")
    page.get_by_label("Players involved").fill("Business Region Aarhus, the chamber")
    page.get_by_label("Starts").fill("2018-01-01")
    page.get_by_label("Ends").fill("2017-12-31")  # before it starts: the form comes back with what was typed
    page.get_by_label("Costs").fill("€20,000")
    page.get_by_label("Baseline").fill("0")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The action ends before it starts.").is_visible()
    assert page.get_by_label("Costs").input_value() == "€20,000"
    assert_accessible(page, "the action form with an error")
    _shot(page, "action-form-error")
    page.get_by_label("Ends").fill("2018-12-31")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The action is saved.").wait_for()

    page.get_by_role("button", name="Submit the plan").click()
    assert page.get_by_text("Still missing").is_visible()
    _shot(page, "plan-missing")
    page.get_by_role("link", name="Edit").first.click()
    page.get_by_label("Funding sources").fill("ERDF regional programme")
    page.get_by_label("Dimension it should improve").select_option("strategy")
    page.get_by_label("Indicator").fill("KPIs reported yearly")
    page.get_by_label("Target").fill("5")
    page.get_by_label("Unit").fill("KPIs")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Policy context").fill("ERDF regional programme, axis 3")
    page.get_by_role("button", name="Submit the plan").click()
    page.get_by_text("The plan is submitted.").wait_for()

    page.get_by_role("link", name="Report progress").click()
    page.get_by_label("Date of the report").fill("2018-03-01")
    page.get_by_label("Status").select_option("started")
    page.get_by_label("Current value of the indicator").fill("2")
    assert_accessible(page, "the progress form")
    page.get_by_role("button", name="Save the report").click()
    page.get_by_text("The progress report is saved.").wait_for()
    implementation = page.get_by_role("region", name="Implementation").inner_text()
    assert "1" in implementation
    assert "KPIs reported yearly: 0 → 5 KPIs (now 2)" in " ".join(page.inner_text("body").split())
    assert_accessible(page, "the submitted plan")
    _shot(page, "plan-submitted")
