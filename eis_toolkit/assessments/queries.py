"""Reading self-assessments for pages: answers, states of many assessments, history, summaries.

Each function runs a fixed number of queries, however many answers or assessments there are.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..extensions import db
from ..questionnaires.models import Question, Questionnaire
from ..questionnaires.schema import QuestionnaireDef
from ..questionnaires.services import definition_of
from ..questionnaires.types import AnswerData
from ..workshops.models import Workshop
from .models import Answer, Assessment, AssessmentStatus, EvidenceFile
from .progress import AnswerState, DimensionProgress, NextStep, next_step, overall_percent, progress


def load_assessment(assessment_id: int) -> Assessment | None:
    """An assessment with what every page needs, in one query. The workshop's assignments are
    not loaded: permission checks ask the database (``permissions.is_assigned_reviewer``)."""
    return db.session.scalar(
        select(Assessment).where(Assessment.id == assessment_id)
        .options(joinedload(Assessment.workshop), joinedload(Assessment.region),
                 joinedload(Assessment.questionnaire),
                 joinedload(Assessment.submitted_by)))


def definition(assessment: Assessment) -> QuestionnaireDef:
    return definition_of(assessment.questionnaire)


def answers_by_key(assessment: Assessment) -> dict[str, Answer]:
    """The assessment's answers by question key, with their files and last editor (2 queries)."""
    rows = db.session.scalars(
        select(Answer).where(Answer.assessment_id == assessment.id)
        .options(joinedload(Answer.question), joinedload(Answer.updated_by), selectinload(Answer.evidence)))
    return {answer.question.key: answer for answer in rows}


def states_of(answers: dict[str, Answer]) -> dict[str, AnswerState]:
    return {key: AnswerState(AnswerData.of(a), a.version, len(a.evidence), a.carried_from_id is not None)
            for key, a in answers.items()}


def answer_states(assessment_ids: list[int]) -> dict[int, dict[str, AnswerState]]:
    """Plain answers of many assessments in one query: {assessment id: {question key: state}}."""
    states: dict[int, dict[str, AnswerState]] = {assessment_id: {} for assessment_id in assessment_ids}
    if not assessment_ids:
        return states
    files = (select(EvidenceFile.answer_id, func.count().label("n"))
             .group_by(EvidenceFile.answer_id).subquery())
    rows = db.session.execute(
        select(Answer.assessment_id, Question.key, Answer.score, Answer.not_applicable, Answer.value,
               Answer.comment, Answer.version, func.coalesce(files.c.n, 0), Answer.carried_from_id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(files, files.c.answer_id == Answer.id)
        .where(Answer.assessment_id.in_(assessment_ids)))
    for assessment_id, key, score, not_applicable, value, comment, version, count, carried_from in rows:
        data = AnswerData(score, bool(not_applicable), value, comment or "")
        states[assessment_id][key] = AnswerState(data, version, count, carried_from is not None)
    return states




def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The region's assessment for the latest earlier workshop, if there is one."""
    return db.session.scalar(
        select(Assessment).join(Assessment.workshop)
        .where(Assessment.region_id == assessment.region_id, Assessment.id != assessment.id,
               Workshop.starts < assessment.workshop.starts)
        .options(joinedload(Assessment.workshop), joinedload(Assessment.questionnaire))
        .order_by(Workshop.starts.desc()).limit(1))


def _earlier_rounds(assessment: Assessment):
    """The region's self-assessments for earlier workshops with a questionnaire of the same key
    (any version), latest first. Other regions' are never among them."""
    return (select(Assessment).join(Assessment.workshop).join(Assessment.questionnaire)
            .where(Assessment.region_id == assessment.region_id, Assessment.id != assessment.id,
                   Workshop.starts < assessment.workshop.starts,
                   Questionnaire.key == assessment.questionnaire.key)
            .options(joinedload(Assessment.workshop), joinedload(Assessment.questionnaire))
            .order_by(Workshop.starts.desc(), Assessment.id.desc()))


def carry_over_source(assessment: Assessment) -> Assessment | None:
    """The latest of :func:`_earlier_rounds`: where a new round can start from."""
    return db.session.scalar(_earlier_rounds(assessment).limit(1))


def earlier_definitions(assessment: Assessment) -> dict[int, QuestionnaireDef]:
    """Each earlier round's questionnaire version, by assessment id (last round's workbook)."""
    return {earlier.id: definition(earlier) for earlier in db.session.scalars(_earlier_rounds(assessment))}


def has_answers(assessment: Assessment) -> bool:
    return db.session.scalar(select(exists().where(Answer.assessment_id == assessment.id)))


def carried_sources(answers: dict[str, Answer]) -> dict[int, Workshop]:
    """The workshops that carried-over answers come from, by source assessment id (one query,
    none when no answer is carried over)."""
    ids = {a.carried_from_id for a in answers.values() if a.carried_from_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Assessment.id, Workshop).join(Assessment.workshop).where(Assessment.id.in_(ids)))
    return {assessment_id: workshop for assessment_id, workshop in rows}


def history(assessment: Assessment) -> list[audit.AuditEvent]:
    """Submissions and reopenings, oldest first, with who did them."""
    return list(db.session.scalars(
        select(audit.AuditEvent)
        .where(audit.AuditEvent.object_type == "assessment", audit.AuditEvent.object_id == assessment.id)
        .options(joinedload(audit.AuditEvent.user))
        .order_by(audit.AuditEvent.at, audit.AuditEvent.id)))


@dataclass(frozen=True)
class Summary:
    """One assessment on a dashboard: how far each dimension is, and what to do next."""

    assessment: Assessment
    definition: QuestionnaireDef
    dimensions: list[DimensionProgress]
    next: NextStep

    @property
    def percent(self) -> int:
        return overall_percent(self.dimensions)


def summaries(assessments: list[Assessment]) -> list[Summary]:
    """Progress and next step of each assessment (their questionnaires loaded with them)."""
    states = answer_states([a.id for a in assessments])
    result = []
    for assessment in assessments:
        questionnaire = definition(assessment)
        dimensions = progress(questionnaire, states[assessment.id])
        result.append(Summary(assessment, questionnaire, dimensions,
                              next_step(assessment.status == AssessmentStatus.SUBMITTED, dimensions)))
    return result
