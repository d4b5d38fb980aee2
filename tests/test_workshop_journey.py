"""The hot-seat session in a browser: the host creates the next workshop, assigns a reviewer, opens
the round, a reviewer scores and submits, the host watches it arrive on the live screen, closes,
publishes and downloads the workshop report, the region reads its results. Run twice: the host on a
desktop and the reviewer on a phone, then the other way round."""
import re

import pytest
from playwright.sync_api import expect

from eis_toolkit.extensions import db
from tests.conftest import assert_accessible, log_in
from tests.workshop_support import definition, submit_as, workshop_bundle  # noqa: F401

pytestmark = pytest.mark.browser

@pytest.fixture
def planned(load, workshop_bundle):
    workshop_bundle["workshops"][0]["status"] = "planned"
    load(workshop_bundle)


def new_page(page, width=1280):
    """A page in a fresh browser context: another person, with their own cookies."""
    return page.context.browser.new_context(viewport={"width": width, "height": 900}).new_page()


@pytest.mark.parametrize("host_width, reviewer_width", [(1280, 390), (390, 1280)])
def test_a_hot_seat_session(planned, live_server, page, app, host_width, reviewer_width):
    host, base = page, live_server
    host.set_viewport_size({"width": host_width, "height": 844 if host_width == 390 else 900})
    log_in(host, base, "host@example.org")

    # The host creates the next workshop.
    host.get_by_role("link", name="Workshops", exact=True).click()
    host.get_by_role("link", name="New workshop").click()
    host.get_by_label("Title").fill("Aarhus follow-up")
    host.get_by_label("Place").fill("Aarhus")
    host.get_by_label("Starts").fill("2018-06-12")
    host.get_by_label("Ends").fill("2018-06-13")
    host.get_by_label("IE04 – Northern and Western").check()
    host.get_by_role("button", name="Create the workshop").click()
    expect(host.get_by_text("Created Aarhus follow-up. Assign reviewers next.")).to_be_visible()
    expect(host.get_by_role("heading", level=1)).to_contain_text("Aarhus follow-up")

    # In the Aarhus workshop the host assigns one more reviewer to DK04, then opens the review round.
    host.get_by_role("link", name="Workshops", exact=True).click()
    host.get_by_role("link", name="Aarhus workshop").click()
    host.get_by_label("Reviewer", exact=True).select_option(label="Ugo Reviewer (ITC4)")
    host.locator("#region_id").select_option(label="DK04")  # labelled "Reviews"
    host.get_by_role("button", name="Assign", exact=True).click()
    expect(host.get_by_text("Ugo Reviewer reviews DK04.")).to_be_visible()
    assert_accessible(host)
    assert host.evaluate("document.documentElement.scrollWidth") <= host_width, "no sideways scrolling"
    host.get_by_role("link", name="Open the review round…").click()
    host.get_by_role("button", name="Open the review round").click()
    expect(host.get_by_text("The workshop is now open.")).to_be_visible()

    # The live screen shows progress only, until revealed.
    host.get_by_role("link", name="Live screen").click()
    progress = host.locator("#live-progress")
    progress.get_by_text("0 of 4").wait_for()
    expect(host.get_by_text("The scores are hidden.")).to_be_visible()
    host.get_by_role("button", name="Reveal the scores").click()
    host.get_by_role("button", name="Hide the scores").wait_for()
    host.get_by_text("No submitted peer score yet.").wait_for()
    assert_accessible(host)

    # A reviewer scores DK04 on a phone and submits.
    reviewer = new_page(page, width=reviewer_width)
    log_in(reviewer, base, "it@example.org")
    reviewer.goto(f"{base}/reviews")
    reviewer.get_by_role("link", name=re.compile("Start the review of DK04")).click()
    expect(reviewer.get_by_role("heading", name="Review of Central Denmark (DK04)")).to_be_visible()
    assert_accessible(reviewer)
    dimensions = [d for d in definition().dimensions if any(q.scored for q in d.questions)]
    reviewer.get_by_role("link", name=f"Continue with {dimensions[0].title['en']}").click()
    for dimension in dimensions:  # one page each: score, then Save and next
        reviewer.get_by_role("heading", level=1).filter(has_text=dimension.title["en"]).wait_for()
        for question in (q for q in dimension.questions if q.scored):
            value = "2" if question.key == "strategy.vision" else "na" if question.key == "strategy.kpis" else "3"
            reviewer.locator(f'input[name="score.{question.key}"][value="{value}"]').check()
        reviewer.locator(".form-actions button[value=next]").click()
    reviewer.get_by_label("Strengths").fill("Clear division of work between the export actors")
    reviewer.get_by_role("button", name="Save and check before submitting").click()
    reviewer.get_by_role("button", name="Submit the review").click()
    reviewer.get_by_text("Your review is submitted").wait_for()

    # The host sees it arrive without reloading: progress, then the question with the biggest gap.
    progress.get_by_text("1 of 4").wait_for(timeout=15000)
    questions = host.locator("#live-questions")
    questions.get_by_text("The region has a written strategy").wait_for(timeout=15000)
    first = questions.locator("li").first.inner_text()
    assert "DK04" in first and "written strategy" in first, "DK04 scored itself 4 on vision, the peer 2: discuss first"

    # Another reviewer's IE04 review came on paper; the host closes and publishes.
    submit_as("de@example.org", "IE04")
    db.session.remove()
    host.goto(f"{base}/workshops/aarhus-2017/status/close")
    expect(host.get_by_text("reviews are not submitted and will be left out")).to_be_visible()
    host.get_by_label("I understand that the reviews not submitted will be left out").check()
    host.get_by_role("button", name="Close the review round").click()
    host.get_by_role("link", name="Publish the results…").click()
    host.get_by_role("button", name="Publish the results").click()
    expect(host.get_by_text("The workshop is now published.")).to_be_visible()

    # ... and downloads the workshop report for the partners.
    host.goto(f"{base}/benchmark/workshops/aarhus-2017")
    with host.expect_download() as download:
        host.get_by_role("link", name="Download the workshop report (PDF)").click()
    report = download.value
    assert report.suggested_filename.endswith(".pdf")
    assert open(report.path(), "rb").read(5) == b"%PDF-"

    # The region reads its results, reviewer names hidden.
    region = new_page(page)
    log_in(region, base, "dk@example.org")
    region.get_by_role("link", name="Workshops", exact=True).click()
    region.get_by_role("link", name="Aarhus workshop").click()
    expect(region.get_by_role("heading", name="Peer reviews of Central Denmark (DK04)")).to_be_visible()
    text = region.locator("main").inner_text()
    assert "Clear division of work between the export actors" in text
    assert "Reviewer A" in text and "Ida Reviewer" not in text
    assert_accessible(region)
