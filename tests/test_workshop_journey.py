"""The hot-seat session in a browser: the host opens the round, a reviewer scores and submits, the
host watches it arrive on the live screen, closes and publishes, the region reads its results."""
import re

import pytest

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


def test_a_hot_seat_session(planned, live_server, page, app):
    host, base = page, live_server
    log_in(host, base, "host@example.org")

    # The host opens the review round.
    host.get_by_role("link", name="Workshops", exact=True).click()
    host.get_by_role("link", name="Aarhus workshop").click()
    assert_accessible(host)
    host.get_by_role("link", name="Open the review round…").click()
    host.get_by_role("button", name="Open the review round").click()
    assert host.get_by_text("The workshop is now open.").is_visible()

    # The live screen shows progress only, until revealed.
    host.get_by_role("link", name="Live screen").click()
    progress = host.locator("#live-progress")
    progress.get_by_text("0 of 3").wait_for()
    assert host.get_by_text("The scores are hidden.").is_visible()
    host.get_by_role("button", name="Reveal the scores").click()
    host.get_by_role("button", name="Hide the scores").wait_for()
    host.get_by_text("No submitted peer score yet.").wait_for()
    assert_accessible(host)

    # A reviewer scores DK04 on a phone and submits.
    reviewer = new_page(page, width=390)
    log_in(reviewer, base, "it@example.org")
    reviewer.goto(f"{base}/reviews")
    reviewer.get_by_role("link", name=re.compile("Start the review of DK04")).click()
    assert reviewer.get_by_role("heading", name="Review of Central Denmark (DK04)").is_visible()
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
    progress.get_by_text("1 of 3").wait_for(timeout=15000)
    questions = host.locator("#live-questions")
    questions.get_by_text("The region has a written strategy").wait_for(timeout=15000)
    first = questions.locator("li").first.inner_text()
    assert "DK04" in first and "written strategy" in first, "DK04 scored itself 4 on vision, the peer 2: discuss first"

    # Another reviewer's IE04 review came on paper; the host closes and publishes.
    submit_as("de@example.org", "IE04")
    db.session.remove()
    host.goto(f"{base}/workshops/aarhus-2017/status/close")
    assert host.get_by_text("reviews are not submitted and will be left out").is_visible()
    host.get_by_label("I understand that the reviews not submitted will be left out").check()
    host.get_by_role("button", name="Close the review round").click()
    host.get_by_role("link", name="Publish the results…").click()
    host.get_by_role("button", name="Publish the results").click()
    assert host.get_by_text("The workshop is now published.").is_visible()

    # The region reads its results, reviewer names hidden.
    region = new_page(page)
    log_in(region, base, "dk@example.org")
    region.get_by_role("link", name="Workshops", exact=True).click()
    region.get_by_role("link", name="Aarhus workshop").click()
    assert region.get_by_role("heading", name="Peer reviews of Central Denmark (DK04)").is_visible()
    text = region.locator("main").inner_text()
    assert "Clear division of work between the export actors" in text
    assert "Reviewer A" in text and "Ida Reviewer" not in text
    assert_accessible(region)
