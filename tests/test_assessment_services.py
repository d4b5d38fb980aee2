"""Self-assessment services, called directly: saving, locking, submit rules, reopening, progress."""
import pytest
from sqlalchemy import select

from eis_toolkit.assessments import queries
from eis_toolkit.assessments.progress import AnswerState, Step, next_step, progress
from eis_toolkit.assessments.services import (AssessmentError, Base, IncompleteAssessment, SaveConflict,
                                              add_evidence, remove_evidence, reopen, save_answers, submit)
from eis_toolkit.assessments.uploads import StoredFile
from eis_toolkit.audit import AuditEvent
from eis_toolkit.extensions import db
from eis_toolkit.models import Answer
from eis_toolkit.questionnaires.services import definition_of
from eis_toolkit.questionnaires.types import AnswerData
from tests.assessment_fixtures import assessment_of, complete_answers, draft, drafted, person  # noqa: F401


def stored(assessment) -> dict[str, AnswerData]:
    return {key: AnswerData.of(a) for key, a in queries.answers_by_key(assessment).items()}


def version(assessment, key) -> int:
    return queries.answers_by_key(assessment)[key].version


def test_a_stored_definition_is_parsed_once(draft):
    first = definition_of(draft.questionnaire)
    assert definition_of(draft.questionnaire) is first
    assert first.ref == "eis-core@1"


def test_saving_creates_and_updates_answers_and_counts_versions(draft):
    dk = person("dk@example.org")
    saved = save_answers(draft, {"strategy.kpis": AnswerData(score=2, comment="No targets yet"),
                                 "strategy.vision": AnswerData(score=4)},
                         {"strategy.kpis": Base(0), "strategy.vision": Base(1)}, dk)
    db.session.commit()
    assert set(saved) == {"strategy.kpis", "strategy.vision"}
    assert stored(draft)["strategy.kpis"] == AnswerData(score=2, comment="No targets yet")
    assert (version(draft, "strategy.kpis"), version(draft, "strategy.vision")) == (1, 2)
    assert queries.answers_by_key(draft)["strategy.kpis"].updated_by == dk


def test_an_answer_saved_as_it_is_stored_is_not_written_again(draft):
    assert save_answers(draft, {"strategy.vision": AnswerData(score=3, comment="Adopted in 2016")},
                        {"strategy.vision": Base(0)}, person("dk@example.org")) == {}
    assert version(draft, "strategy.vision") == 1


def test_a_changed_answer_whose_version_moved_on_is_a_conflict_with_both_values(draft):
    dk, host = person("dk@example.org"), person("host@example.org")
    shown = AnswerData(score=3, comment="Adopted in 2016")
    save_answers(draft, {"strategy.vision": AnswerData(score=5, comment="Host's view")},
                 {"strategy.vision": Base(1, shown.digest())}, host)
    db.session.commit()
    with pytest.raises(SaveConflict) as raised:
        save_answers(draft, {"strategy.vision": AnswerData(score=2, comment="Mine"),
                             "strategy.kpis": AnswerData(score=1)},
                     {"strategy.vision": Base(1, shown.digest()), "strategy.kpis": Base(0)}, dk)
    db.session.rollback()
    [conflict] = raised.value.conflicts
    assert conflict.key == "strategy.vision"
    assert conflict.yours == AnswerData(score=2, comment="Mine")
    assert conflict.theirs == AnswerData(score=5, comment="Host's view")
    assert (conflict.version, conflict.by) == (2, "Hana Host")
    assert "strategy.kpis" not in stored(draft), "nothing of a conflicting save is written"
    assert stored(draft)["strategy.vision"].score == 5


def test_answers_the_person_did_not_change_keep_what_someone_else_saved_meanwhile(draft):
    shown = AnswerData(score=3, comment="Adopted in 2016")
    save_answers(draft, {"strategy.vision": AnswerData(score=5)}, {"strategy.vision": Base(1)},
                 person("host@example.org"))
    saved = save_answers(draft, {"strategy.vision": shown, "strategy.kpis": AnswerData(score=2)},
                         {"strategy.vision": Base(1, shown.digest()), "strategy.kpis": Base(0, AnswerData().digest())},
                         person("dk@example.org"))
    assert set(saved) == {"strategy.kpis"}
    assert stored(draft)["strategy.vision"].score == 5


def test_the_same_answer_saved_by_two_people_is_no_conflict(draft):
    save_answers(draft, {"strategy.kpis": AnswerData(score=4)}, {"strategy.kpis": Base(0)}, person("host@example.org"))
    assert save_answers(draft, {"strategy.kpis": AnswerData(score=4)}, {"strategy.kpis": Base(0)},
                        person("dk@example.org")) == {}


def test_a_save_without_a_base_counts_as_starting_from_no_answer(draft):
    with pytest.raises(SaveConflict):
        save_answers(draft, {"strategy.vision": AnswerData(score=1)}, {}, person("dk@example.org"))


def test_the_version_column_is_sqlalchemys_version_counter():
    assert Answer.__mapper__.version_id_col is Answer.__table__.c.version


@pytest.mark.parametrize("given, message", [
    ({"strategy.nothing": AnswerData(score=1)}, "no question strategy.nothing"),
])
def test_unknown_questions_are_refused(draft, given, message):
    with pytest.raises(AssessmentError, match=message):
        save_answers(draft, given, {}, person("dk@example.org"))


def test_a_submitted_assessment_refuses_changes(drafted):
    submitted = assessment_of("DK04", "aarhus-2017")
    with pytest.raises(AssessmentError, match="read-only"):
        save_answers(submitted, {"strategy.kpis": AnswerData(score=1)}, {}, person("dk@example.org"))
    with pytest.raises(AssessmentError, match="read-only"):
        submit(submitted, person("dk@example.org"))


def test_submit_lists_every_unanswered_required_question_in_order(draft):
    definition = queries.definition(draft)
    answers = complete_answers(definition)
    answers["strategy.kpis"] = AnswerData(comment="a comment is no answer")
    answers["readiness.smes_served"] = AnswerData()
    answers["outreach.channels"] = AnswerData()  # optional: may stay empty
    save_answers(draft, answers, {"strategy.vision": Base(1)}, person("dk@example.org"))
    with pytest.raises(IncompleteAssessment) as raised:
        submit(draft, person("dk@example.org"))
    assert [q.key for q in raised.value.missing] == ["strategy.kpis", "readiness.smes_served"]
    assert str(raised.value) == "2 required questions are not answered yet."
    assert draft.status == "draft"


def test_not_applicable_answers_a_required_scale_question(draft):
    answers = complete_answers(queries.definition(draft))
    answers["strategy.kpis"] = AnswerData(not_applicable=True)
    save_answers(draft, answers, {"strategy.vision": Base(1)}, person("dk@example.org"))
    submit(draft, person("dk@example.org"))
    assert draft.status == "submitted"


def test_submitting_records_who_and_when_and_reopening_needs_a_reason(draft):
    dk, host = person("dk@example.org"), person("host@example.org")
    save_answers(draft, complete_answers(queries.definition(draft)), {"strategy.vision": Base(1)}, dk)
    submit(draft, dk)
    db.session.commit()
    assert (draft.status, draft.submitted_by) == ("submitted", dk) and draft.submitted_at
    with pytest.raises(AssessmentError, match="Say why"):
        reopen(draft, host, "   ")
    reopen(draft, host, "The budget figure is for 2016, not 2017.")
    db.session.commit()
    assert draft.status == "draft" and draft.submitted_at is None
    events = [(e.action, e.user.email, e.detail) for e in queries.history(draft)]
    assert events == [("assessment.submit", "dk@example.org", {}),
                      ("assessment.reopen", "host@example.org",
                       {"reason": "The budget figure is for 2016, not 2017."})]
    with pytest.raises(AssessmentError, match="Only a submitted"):
        reopen(draft, host, "again")


def test_evidence_is_attached_to_the_answer_and_removed_while_a_draft(draft):
    dk = person("dk@example.org")
    file = StoredFile("report.pdf", "ab" * 16, "application/pdf", 1234, None)
    evidence = add_evidence(draft, "followup.evidence", file, dk)
    db.session.commit()
    answers = queries.answers_by_key(draft)
    assert [e.filename for e in answers["followup.evidence"].evidence] == ["report.pdf"]
    states = queries.states_of(answers)
    followup = next(d for d in progress(queries.definition(draft), states) if d.dimension.key == "followup")
    assert followup.answered == 1
    assert remove_evidence(draft, evidence) == "ab" * 16
    db.session.commit()
    assert db.session.scalars(select(AuditEvent)).all() == []
    assert queries.answers_by_key(draft)["followup.evidence"].evidence == []


def test_evidence_cannot_be_removed_once_submitted(drafted):
    submitted = assessment_of("DK04", "aarhus-2017")
    answer = queries.answers_by_key(submitted)["strategy.vision"]
    submitted.status = "draft"
    evidence = add_evidence(submitted, "strategy.vision", StoredFile("a.pdf", "cd" * 16, "application/pdf", 1, None),
                            person("dk@example.org"))
    submitted.status = "submitted"
    with pytest.raises(AssessmentError, match="read-only"):
        remove_evidence(submitted, evidence)
    assert evidence in answer.evidence


def test_progress_counts_answered_questions_per_dimension(core_definition):
    states = {"strategy.vision": AnswerState(AnswerData(score=3)),
              "strategy.kpis": AnswerState(AnswerData(not_applicable=True)),
              "strategy.actors": AnswerState(AnswerData(value="Chambers")),
              "strategy.budget": AnswerState(AnswerData(comment="to be checked"))}
    dims = {d.dimension.key: d for d in progress(core_definition, states)}
    assert (dims["strategy"].answered, dims["strategy"].total, dims["strategy"].percent) == (3, 8, 38)
    assert [q.key for q in dims["strategy"].missing] == [
        "strategy.coordination", "strategy.budget_stability", "strategy.sme_involvement",
        "strategy.lead_body", "strategy.budget"]
    assert dims["outreach"].percent == 0


def test_the_next_step_follows_the_progress(core_definition):
    empty = progress(core_definition, {})
    assert next_step(False, empty).step == Step.START and next_step(False, empty).dimension.key == "strategy"
    answers = {key: AnswerState(data) for key, data in complete_answers(core_definition).items()}
    partly = dict(answers)
    del partly["missions.trade_fairs"]
    step = next_step(False, progress(core_definition, partly))
    assert (step.step, step.dimension.key, step.missing) == (Step.CONTINUE, "missions", 1)
    assert next_step(False, progress(core_definition, answers)).step == Step.SUBMIT
    assert next_step(True, empty).step == Step.DONE


def test_the_previous_assessment_is_the_regions_latest_earlier_one(draft):
    assert queries.previous_assessment(draft).workshop.slug == "aarhus-2017"
    assert queries.previous_assessment(assessment_of("DK04", "aarhus-2017")) is None
    assert queries.previous_assessment(assessment_of("IE04")) is None


def test_answer_states_of_many_assessments_take_one_query(drafted, count_queries):
    ids = [assessment_of("DK04").id, assessment_of("IE04").id, assessment_of("DK04", "aarhus-2017").id]
    with count_queries() as statements:
        states = queries.answer_states(ids)
    assert len(statements) == 1
    assert states[ids[0]]["strategy.vision"].data == AnswerData(score=3, comment="Adopted in 2016")
    assert states[ids[1]] == {}
    assert states[ids[2]]["strategy.budget"].data.value == 540000
