"""A reviewer's journey through the paged review form in Chromium, on a phone in Danish and on a
desktop in English: the overview, each dimension (autosave, Save and next), the general part, the
confirmation, submitting, and the other reviewers' scores afterwards; axe-core on the pages on the way."""
import re

import pytest
from playwright.sync_api import expect

from eis_toolkit.extensions import db
from eis_toolkit.models import ReviewStatus
from tests.browser_language import switch_language, translator
from tests.conftest import assert_accessible, log_in
from tests.workshop_support import assignment_of, definition, open_workshop, submit_as, workshop_bundle  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def others_submitted(open_workshop):
    """Ida and Dora have submitted their reviews of DK04; Ian's is a draft."""
    submit_as("it@example.org", "DK04", 2)
    submit_as("de@example.org", "DK04", 5)
    db.session.commit()
    return assignment_of("ie@example.org", "DK04").id


@pytest.mark.parametrize("width, height, language", [(390, 844, "da"), (1280, 800, "en")])
def test_a_reviewer_goes_through_the_dimensions_confirms_and_submits(others_submitted, app, live_server, page,
                                                                      width, height, language):
    t = translator(app, language)
    dimensions = [d for d in definition().dimensions if any(q.scored for q in d.questions)]
    title = {d.key: d.title[language] for d in dimensions}
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, "ie@example.org")
    switch_language(page, language)
    page.goto(f"{live_server}/reviews")
    page.get_by_role("link", name=re.compile(t("the review of %(region)s", region="DK04"))).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        t("Review of %(region)s (%(code)s)", region="Central Denmark", code="DK04"))
    assert_accessible(page, "the overview")
    page.get_by_role("link", name=t("Continue with %(dimension)s", dimension=title[dimensions[0].key])).click()

    # the first dimension: a change is saved by itself, and is there after a reload
    first = dimensions[0]
    expect(page.get_by_role("heading", level=1)).to_contain_text(title[first.key])
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator(f'input[name="score.{first.questions[0].key}"][value="na"]').check()
    expect(page.locator(".autosave-status")).to_contain_text(t("Draft saved at %(time)s.").split("%(time)s")[0].strip())
    page.reload()
    expect(page.locator(f'input[name="score.{first.questions[0].key}"][value="na"]')).to_be_checked()
    assert_accessible(page, "a dimension page")

    for position, dimension in enumerate(dimensions):
        expect(page.get_by_role("heading", level=1)).to_contain_text(title[dimension.key])
        for question in dimension.questions:
            if question.scored and not (position == 0 and question is first.questions[0]):
                page.locator(f'input[name="score.{question.key}"][value="3"]').check()
        page.locator(f"textarea[name='comment.{next(q for q in dimension.questions if q.scored).key}']").fill(
            f"Seen in {dimension.key}")
        page.locator(".form-actions button[value=next]").click()
        expect(page.locator(".flash-success")).to_have_text(t("Your draft is saved."))

    # the general part, then the confirmation
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Overall and practices"))
    page.get_by_label(t("Strengths"), exact=True).fill("A single entry point that firms know")
    page.get_by_role("button", name=t("Save and check before submitting")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Submit the review"))
    expect(page.get_by_text(t("Once submitted, your review can no longer be changed."))).to_be_visible()
    expect(page.get_by_text("A single entry point that firms know")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(title[first.key]))).to_contain_text("1")  # the N/A
    assert_accessible(page, "the confirmation")
    page.get_by_role("button", name=t("Submit the review")).click()

    submitted = t("Your review is submitted: you can now see the other reviewers' scores.")
    expect(page.get_by_text(submitted)).to_be_visible()
    assert assignment_of("ie@example.org", "DK04").review.status == ReviewStatus.SUBMITTED
    page.get_by_role("link", name=re.compile(title[dimensions[1].key])).first.click()
    peers = page.locator(".peers").first
    expect(peers).to_contain_text("2")
    expect(peers).to_contain_text("5")
    expect(page.locator('input[type="radio"]')).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"
