"""A region member's self-assessment in the browser: fill, reload, attach, submit, read (on a
desktop in English, on a phone in Italian).

Also what the page's script promises: typing is saved within seconds, and a session that ends
while typing loses nothing.
"""
import re

import pytest
from playwright.sync_api import expect

from eis_toolkit.assessments import queries
from eis_toolkit.assessments.services import Base, save_answers
from eis_toolkit.extensions import db
from eis_toolkit.questionnaires.types import AnswerData
from tests.assessment_fixtures import assessment_of, complete_answers, draft, drafted, pdf_bytes, person  # noqa: F401
from tests.browser_language import switch_language, translator
from tests.conftest import assert_accessible, hand_over, log_in

pytestmark = pytest.mark.browser


def question(page, key):
    return page.locator(f'[id="q-{key}"]')


def stored(assessment):
    """The answers as the live server's requests committed them (no request of the test's client
    ends the test's session in between: this does)."""
    hand_over()
    return queries.answers_by_key(assessment)


@pytest.fixture
def rest_answered(draft):
    """Every dimension but the first two answered already, so that the journey can submit."""
    answers = {key: data for key, data in complete_answers(queries.definition(draft)).items()
               if not key.startswith(("strategy.", "outreach."))}
    save_answers(draft, answers, {}, person("dk@example.org"))
    db.session.commit()
    return draft


@pytest.mark.parametrize("width, height, language", [(1280, 800, "en"), (390, 844, "it")])
def test_a_member_fills_two_dimensions_reloads_attaches_submits_and_reads(rest_answered, app, live_server, page,
                                                                          tmp_path, width, height, language):
    assessment = rest_answered
    t = translator(app, language)
    definition = queries.definition(assessment)
    title = {d.key: d.title[language] for d in definition.dimensions}
    options = {q.key: {o.key: o.label[language] for o in q.options} for d in definition.dimensions for q in d.questions}

    def level(score):  # "4 – Established and monitored", before the colon and the long explanation
        return definition.scale.labels[score][language].split(":")[0]

    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, "dk@example.org")
    switch_language(page, language)
    page.get_by_role("link", name=t("Continue: %(dimension)s", dimension=title["strategy"])).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title["strategy"])

    for key, answer in [("strategy.vision", level(4)), ("strategy.coordination", level(3)),
                        ("strategy.budget_stability", level(2)), ("strategy.sme_involvement", level(3)),
                        ("strategy.kpis", t("N/A – not applicable"))]:
        question(page, key).get_by_label(answer).check()
    question(page, "strategy.lead_body").get_by_label(options["strategy.lead_body"]["partnership"]).check()
    question(page, "strategy.budget").get_by_role("textbox").first.fill("540 000" if language == "en" else "540.000")
    question(page, "strategy.kpis").get_by_label(t("Comment")).fill("Targets come with the 2019 plan")
    page.get_by_role("button", name=t("Save, continue to %(dimension)s", dimension=title["outreach"]) + " →").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title["outreach"])
    expect(page.get_by_text(t("Saved."), exact=True)).to_be_visible()
    for key in ("outreach.single_entry", "outreach.communication", "outreach.new_exporters", "outreach.digital"):
        question(page, key).get_by_label(level(5)).check()
    question(page, "outreach.channels").get_by_label(options["outreach.channels"]["website"]).check()
    question(page, "outreach.channels").get_by_label(options["outreach.channels"]["clusters"]).check()
    page.get_by_role("button", name=t("Save"), exact=True).first.click()
    expect(page.get_by_text(t("Saved."), exact=True)).to_be_visible()

    page.reload()
    expect(question(page, "outreach.digital").get_by_label(level(5))).to_be_checked()
    expect(question(page, "outreach.channels").get_by_label(options["outreach.channels"]["clusters"])).to_be_checked()
    page.get_by_role("link", name=re.compile("^" + re.escape(title["strategy"]))).first.click()
    expect(question(page, "strategy.vision").get_by_label(level(4))).to_be_checked()
    expect(question(page, "strategy.kpis").get_by_label(t("N/A – not applicable"))).to_be_checked()
    expect(question(page, "strategy.budget").get_by_role("textbox").first).to_have_value("540000")
    expect(question(page, "strategy.kpis").get_by_label(t("Comment"))).to_have_value("Targets come with the 2019 plan")

    report = tmp_path / "Monitoring report.pdf"
    report.write_bytes(pdf_bytes())
    page.get_by_role("link", name=re.compile("^" + re.escape(title["followup"]))).first.click()
    evidence = question(page, "followup.evidence")
    evidence.get_by_label(t("Add files")).set_input_files(str(report))
    page.get_by_role("button", name=t("Save and review for submission")).click()

    expect(page.get_by_role("heading", name=t("Ready to submit"))).to_be_visible()
    page.get_by_role("button", name=t("Submit the self-assessment")).click()
    expect(page.get_by_text(t("Submitted. The self-assessment is now read-only."))).to_be_visible()
    expect(page.get_by_role("link", name="Monitoring report.pdf")).to_be_visible()
    expect(page.get_by_text(definition.scale.labels[4][language])).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.get_by_role("link", name=re.compile("^" + re.escape(title["strategy"]))).first.click()
    expect(page.locator("p.notice")).to_contain_text(
        t("Submitted on %(day)s: this self-assessment is read-only.").split("%(day)s")[1].strip(": "))
    assert page.get_by_role("radio").count() == 0 and page.get_by_role("textbox").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"
    assert stored(assessment)["strategy.budget"].value == 540000  # stored() expires what the test had read
    assert assessment_of("DK04").status == "submitted"


def test_typing_is_saved_within_seconds(draft, live_server, page):
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}/assessments/{draft.id}/questions/strategy")
    question(page, "strategy.actors").get_by_role("textbox").first.fill("Region, chambers and the trade agency")
    question(page, "strategy.kpis").get_by_label("2 – Ad hoc or planned").check()
    expect(page.locator("#save-status")).to_contain_text("All changes saved", timeout=10000)
    answers = stored(draft)
    assert answers["strategy.actors"].value == "Region, chambers and the trade agency"
    assert answers["strategy.kpis"].score == 2
    question(page, "strategy.actors").get_by_role("textbox").first.fill("Region and chambers")
    expect(page.locator("#save-status")).to_contain_text("All changes saved", timeout=10000)
    assert stored(draft)["strategy.actors"].value == "Region and chambers"  # the page knew the new version


def test_a_session_that_ends_while_typing_keeps_the_input_and_asks_to_log_in(draft, live_server, page):
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}/assessments/{draft.id}/questions/strategy")
    page.context.clear_cookies()  # the session ends
    question(page, "strategy.actors").get_by_role("textbox").first.fill("Typed while logged out")
    expect(page.locator("#draft-banner")).to_contain_text("Your session has ended", timeout=10000)
    login_link = page.get_by_role("link", name="Log in again (opens a new tab)")
    expect(login_link).to_have_attribute("target", "_blank")
    assert "strategy.actors" not in stored(draft)

    with page.context.expect_page() as opened:
        login_link.click()
    other = opened.value
    other.get_by_label("E-mail").fill("dk@example.org")
    other.get_by_label("Password", exact=True).fill("region-pass")
    other.get_by_role("button", name="Log in").click()
    other.wait_for_url(re.compile(r".*/questions/strategy$"))
    other.close()

    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#save-status")).to_contain_text("All changes saved", timeout=10000)
    assert stored(draft)["strategy.actors"].value == "Typed while logged out"


def test_a_save_posted_after_the_session_ended_comes_back_after_logging_in(draft, live_server, page):
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}/assessments/{draft.id}/questions/strategy")
    page.evaluate("() => { window.fetch = () => new Promise(() => {}); }")  # no autosave: only the explicit Save
    page.context.clear_cookies()
    question(page, "strategy.actors").get_by_role("textbox").first.fill("Typed, then Save after the session ended")
    question(page, "strategy.kpis").get_by_label("4 – Established and monitored").check()
    page.get_by_role("button", name="Save", exact=True).first.click()

    expect(page.get_by_role("heading", name="Log in again to save your answers")).to_be_visible()
    expect(page.get_by_text("Typed, then Save after the session ended")).to_be_visible()
    page.get_by_role("link", name="Log in again").click()
    page.get_by_label("E-mail").fill("dk@example.org")
    page.get_by_label("Password", exact=True).fill("region-pass")
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(re.compile(r".*/questions/strategy$"))
    expect(page.locator("#draft-banner")).to_contain_text("had not been saved")
    expect(question(page, "strategy.actors").get_by_role("textbox").first).to_have_value(
        "Typed, then Save after the session ended")
    expect(page.locator("#save-status")).to_contain_text("All changes saved", timeout=10000)
    answers = stored(draft)
    assert answers["strategy.actors"].value == "Typed, then Save after the session ended"
    assert answers["strategy.kpis"].score == 4


def test_a_restored_draft_never_overwrites_a_newer_answer_silently(draft, live_server, page):
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}/assessments/{draft.id}/questions/strategy")
    page.evaluate("() => { window.fetch = () => new Promise(() => {}); }")
    question(page, "strategy.vision").get_by_label("1 – Nothing in place").check()  # kept as a draft only
    save_answers(draft, {"strategy.vision": AnswerData(score=5, comment="Hana's view")}, {"strategy.vision": Base(1)},
                 person("host@example.org"))
    db.session.commit()

    page.reload()  # the draft comes back, started from version 1; the server has version 2
    expect(page.locator("#draft-banner")).to_contain_text("Someone else changed 1 of these answers", timeout=10000)
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("Hana Host saved this answer")).to_be_visible()
    expect(question(page, "strategy.vision").get_by_label("1 – Nothing in place")).to_be_checked()
    question(page, "strategy.vision").get_by_label("Use the saved answer").check()
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert stored(draft)["strategy.vision"].score == 5


@pytest.mark.parametrize("width", [1280, 390])
def test_the_assessment_pages_have_no_axe_violations(draft, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, "dk@example.org")
    page.wait_for_url(f"{live_server}/dashboard")
    submitted = assessment_of("DK04", "aarhus-2017")
    for path in ["/dashboard", "/assessments/", f"/assessments/{draft.id}", f"/assessments/{draft.id}/questions/strategy",
                 f"/assessments/{draft.id}/questions/followup", f"/assessments/{draft.id}/submit",
                 f"/assessments/{draft.id}/compare", f"/assessments/{draft.id}/print",
                 f"/assessments/{draft.id}/workbook", f"/assessments/{submitted.id}",
                 f"/assessments/{submitted.id}/questions/strategy"]:
        page.goto(f"{live_server}{path}")
        assert_accessible(page, path)
