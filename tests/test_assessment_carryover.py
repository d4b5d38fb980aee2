"""A new round of self-assessment starting from the region's previous one (same questionnaire key).

The fixture ``rounds`` registers eis-core@2 (``strategy.kpis`` removed, ``strategy.lead_body``
without its first option, levels worded "Not started: …") and adds a workshop in 2019 on it, where DK04 and IE04 have empty drafts;
DK04's Aarhus 2017 self-assessment (eis-core@1, submitted) is the one to start from. IE04 has none.
eis-core@3 (worded as @2, ``strategy.actors`` removed too) has a 2021 workshop where DK04 has an
empty draft: last round's workbook (exported from the 2019 one) is uploaded there.
"""
from __future__ import annotations

import copy
import re

import pytest
from sqlalchemy import select

from eis_toolkit.assessments import queries
from eis_toolkit.assessments.models import Answer, AssessmentStatus
from eis_toolkit.audit import AuditEvent
from eis_toolkit.extensions import db
from eis_toolkit.questionnaires.schema import QuestionnaireDef
from eis_toolkit.questionnaires.services import register
from eis_toolkit.questionnaires.types import AnswerData, question_type
from eis_toolkit.assessments.services import save_answers
from tests.assessment_fixtures import (HOST_ONLY, assessment_of, complete_answers, drafted,  # noqa: F401
                                       person, sign_in)
from tests.conftest import hand_over

AARHUS_ANSWERS = {
    "strategy.vision": {"score": 4, "comment": "Written strategy"},
    "strategy.budget": {"value": 540000},
    "strategy.kpis": {"score": "N/A", "comment": "Outside our remit"},
    "strategy.actors": {"value": "Chambers of commerce"},
    "outreach.single_entry": {"score": 3},
}


#: Levels whose wording starts with a word, not with their number.
WORDED = {"1": "Not started: nothing in place", "2": "Planned: plans or isolated actions",
          "3": "Partial: a service runs with gaps", "4": "Established: monitored against targets",
          "5": "Good practice: evaluated and transferable"}


def _variant(definition: QuestionnaireDef, key: str, version: int, drop=("strategy.kpis",),
             worded: bool = False) -> QuestionnaireDef:
    data = copy.deepcopy(definition.to_dict())
    data.update(key=key, version=version)
    if worded:
        data["scale"]["labels"] = {point: {"en": text} for point, text in WORDED.items()}
    for dimension in data["dimensions"]:
        dimension["questions"] = [q for q in dimension["questions"] if q["key"] not in drop]
        for question in dimension["questions"]:
            if question["key"] == "strategy.lead_body":
                question["options"] = question["options"][1:]
    return QuestionnaireDef.from_dict(data)


def _workshop(bundle, slug: str, questionnaire: str, starts: str, regions=("DK04", "IE04")) -> dict:
    return {"slug": slug, "title": f"Workshop {slug}", "questionnaire": questionnaire, "host": "DK04",
            "place": "Odense", "starts": starts, "ends": starts, "status": "open", "hot_seat": list(regions),
            "assessments": [{"region": code, "status": "draft"} for code in regions]}


@pytest.fixture
def rounds(load, bundle, core_definition):
    register(_variant(core_definition, "eis-core", 2, worded=True))
    register(_variant(core_definition, "eis-lite", 1, drop=()))
    register(_variant(core_definition, "eis-core", 3, drop=("strategy.kpis", "strategy.actors"), worded=True))
    db.session.commit()
    lead_body = core_definition.question("strategy.lead_body").options[0].key
    bundle["workshops"][0]["assessments"][0]["answers"] = dict(
        AARHUS_ANSWERS, **{"strategy.lead_body": {"value": lead_body}})
    bundle["people"].append(dict(HOST_ONLY))
    bundle["workshops"].append(_workshop(bundle, "odense-2019", "eis-core@2", "2019-05-02"))
    bundle["workshops"].append(_workshop(bundle, "lite-2020", "eis-lite@1", "2020-05-02", regions=("DK04",)))
    bundle["workshops"].append(_workshop(bundle, "vejle-2021", "eis-core@3", "2021-05-02", regions=("DK04",)))
    load(bundle)
    return assessment_of("DK04", "odense-2019")


def _carry(client, assessment):
    return client.post(f"/assessments/{assessment.id}/carry-over")


def _overview(client, assessment) -> str:
    return client.get(f"/assessments/{assessment.id}").get_data(as_text=True)


OFFER = "Start from your previous self-assessment (Aarhus workshop, "


def test_an_empty_draft_offers_the_previous_self_assessment_to_its_members_only(client, rounds, sign_in):
    sign_in("dk@example.org")
    assert OFFER in _overview(client, rounds)
    client.post("/logout")
    sign_in("ho@example.org")  # a host of DK04, not a region member: can look, cannot start from it
    assert OFFER not in _overview(client, rounds)


def test_starting_from_the_previous_one_copies_answers_as_carried_over_and_lists_what_is_gone(
        client, rounds, sign_in):
    sign_in("dk@example.org")
    response = _carry(client, rounds)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4 answers were carried over from Aarhus workshop." in page
    assert "2 earlier answers were not carried over" in page
    assert "strategy.kpis: the question no longer exists" in page
    assert "strategy.lead_body: " in page  # its option was removed from eis-core@2
    stored = queries.answers_by_key(rounds)
    aarhus = assessment_of("DK04", "aarhus-2017")
    assert set(stored) == {"strategy.vision", "strategy.budget", "strategy.actors", "outreach.single_entry"}
    assert {a.carried_from_id for a in stored.values()} == {aarhus.id}
    assert AnswerData.of(stored["strategy.vision"]) == AnswerData(score=4, comment="Written strategy")
    assert AnswerData.of(stored["strategy.budget"]) == AnswerData(value=540000)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.carry_over"))
    assert (event.object_id, event.user.email) == (rounds.id, "dk@example.org")
    assert event.detail["copied"] == 4 and event.detail["source"] == aarhus.id
    assert event.detail["dropped"] == ["strategy.kpis", "strategy.lead_body"]
    overview = _overview(client, rounds)
    assert "0 confirmed, 4 carried over" in overview and OFFER not in overview
    assert "started from the self-assessment of Aarhus workshop by Dag Member" in overview
    strategy = client.get(f"/assessments/{rounds.id}/questions/strategy").get_data(as_text=True)
    assert strategy.count("Carried over from Aarhus workshop") == 3
    assert "3 answers on this page are carried over" in strategy


@pytest.mark.parametrize("email, expected", [
    (None, 302), ("ie@example.org", 403), ("it@example.org", 403), ("ho@example.org", 403),
    ("admin@example.org", 403)])
def test_only_the_regions_members_may_start_from_the_previous_one(client, rounds, sign_in, email, expected):
    sign_in(email)
    response = _carry(client, rounds)
    assert response.status_code in ((302, 401) if expected == 302 else (expected,))
    assert not queries.answers_by_key(rounds)


def test_a_draft_with_answers_is_refused_with_409(client, drafted, sign_in):
    sign_in("dk@example.org")
    odense = assessment_of("DK04")  # has one answer, and Aarhus (same key) before it
    assert OFFER not in _overview(client, odense)
    response = _carry(client, odense)
    assert response.status_code == 409
    assert "already has answers" in response.get_data(as_text=True)
    assert set(queries.answers_by_key(odense)) == {"strategy.vision"}


def test_a_submitted_self_assessment_is_refused_with_409(client, rounds, sign_in):
    rounds.status = AssessmentStatus.SUBMITTED
    db.session.commit()
    sign_in("dk@example.org")
    response = _carry(client, rounds)
    assert response.status_code == 409 and "submitted and read-only" in response.get_data(as_text=True)
    assert not queries.answers_by_key(rounds)


def test_another_regions_previous_self_assessment_is_never_used(client, rounds, sign_in):
    sign_in("ie@example.org")
    ireland = assessment_of("IE04", "odense-2019")  # IE04 has no earlier one; DK04's is not offered
    assert "Start from your previous self-assessment" not in _overview(client, ireland)
    response = _carry(client, ireland)
    assert response.status_code == 409 and "no earlier self-assessment of your region" in response.get_data(
        as_text=True)
    assert not queries.answers_by_key(ireland)


def test_another_questionnaire_key_is_not_offered(client, rounds, sign_in):
    sign_in("dk@example.org")
    lite = assessment_of("DK04", "lite-2020")  # eis-lite@1: DK04's earlier ones are eis-core
    assert "Start from your previous self-assessment" not in _overview(client, lite)
    assert _carry(client, lite).status_code == 409
    assert not queries.answers_by_key(lite)


def test_the_same_version_carries_everything_over(client, drafted, sign_in):
    sign_in("ie@example.org")
    ireland = assessment_of("IE04")  # IE04: no earlier assessment in the small bundle
    assert _carry(client, ireland).status_code == 409
    client.post("/logout")
    aarhus = assessment_of("DK04", "aarhus-2017")
    odense = assessment_of("DK04")
    for answer in list(odense.answers):
        db.session.delete(answer)
    db.session.commit()
    sign_in("dk@example.org")
    assert OFFER in _overview(client, odense)
    page = _carry(client, odense).get_data(as_text=True)
    assert "2 answers were carried over from Aarhus workshop." in page and "not carried over" not in page
    stored = queries.answers_by_key(odense)
    assert {key: a.carried_from_id for key, a in stored.items()} == {"strategy.vision": aarhus.id,
                                                                     "strategy.budget": aarhus.id}
    assert _carry(client, odense).status_code == 409  # once only


def _page_post(assessment, definition, dimension, **changes) -> dict:
    """What the browser posts for a page showing the stored answers, with ``changes`` typed in."""
    stored = queries.answers_by_key(assessment)
    fields = {}
    page = next(d for d in definition.dimensions if d.key == dimension)
    for question in page.questions:
        answer = stored.get(question.key)
        data = AnswerData.of(answer)
        value = question_type(question).form_value(data)
        fields[f"{question.key}-answer"] = "" if value is None else value
        fields[f"{question.key}-comment"] = data.comment
        fields[f"{question.key}-version"] = str(answer.version if answer else 0)
        fields[f"{question.key}-digest"] = data.digest()
    for key, value in changes.items():
        fields[f"{key}-answer"] = value
    return fields


def test_autosave_confirms_what_changed_and_save_confirms_the_page(client, rounds, sign_in):
    sign_in("dk@example.org")
    _carry(client, rounds)
    definition = queries.definition(rounds)
    response = client.post(f"/assessments/{rounds.id}/questions/strategy/autosave",
                           data=_page_post(rounds, definition, "strategy", **{"strategy.vision": "5"}))
    assert response.json["status"] == "saved"
    carried = {key for key, a in queries.answers_by_key(rounds).items() if a.carried_from_id}
    assert carried == {"strategy.budget", "strategy.actors", "outreach.single_entry"}
    assert "1 confirmed, 3 carried over" in _overview(client, rounds)
    response = client.post(f"/assessments/{rounds.id}/questions/strategy",
                           data=_page_post(rounds, definition, "strategy") | {"action": "save"})
    assert response.status_code == 302
    stored = queries.answers_by_key(rounds)
    assert {key for key, a in stored.items() if a.carried_from_id} == {"outreach.single_entry"}
    assert stored["strategy.budget"].value == 540000 and stored["strategy.vision"].score == 5
    assert "3 confirmed, 1 carried over" in _overview(client, rounds)


def test_a_save_confirms_only_the_answers_it_was_shown(client, rounds, sign_in):
    sign_in("dk@example.org")
    _carry(client, rounds)
    definition = queries.definition(rounds)
    fields = _page_post(rounds, definition, "strategy")
    fields["strategy.budget-version"] = "7"  # the page showed another version than is stored
    client.post(f"/assessments/{rounds.id}/questions/strategy", data=fields | {"action": "save"})
    assert queries.answers_by_key(rounds)["strategy.budget"].carried_from_id is not None


def test_submitting_with_carried_over_answers_asks_that_they_still_hold(client, rounds, sign_in):
    sign_in("dk@example.org")
    _carry(client, rounds)
    definition = queries.definition(rounds)
    stored = queries.answers_by_key(rounds)
    rest = {key: data for key, data in complete_answers(definition).items() if key not in stored}
    save_answers(rounds, rest, {}, person("dk@example.org"))  # the rest answered, as if typed
    db.session.commit()
    page = client.get(f"/assessments/{rounds.id}/submit").get_data(as_text=True)
    assert "4 answers are still carried over from the previous self-assessment" in page
    refused = client.post(f"/assessments/{rounds.id}/submit")
    assert refused.status_code == 422
    assert "confirm that they still hold before you submit" in refused.get_data(as_text=True)
    assert rounds.status == AssessmentStatus.DRAFT
    done = client.post(f"/assessments/{rounds.id}/submit", data={"carried_still_hold": "y"})
    assert done.status_code == 302
    assert db.session.get(type(rounds), rounds.id).status == AssessmentStatus.SUBMITTED
    assert not db.session.scalars(select(Answer).where(Answer.assessment_id == rounds.id,
                                                       Answer.carried_from_id.is_not(None))).all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.submit"))
    assert event.detail == {"confirmed_carried": 4}


def test_the_questionnaire_page_with_carried_answers_costs_one_query_more(client, rounds, sign_in, count_queries):
    sign_in("dk@example.org")
    _carry(client, rounds)
    url = f"/assessments/{rounds.id}/questions/strategy"
    client.get(url)
    with count_queries() as carried:
        assert "Carried over from Aarhus workshop" in client.get(url).get_data(as_text=True)
    for answer in db.session.scalars(select(Answer).where(Answer.assessment_id == rounds.id)):
        answer.carried_from_id = None
    db.session.commit()
    with count_queries() as confirmed:
        assert "Carried over from" not in client.get(url).get_data(as_text=True)
    assert (len(carried), len(confirmed)) == (6, 5)  # the workshops they come from: one query


# --- last round's workbook into the new round --------------------------------------------------


@pytest.fixture
def next_round(rounds, client, sign_in):
    """DK04's 2019 self-assessment started from 2017's and submitted; its empty 2021 draft (@3).
    Returns (2019, 2021)."""
    sign_in("dk@example.org")
    _carry(client, rounds)
    stored = queries.answers_by_key(rounds)
    save_answers(rounds, {"strategy.coordination": AnswerData(score=2, comment="Two agencies")}
                 | {"strategy.sme_involvement": AnswerData(not_applicable=True)},
                 {}, person("dk@example.org"))
    rounds.status = AssessmentStatus.SUBMITTED
    db.session.commit()
    assert set(stored) >= {"strategy.vision", "strategy.actors"}
    return rounds, assessment_of("DK04", "vejle-2021")


def _download(client, assessment) -> bytes:
    response = client.get(f"/assessments/{assessment.id}/workbook.xlsx")
    assert response.status_code == 200
    return response.data


def _upload(client, assessment, data: bytes):
    import io
    return client.post(f"/assessments/{assessment.id}/workbook",
                       data={"workbook": (io.BytesIO(data), "workbook.xlsx")}, content_type="multipart/form-data")


def _changed(data: bytes, **cells) -> bytes:
    import io

    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    for address, value in cells.items():
        sheet, cell = address.split("!")
        book[sheet.replace("_", " ")][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_last_rounds_untouched_workbook_brings_its_answers_over_by_question_key(client, next_round):
    earlier, new = next_round
    data = _download(client, earlier)
    from openpyxl import load_workbook
    import io
    strategy = load_workbook(io.BytesIO(data))["Strategy and governance"]
    assert strategy["D5"].value == "Established: monitored against targets"  # a level worded with a word first
    response = _upload(client, new, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This is the workbook of an earlier self-assessment (eis-core@2)" in page
    assert ("1 answer of that workbook was left out: sheet &#39;Strategy and governance&#39;, row 11 "
            "(strategy.actors): the question no longer exists") in page
    before = {key: AnswerData.of(a) for key, a in queries.answers_by_key(earlier).items()}
    after = {key: AnswerData.of(a) for key, a in queries.answers_by_key(new).items()}
    assert after == {key: data for key, data in before.items() if key != "strategy.actors"}
    assert after["strategy.vision"] == AnswerData(score=4, comment="Written strategy")
    assert after["strategy.sme_involvement"] == AnswerData(not_applicable=True)


def test_last_rounds_workbook_with_changes_is_read_by_wording(client, next_round):
    earlier, new = next_round
    data = _changed(_download(client, earlier), **{"Strategy_and_governance!D5": "Good practice",
                                                   "Strategy_and_governance!D6": "Partial: a service runs with gaps",
                                                   "Strategy_and_governance!E6": "Now one agency"})
    assert _upload(client, new, data).status_code == 302
    stored = queries.answers_by_key(new)
    assert stored["strategy.vision"].score == 5
    assert AnswerData.of(stored["strategy.coordination"]) == AnswerData(score=3, comment="Now one agency")


def test_a_faulty_row_in_last_rounds_workbook_writes_nothing(client, next_round):
    earlier, new = next_round
    data = _changed(_download(client, earlier), **{"Strategy_and_governance!D5": "Excellent",
                                                   "Strategy_and_governance!D10": "lots"})
    response = _upload(client, new, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was saved: 2 problems in the workbook" in page
    assert "&#39;Excellent&#39; is not a level from 1 to 5 or N/A" in page
    assert not queries.answers_by_key(new)


def test_last_rounds_workbook_never_overwrites_an_answer_of_the_new_round(client, next_round):
    earlier, new = next_round
    save_answers(new, {"strategy.vision": AnswerData(score=1, comment="Start again")}, {}, person("dk@example.org"))
    db.session.commit()
    response = _upload(client, new, _download(client, earlier))
    assert response.status_code == 409 and "Choose" in response.get_data(as_text=True)
    stored = queries.answers_by_key(new)
    assert set(stored) == {"strategy.vision"} and stored["strategy.vision"].score == 1


def test_a_workbook_of_another_region_or_questionnaire_key_is_refused(client, next_round, sign_in):
    earlier, new = next_round
    ireland = assessment_of("IE04", "odense-2019")
    ours = _download(client, earlier)
    client.post("/logout")
    sign_in("ie@example.org")
    theirs = _download(client, ireland)
    client.post("/logout")
    sign_in("dk@example.org")
    refused = _upload(client, new, theirs)
    assert refused.status_code == 422 and ("neither this one nor an earlier one of your region"
                                           in refused.get_data(as_text=True))
    lite = assessment_of("DK04", "lite-2020")
    refused = _upload(client, lite, ours)
    assert refused.status_code == 422 and "this workbook is for questionnaire eis-core@2, not eis-lite@1" in (
        refused.get_data(as_text=True))
    assert not queries.answers_by_key(new) and not queries.answers_by_key(lite)


# --- in the browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_starts_from_the_previous_one_checks_a_page_and_submits(rounds, live_server, page, width):
    import os

    from playwright.sync_api import expect

    from tests.conftest import assert_accessible, log_in
    shots = os.environ.get("EIS_SHOTS")  # a folder: keep screenshots of the pages to look at

    def shot(name):
        if shots:
            page.screenshot(path=f"{shots}/carryover-{name}-{width}.png", full_page=True)

    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "dk@example.org")
    page.goto(f"{live_server}/assessments/{rounds.id}")
    shot("offer")
    assert_accessible(page, "the overview offering the previous self-assessment")
    page.get_by_role("button", name=re.compile(r"Start from your previous self-assessment \(Aarhus workshop")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Started from the previous self-assessment")
    expect(page.get_by_text("4 answers were carried over from Aarhus workshop.")).to_be_visible()
    shot("result")
    assert_accessible(page, "the list of what was carried over")
    page.get_by_role("link", name="Check the answers: Strategy and governance").click()
    expect(page.locator('[id="q-strategy.vision"]').get_by_text("Carried over from Aarhus workshop")).to_be_visible()
    shot("page")
    assert_accessible(page, "a page with carried-over answers")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_text("Carried over from Aarhus workshop")).to_have_count(0)
    hand_over()  # the live server's request committed: read what it stored
    given = queries.answers_by_key(rounds)  # outreach.single_entry stays carried over
    rest = {key: data for key, data in complete_answers(queries.definition(rounds)).items() if key not in given}
    save_answers(rounds, rest, {}, person("dk@example.org"))
    db.session.commit()
    page.goto(f"{live_server}/assessments/{rounds.id}/submit")
    checkbox = page.get_by_label("The answers carried over from the previous self-assessment still hold")
    expect(checkbox).to_be_visible()
    shot("submit")
    assert_accessible(page, "submit with an answer still carried over")
    checkbox.check()
    page.get_by_role("button", name="Submit the self-assessment").click()
    expect(page.get_by_text("Submitted. The self-assessment is now read-only.")).to_be_visible()
