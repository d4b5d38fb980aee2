"""Browser journey (Playwright): a region member turns a peer recommendation into an action,
submits the plan, then reports progress; the pages pass axe."""
import pytest
from playwright.sync_api import expect

from conftest import assert_accessible, keep_screenshot, log_in

pytestmark = pytest.mark.browser


def test_a_member_turns_a_recommendation_into_an_action_submits_and_reports(load, bundle, live_server, page):
    bundle["workshops"][0]["reviews"][0]["recommendations"] = "Set targets and measure them every year."
    load(bundle)
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}/benchmark/workshops/aarhus-2017/regions/DK04")
    page.get_by_role("link", name="Action plan", exact=True).click()
    page.get_by_role("heading", name="Action plan of Central Denmark (DK04)").wait_for()
    assert_accessible(page, "the draft plan")
    keep_screenshot(page, "plan-draft")

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
    expect(page.get_by_text("The action ends before it starts.")).to_be_visible()
    assert page.get_by_label("Costs").input_value() == "€20,000"
    assert_accessible(page, "the action form with an error")
    keep_screenshot(page, "action-form-error")
    page.get_by_label("Ends").fill("2018-12-31")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The action is saved.").wait_for()

    page.get_by_role("button", name="Submit the plan").click()
    expect(page.get_by_text("Still missing")).to_be_visible()
    keep_screenshot(page, "plan-missing")
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
    keep_screenshot(page, "plan-submitted")


def test_progress_on_the_scorecard_and_adoption_on_the_practice_page(runner, live_server, page):
    """The demo: DK04's scorecard at aarhus-2020 shows its progress since aarhus-2017, and
    Liguria's practice says who adopted it; both readable and accessible at 1280 and 390 px."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    log_in(page, live_server, "member.dk04@example.org", "demo-region")
    page.goto(f"{live_server}/benchmark/workshops/aarhus-2020/regions/DK04")
    block = page.locator("#progress")
    # the demo member reads Danish: find the parts by their ids
    assert "EIS peer-review workshop in Aarhus" in block.locator("#progress-heading").inner_text()
    chart = block.locator("figure.chart img")
    expect(block.get_by_role("link", name="One front door for first-time exporters")).to_be_visible()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        block.scroll_into_view_if_needed()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG loaded
        box = chart.bounding_box()
        assert box["width"] <= width and box["height"] > 100
        assert_accessible(page, f"the scorecard with progress at {width} px")
    keep_screenshot(page, "scorecard-progress")

    page.goto(f"{live_server}/practices/liguria-institutional-mission-japan-expo-osaka")
    adopted = page.locator("#adopted-by")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        adopted.scroll_into_view_if_needed()
        expect(adopted).to_be_visible()
        expect(page.get_by_text("Central Denmark (DK04)")).to_be_visible()
        assert_accessible(page, f"the practice page at {width} px")
    keep_screenshot(page, "practice-adopted")
    page.goto(f"{live_server}/benchmark/programmes/eis/eis-core@1")
    page.locator("#transfers-heading").wait_for()
    assert_accessible(page, "the programme page with progress and transfers")
    keep_screenshot(page, "programme-progress")
    page.goto(f"{live_server}/action-plans/progress/DK04")
    assert_accessible(page, "the progress page")
    keep_screenshot(page, "progress-page")
