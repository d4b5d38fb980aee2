"""Self-assessment pages through the client: saving, locking, submit, reopen (who may do what, route
by route: test_assessment_access.py)."""
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eis_toolkit.assessments import queries
from eis_toolkit.assessments.services import Base, save_answers
from eis_toolkit.audit import AuditEvent
from eis_toolkit.extensions import db
from eis_toolkit.questionnaires.types import AnswerData
from tests.assessment_fixtures import (assessment_of, complete_answers, draft, drafted, person,  # noqa: F401
                                       sign_in)
from tests.conftest import csrf_token


def test_unknown_assessments_and_dimensions_are_not_found(client, draft, sign_in):
    sign_in("dk@example.org")
    assert client.get("/assessments/999999").status_code == 404
    assert client.get(f"/assessments/{draft.id}/questions/nothing").status_code == 404


# --- the questionnaire pages ------------------------------------------------------------------


def test_a_page_asks_every_question_of_its_dimension(client, draft, sign_in, core_definition):
    sign_in("dk@example.org")
    page = client.get(f"/assessments/{draft.id}/questions/strategy").get_data(as_text=True)
    assert "Dimension 1 of 8" in page and "Strategy and governance" in page
    for dimension in core_definition.dimensions:  # free navigation between dimensions
        assert f'/assessments/{draft.id}/questions/{dimension.key}"' in page
    for point, label in core_definition.scale.labels.items():  # every level with its wording
        assert f'name="strategy.kpis-answer" type="radio" value="{point}"' in page
        assert label["en"].partition(": ")[2] in page
    assert 'name="strategy.kpis-answer" type="radio" value="na"' in page and "N/A – not applicable" in page
    assert re.search(r'checked[^>]*name="strategy.vision-answer" type="radio" value="3"', page)
    assert page.count('-comment" rows="2">') == 8 and "Adopted in 2016</textarea>" in page
    assert 'name="strategy.vision-version" type="hidden" value="1"' in page
    assert 'inputmode="decimal"' in page  # strategy.budget, a number
    assert "12%" in page  # 1 of 8 answered in strategy


def test_pages_are_shown_in_the_persons_language(client, draft, sign_in):
    person("dk@example.org").language = "it"
    db.session.commit()
    sign_in("dk@example.org")
    page = client.get(f"/assessments/{draft.id}/questions/strategy").get_data(as_text=True)
    assert "Strategia e governance" in page and "Nulla in essere" in page


def _post(client, assessment, dimension="strategy", **fields):
    return client.post(f"/assessments/{assessment.id}/questions/{dimension}", data=fields)


def test_save_keeps_the_answers_and_goes_where_asked(client, draft, sign_in):
    sign_in("dk@example.org")
    response = _post(client, draft, **{"strategy.kpis-answer": "na", "strategy.kpis-comment": "Not ours",
                                       "strategy.kpis-version": "0", "strategy.budget-answer": "1 200 000",
                                       "strategy.budget-version": "0", "action": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/questions/outreach")
    stored = queries.answers_by_key(draft)
    assert (stored["strategy.kpis"].not_applicable, stored["strategy.kpis"].comment) == (True, "Not ours")
    assert stored["strategy.budget"].value == 1200000
    assert "Saved." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_invalid_input_saves_nothing_and_keeps_what_was_typed(client, draft, sign_in):
    sign_in("dk@example.org")
    response = _post(client, draft, **{"strategy.budget-answer": "about a million", "strategy.budget-version": "0",
                                       "strategy.actors-answer": "Chambers and the region",
                                       "strategy.actors-version": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved: 1 answer needs your attention" in page
    assert "&#39;about a million&#39; is not a number." in page and 'value="about a million"' in page
    assert "Chambers and the region</textarea>" in page
    assert "strategy.actors" not in queries.answers_by_key(draft)


def _someone_else_saves(assessment, **answers):
    save_answers(assessment, answers, {key: Base(queries.answers_by_key(assessment)[key].version
                                                 if key in queries.answers_by_key(assessment) else 0)
                                       for key in answers}, person("host@example.org"))
    db.session.commit()


def test_a_second_save_shows_both_values_side_by_side_and_overwrites_nothing(client, draft, sign_in):
    sign_in("dk@example.org")
    shown = AnswerData(score=3, comment="Adopted in 2016").digest()
    _someone_else_saves(draft, **{"strategy.vision": AnswerData(score=5, comment="Hana's view")})
    mine = {"strategy.vision-answer": "2", "strategy.vision-comment": "Dag's view", "strategy.vision-version": "1",
            "strategy.vision-digest": shown, "strategy.kpis-answer": "4", "strategy.kpis-version": "0"}
    response = _post(client, draft, **mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Hana Host saved this answer" in page and "Your answer" in page and "Saved answer" in page
    assert "Dag&#39;s view" in page and "Hana&#39;s view" in page
    assert re.search(r'checked[^>]*name="strategy.vision-answer" type="radio" value="2"', page), "my input kept"
    assert 'name="strategy.vision-version" type="hidden" value="2"' in page
    stored = queries.answers_by_key(draft)
    assert stored["strategy.vision"].score == 5 and "strategy.kpis" not in stored
    unresolved = _post(client, draft, **{**mine, "strategy.vision-version": "2", "strategy.vision-conflict": "2"})
    assert unresolved.status_code == 422 and "Choose which answer to keep." in unresolved.get_data(as_text=True)
    kept = _post(client, draft, **{**mine, "strategy.vision-version": "2", "strategy.vision-conflict": "2",
                                   "strategy.vision-digest": AnswerData(score=5, comment="Hana's view").digest(),
                                   "strategy.vision-resolve": "mine"})
    assert kept.status_code == 302
    stored = queries.answers_by_key(draft)
    assert (stored["strategy.vision"].score, stored["strategy.kpis"].score) == (2, 4)


def test_choosing_the_saved_answer_keeps_it(client, draft, sign_in):
    sign_in("dk@example.org")
    _someone_else_saves(draft, **{"strategy.vision": AnswerData(score=5)})
    response = _post(client, draft, **{"strategy.vision-answer": "2", "strategy.vision-version": "2",
                                       "strategy.vision-conflict": "2", "strategy.vision-resolve": "theirs"})
    assert response.status_code == 302
    assert queries.answers_by_key(draft)["strategy.vision"].score == 5


@pytest.mark.commits  # the other save is committed by another session in the middle of the request
def test_a_save_racing_past_the_check_is_shown_as_a_conflict(client, draft, sign_in, monkeypatch, elsewhere):
    from sqlalchemy.orm.exc import StaleDataError

    from eis_toolkit.assessments import views
    real = views.save_answers
    calls = []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            elsewhere(lambda: _someone_else_saves(assessment_of("DK04"), **{"strategy.vision": AnswerData(score=5)}))
            raise StaleDataError("UPDATE statement on table 'answer' expected to update 1 row(s); 0 were matched.")
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "save_answers", racing)
    sign_in("dk@example.org")
    response = _post(client, draft, **{"strategy.vision-answer": "2", "strategy.vision-version": "1"})
    assert response.status_code == 409 and "Hana Host saved this answer" in response.get_data(as_text=True)


def test_a_form_posted_after_the_session_ended_keeps_what_was_typed(client, draft):
    response = _post(client, draft, **{"strategy.kpis-answer": "4", "strategy.actors-answer": "Chambers",
                                       "strategy.actors-comment": "From memory"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Log in again to save your answers" in page
    assert "4 – Established and monitored" in page and "Chambers" in page and "From memory" in page
    assert f'/login?next=/assessments/{draft.id}/questions/strategy' in page
    assert "strategy.actors" not in queries.answers_by_key(draft)


def test_a_stale_csrf_token_saves_nothing_and_keeps_the_input(make_app, drafted):
    assessment = assessment_of("DK04")
    client = make_app(WTF_CSRF_ENABLED=True).test_client()  # each request in its own app context
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "dk@example.org", "password": "region-pass", "csrf_token": token})
    url = f"/assessments/{assessment.id}/questions/strategy"
    fields = {"strategy.actors-answer": "Typed before the session was renewed", "strategy.actors-version": "0"}
    response = client.post(url, data={**fields, "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Your session was renewed" in page
    assert "Typed before the session was renewed</textarea>" in page
    assert client.post(url, data={**fields, "csrf_token": csrf_token(page)}).status_code == 302
    assert queries.answers_by_key(assessment)["strategy.actors"].value == "Typed before the session was renewed"
    autosave = client.post(url + "/autosave", data={**fields, "csrf_token": "stale"})
    assert (autosave.status_code, autosave.json["status"]) == (400, "csrf")
    fresh = client.get("/assessments/session").json["csrf_token"]
    assert client.post(url + "/autosave", data={**fields, "csrf_token": fresh}).status_code == 200


# --- autosave ---------------------------------------------------------------------------------


def _autosave(client, assessment, **fields):
    return client.post(f"/assessments/{assessment.id}/questions/strategy/autosave", data=fields)


def test_autosave_saves_and_returns_the_new_versions(client, draft, sign_in):
    sign_in("dk@example.org")
    response = _autosave(client, draft, **{"strategy.kpis-answer": "2", "strategy.kpis-version": "0",
                                           "strategy.budget-answer": "lots", "strategy.budget-version": "0"})
    assert response.status_code == 200
    assert response.json["status"] == "saved"
    assert response.json["answers"] == {"strategy.kpis": {"version": 1, "digest": AnswerData(score=2).digest()}}
    assert response.json["problems"] == {"strategy.budget": "'lots' is not a number"}


def test_autosave_when_logged_out_answers_401_json_not_a_redirect(client, draft):
    response = _autosave(client, draft, **{"strategy.kpis-answer": "2"})
    assert response.status_code == 401 and response.is_json
    assert response.json["status"] == "logged_out"
    assert response.json["login_url"] == f"/login?next=/assessments/{draft.id}/questions/strategy"
    assert client.get("/assessments/session").status_code == 401


def test_autosave_reports_a_conflict_and_saves_nothing(client, draft, sign_in):
    sign_in("dk@example.org")
    _someone_else_saves(draft, **{"strategy.vision": AnswerData(score=5)})
    response = _autosave(client, draft, **{"strategy.vision-answer": "1", "strategy.vision-version": "1",
                                           "strategy.kpis-answer": "3", "strategy.kpis-version": "0"})
    assert response.status_code == 409 and response.json["status"] == "conflict"
    assert response.json["questions"] == [
        "The region has a written strategy or action plan for SME internationalisation, with objectives, "
        "priority markets and priority sectors."]
    assert "strategy.kpis" not in queries.answers_by_key(draft)


def test_autosave_of_what_is_already_stored_reports_the_stored_version(client, draft, sign_in):
    """A second tab saving the same draft: nothing to write, and the page learns the version it now has."""
    sign_in("dk@example.org")
    _someone_else_saves(draft, **{"strategy.kpis": AnswerData(score=2)})
    response = _autosave(client, draft, **{"strategy.kpis-answer": "2", "strategy.kpis-version": "0"})
    assert response.status_code == 200
    assert response.json["answers"] == {"strategy.kpis": {"version": 1, "digest": AnswerData(score=2).digest()}}


def _racing_autosave(monkeypatch, elsewhere, their_answer):
    """save_answers as if another request committed ``their_answer`` just before this one flushed."""
    from eis_toolkit.assessments import views
    real, calls = views.save_answers, []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            elsewhere(lambda: _someone_else_saves(assessment_of("DK04"), **{"strategy.actors": their_answer}))
            raise IntegrityError("INSERT INTO answer", {}, Exception("UNIQUE constraint failed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "save_answers", racing)
    return calls


@pytest.mark.commits  # the other save is committed by another session in the middle of the request
def test_autosave_that_loses_a_race_to_the_same_answer_is_saved(client, draft, sign_in, monkeypatch, elsewhere):
    calls = _racing_autosave(monkeypatch, elsewhere, AnswerData(value="Typed in two tabs"))
    sign_in("dk@example.org")
    response = _autosave(client, draft, **{"strategy.actors-answer": "Typed in two tabs", "strategy.actors-version": "0",
                                           "strategy.kpis-answer": "3", "strategy.kpis-version": "0"})
    assert (response.status_code, len(calls)) == (200, 2)
    stored = queries.answers_by_key(assessment_of("DK04"))
    assert stored["strategy.kpis"].score == 3 and stored["strategy.actors"].value == "Typed in two tabs"
    assert response.json["answers"]["strategy.actors"]["version"] == stored["strategy.actors"].version


@pytest.mark.commits
def test_autosave_that_loses_a_race_to_another_answer_is_a_conflict(client, draft, sign_in, monkeypatch, elsewhere):
    _racing_autosave(monkeypatch, elsewhere, AnswerData(value="Hana's wording"))
    sign_in("dk@example.org")
    response = _autosave(client, draft, **{"strategy.actors-answer": "Dag's wording", "strategy.actors-version": "0",
                                           "strategy.kpis-answer": "3", "strategy.kpis-version": "0"})
    assert response.status_code == 409 and response.json["status"] == "conflict"
    stored = queries.answers_by_key(assessment_of("DK04"))
    assert stored["strategy.actors"].value == "Hana's wording" and "strategy.kpis" not in stored


# --- submit, read-only, reopen ----------------------------------------------------------------


def test_submit_lists_what_is_missing_with_links(client, draft, sign_in):
    sign_in("dk@example.org")
    page = client.get(f"/assessments/{draft.id}/submit").get_data(as_text=True)
    assert "36 required questions still to answer" in page
    assert f'href="/assessments/{draft.id}/questions/strategy#q-strategy.coordination"' in page
    assert "strategy.vision" not in page
    response = client.post(f"/assessments/{draft.id}/submit")
    assert response.status_code == 422 and "36 required questions are not answered yet." in response.get_data(
        as_text=True)
    assert draft.status == "draft"


def _complete(assessment):
    save_answers(assessment, complete_answers(queries.definition(assessment)), {"strategy.vision": Base(1)},
                 person("dk@example.org"))
    db.session.commit()


def test_a_submitted_assessment_is_read_only(client, draft, sign_in):
    _complete(draft)
    sign_in("dk@example.org")
    assert "Ready to submit" in client.get(f"/assessments/{draft.id}/submit").get_data(as_text=True)
    response = client.post(f"/assessments/{draft.id}/submit")
    assert response.status_code == 302 and response.headers["Location"] == f"/assessments/{draft.id}"
    overview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Submitted. The self-assessment is now read-only." in overview
    assert "submitted by Dag Member" in overview and "About strategy.actors" in overview
    page = client.get(f"/assessments/{draft.id}/questions/strategy").get_data(as_text=True)
    assert "this self-assessment is read-only" in page
    assert 'id="assessment-form"' not in page and "<textarea" not in page and 'type="radio"' not in page
    assert "2 – Ad hoc or planned" in page
    assert _post(client, draft, **{"strategy.kpis-answer": "5"}).status_code == 403


def test_a_host_reopens_with_a_reason_kept_in_the_history(client, draft, sign_in):
    _complete(draft)
    sign_in("dk@example.org")
    client.post(f"/assessments/{draft.id}/submit")
    client.post("/logout")
    sign_in("ho@example.org")
    refused = client.post(f"/assessments/{draft.id}/reopen", data={"reason": "  "})
    assert refused.status_code == 422 and "Say why the self-assessment is reopened." in refused.get_data(as_text=True)
    response = client.post(f"/assessments/{draft.id}/reopen", data={"reason": "The budget is for 2016"})
    assert response.status_code == 302
    page = client.get(f"/assessments/{draft.id}").get_data(as_text=True)
    assert "reopened by Holger Host: “The budget is for 2016”" in page and "submitted by Dag Member" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.reopen"))
    assert (event.user.email, event.detail) == ("ho@example.org", {"reason": "The budget is for 2016"})
    assert draft.status == "draft"


# --- print, compare, dashboard ----------------------------------------------------------------


def test_the_print_view_shows_every_dimension_and_answer(client, draft, sign_in, core_definition):
    sign_in("it@example.org")
    page = client.get(f"/assessments/{draft.id}/print").get_data(as_text=True)
    for dimension in core_definition.dimensions:
        assert dimension.title["en"] in page
    assert "3 – Implemented but partial" in page and "Adopted in 2016" in page and 'id="print-button"' in page


def test_compare_shows_the_previous_answers_beside_the_current_ones(client, draft, sign_in):
    sign_in("dk@example.org")
    assert "Compare with the previous self-assessment" in client.get(f"/assessments/{draft.id}").get_data(
        as_text=True)
    page = client.get(f"/assessments/{draft.id}/compare").get_data(as_text=True)
    assert "Aarhus workshop" in page
    row = page.split("The region has a written strategy")[1].split("</tr>")[0]
    assert "4 – Established and monitored" in row and "3 – Implemented but partial" in row and "-1" in row
    assert "540,000 EUR per year" in page
    ie = client.get(f"/assessments/{assessment_of('IE04').id}/compare")
    assert ie.status_code == 403


def test_compare_says_so_when_there_is_nothing_earlier(client, drafted, sign_in):
    sign_in("ie@example.org")
    page = client.get(f"/assessments/{assessment_of('IE04').id}/compare").get_data(as_text=True)
    assert "has no earlier self-assessment to compare with" in page


def test_the_dashboard_shows_status_completion_due_date_and_next_step(client, draft, sign_in):
    sign_in("dk@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    odense = page.split("Odense workshop")[1].split("assessment-card")[0]
    assert "draft" in odense and "workshop starts May 2, 2018" in odense
    assert 'aria-label="Strategy and governance: 12% answered"' in odense
    assert "36 required questions left." in odense
    assert f'href="/assessments/{draft.id}/questions/strategy">Continue: Strategy and governance' in odense
    aarhus = page.split("Aarhus workshop")[1]
    assert "Submitted on" in aarhus and "View the answers" in aarhus


def _grow(assessment, evidence: int, by: str):
    """Answer everything and attach files: the pages must not run more queries for it."""
    from eis_toolkit.assessments.services import add_evidence
    from eis_toolkit.assessments.uploads import StoredFile
    definition = queries.definition(assessment)
    stored = queries.answers_by_key(assessment)
    answers = {key: AnswerData(data.score, data.not_applicable, data.value, f"{data.comment} ({by})")
               for key, data in complete_answers(definition).items()}
    save_answers(assessment, answers, {key: Base(stored[key].version if key in stored else 0) for key in answers},
                 person(by))
    for n in range(evidence):
        add_evidence(assessment, "strategy.kpis", StoredFile(f"f{n}.pdf", f"{len(by):02x}{n:030x}",
                                                             "application/pdf", 10, None), person(by))
    db.session.commit()


@pytest.mark.parametrize("path", ["/dashboard", "/assessments/", "/assessments/A", "/assessments/A/questions/strategy",
                                  "/assessments/A/print", "/assessments/A/compare", "/assessments/A/submit"])
def test_pages_run_the_same_number_of_queries_however_many_answers(client, draft, sign_in, count_queries, path):
    sign_in("dk@example.org")
    path = path.replace("/A", f"/{draft.id}")
    _grow(draft, evidence=1, by="dk@example.org")
    with count_queries() as few:
        assert client.get(path).status_code == 200
    _grow(draft, evidence=5, by="host@example.org")
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few), "\n".join(many)


def test_the_dashboard_runs_the_same_number_of_queries_however_many_assessments(client, drafted, load, sign_in,
                                                                              count_queries):
    sign_in("dk@example.org")
    db.session.commit()
    with count_queries() as few:
        client.get("/dashboard")
    for year in (2019, 2020, 2021):
        drafted["workshops"].append({
            "slug": f"vejle-{year}", "title": f"Vejle {year}", "questionnaire": "eis-core@1", "host": "DK04",
            "place": "Vejle", "starts": f"{year}-05-02", "ends": f"{year}-05-03", "hot_seat": ["DK04"],
            "assessments": [{"region": "DK04", "answers": {"strategy.kpis": {"score": 2}, "strategy.budget": {
                "value": 1000}}}]})
    load(drafted)  # commits
    with count_queries() as many:
        page = client.get("/dashboard").get_data(as_text=True)
    assert page.count('class="assessment-card"') == 5
    assert len(many) == len(few), "\n".join(many)
