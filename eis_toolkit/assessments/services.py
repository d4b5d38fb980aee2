"""Saving, locking, submitting and reopening self-assessments; evidence files on answers.

Services take model objects and clean values (``AnswerData``), change state and flush; they never
touch the request and never commit. A refused change raises an :class:`AssessmentError` whose
message is for people.

Optimistic locking: every save names, per question, the answer version it started from and the
fingerprint (``AnswerData.digest``) of the answer it showed. An answer the person did not change
is left as it is stored; a changed answer whose stored version has moved on since is a conflict,
and the whole save is refused with both values (:class:`SaveConflict`): nothing is silently
overwritten. ``Answer.version`` is also SQLAlchemy's version counter, which catches the rare save
that races past this check (``StaleDataError`` on flush).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import audit
from ..columns import utcnow
from ..extensions import db
from ..questionnaires.models import Question
from ..questionnaires.schema import QuestionDef
from ..questionnaires.types import AnswerData, InvalidAnswer, clean_text, parse_answer, question_type
from .models import Answer, Assessment, AssessmentStatus, EvidenceFile
from .progress import missing_questions
from .queries import answers_by_key, definition, states_of
from .uploads import StoredFile


class AssessmentError(Exception):
    """A refused change; the message says why, for people."""


@dataclass(frozen=True)
class Base:
    """What a person started from for one question: the answer version (0: there was none) and
    the fingerprint of the answer shown (None: treat the answer as changed)."""

    version: int = 0
    digest: str | None = None


@dataclass(frozen=True)
class Conflict:
    """A question changed by this person and, since they started, by someone else."""

    key: str
    yours: AnswerData
    theirs: AnswerData
    version: int  # the stored version now
    by: str | None
    at: datetime | None

    @property
    def digest(self) -> str:
        return self.theirs.digest()


class SaveConflict(AssessmentError):
    """Someone else saved some of the same answers meanwhile; ``conflicts`` has both values."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        count = len(conflicts)
        super().__init__(ngettext(
            "Someone else saved %(num)d of these answers while you were editing; choose which one "
            "to keep. Nothing was saved yet.",
            "Someone else saved %(num)d of these answers while you were editing; choose which ones "
            "to keep. Nothing was saved yet.", count))


class IncompleteAssessment(AssessmentError):
    """Required questions are unanswered; ``missing`` lists them in questionnaire order."""

    def __init__(self, missing: list[QuestionDef]):
        self.missing = missing
        super().__init__(ngettext("%(num)d required question is not answered yet.",
                                  "%(num)d required questions are not answered yet.", len(missing)))


# --- changing ---------------------------------------------------------------------------------


def _ensure_draft(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentError(_("This self-assessment is submitted and read-only; a workshop host can reopen it."))


def save_answers(assessment: Assessment, given: dict[str, AnswerData], bases: dict[str, Base],
                 user) -> dict[str, Answer]:
    """Save the answers a person gave, each against the :class:`Base` it started from.

    Returns the answers written (unchanged ones are skipped). Raises :class:`SaveConflict`, and
    writes nothing, when any changed answer was saved by someone else since its base.
    """
    _ensure_draft(assessment)
    questionnaire = definition(assessment)
    for key in given:
        try:
            questionnaire.question(key)
        except KeyError:
            raise AssessmentError(_("There is no question %(key)s in %(ref)s.", key=key, ref=questionnaire.ref)) from None
    stored = answers_by_key(assessment)
    writes: dict[str, AnswerData] = {}
    conflicts = []
    for key, data in given.items():
        answer = stored.get(key)
        current, version = AnswerData.of(answer), answer.version if answer else 0
        base = bases.get(key, Base())
        if data == current or (base.digest is not None and data.digest() == base.digest):
            continue  # already so, or not changed by this person: keep what is stored
        if version != base.version:
            conflicts.append(Conflict(key, data, current, version, answer.updated_by.name
                                      if answer and answer.updated_by else None,
                                      answer.updated_at if answer else None))
            continue
        writes[key] = data
    if conflicts:
        raise SaveConflict(conflicts)
    if not writes:
        return {}
    question_ids = _question_ids(assessment, [key for key in writes if key not in stored])
    saved = {}
    for key, data in writes.items():
        answer = stored.get(key)
        if answer is None:
            answer = Answer(assessment=assessment, question_id=question_ids[key])
            db.session.add(answer)
        answer.score, answer.not_applicable = data.score, data.not_applicable
        answer.value, answer.comment, answer.updated_by = data.value, data.comment, user
        answer.carried_from_id = None  # changed here: no longer carried over
        saved[key] = answer
    assessment.updated_at = utcnow()
    db.session.flush()
    return saved


def confirm_carried(assessment: Assessment, bases: dict[str, Base], user) -> list[str]:
    """Confirm the carried-over answers a person was shown and saved (a page's Save): each one
    whose stored version is still the one shown stops being carried over. Returns their keys."""
    _ensure_draft(assessment)
    confirmed = []
    for key, answer in answers_by_key(assessment).items():
        base = bases.get(key)
        if answer.carried_from_id is not None and base is not None and base.version == answer.version:
            answer.carried_from_id, answer.updated_by = None, user
            confirmed.append(key)
    if confirmed:
        assessment.updated_at = utcnow()
        db.session.flush()
    return confirmed


@dataclass(frozen=True)
class CarriedOver:
    """What :func:`carry_over` did: the keys copied, and the earlier answers left behind because
    their question no longer exists (or no longer takes that answer), with the reason."""

    source: Assessment
    copied: list[str]
    dropped: list[tuple[str, str]]


def carry_over(assessment: Assessment, source: Assessment, user) -> CarriedOver:
    """Start an empty draft from an earlier self-assessment of the same region and questionnaire
    key: every answer whose question key still exists (and still takes that answer, checked by
    the question type) is copied as a draft answer marked carried over. Evidence files are not
    copied. Refused unless the draft is empty."""
    _ensure_draft(assessment)
    if source.region_id != assessment.region_id or source.id == assessment.id:
        raise AssessmentError(_("Only an earlier self-assessment of the same region can be carried over."))
    if source.questionnaire.key != assessment.questionnaire.key:
        raise AssessmentError(_("The earlier self-assessment used another questionnaire (%(found)s, not "
                                "%(key)s).", found=source.questionnaire.key, key=assessment.questionnaire.key))
    if db.session.scalar(select(Answer.id).where(Answer.assessment_id == assessment.id).limit(1)):
        raise AssessmentError(_("This self-assessment already has answers: it can only start from the "
                                "previous one while it is empty."))
    target, earlier = definition(assessment), definition(source)
    question_ids = dict(db.session.execute(select(Question.key, Question.id).where(
        Question.questionnaire_id == assessment.questionnaire_id)).all())
    copied, dropped = [], []
    for key, old in answers_by_key(source).items():
        data = AnswerData.of(old)
        if data.empty:
            continue  # a row kept only for its files
        try:
            question = target.question(key)
        except KeyError:
            dropped.append((key, _("the question no longer exists")))
            continue
        try:
            kind = question_type(earlier.question(key))
            again = parse_answer(question, target.scale, kind.form_value(data), data.comment)
        except (InvalidAnswer, KeyError) as error:
            dropped.append((key, str(error)))
            continue
        db.session.add(Answer(assessment=assessment, question_id=question_ids[key], score=again.score,
                              not_applicable=again.not_applicable, value=again.value, comment=again.comment,
                              updated_by=user, carried_from_id=source.id))
        copied.append(key)
    order = {q.key: n for n, q in enumerate(earlier.questions())}
    dropped.sort(key=lambda item: order.get(item[0], len(order)))
    assessment.updated_at = utcnow()
    audit.record("assessment.carry_over", assessment, user, source=source.id, workshop=source.workshop.title,
                 questionnaire=source.questionnaire.ref, copied=len(copied), dropped=[key for key, reason in dropped])
    db.session.flush()
    return CarriedOver(source, copied, dropped)


def _question_ids(assessment: Assessment, keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    return dict(db.session.execute(select(Question.key, Question.id).where(
        Question.questionnaire_id == assessment.questionnaire_id, Question.key.in_(keys))).all())


def add_evidence(assessment: Assessment, question_key: str, stored: StoredFile, user) -> EvidenceFile:
    """Attach a stored file to the answer of a question (an empty answer is made if needed)."""
    _ensure_draft(assessment)
    answer = answers_by_key(assessment).get(question_key)
    if answer is None:
        answer = Answer(assessment=assessment, question_id=_question_ids(assessment, [question_key])[question_key],
                        updated_by=user)
        db.session.add(answer)
    evidence = EvidenceFile(answer=answer, filename=stored.filename, stored_name=stored.stored_name,
                            content_type=stored.content_type, size=stored.size, uploaded_by_id=user.id)
    db.session.add(evidence)
    assessment.updated_at = utcnow()
    db.session.flush()
    return evidence


def find_evidence(assessment: Assessment, evidence_id: int) -> EvidenceFile | None:
    """A file of this assessment (None for another assessment's file)."""
    return db.session.scalar(
        select(EvidenceFile).join(EvidenceFile.answer)
        .where(EvidenceFile.id == evidence_id, Answer.assessment_id == assessment.id))


def remove_evidence(assessment: Assessment, evidence: EvidenceFile) -> str:
    """Remove a file while the assessment is a draft; returns the stored name to delete from disk
    once the removal is committed."""
    _ensure_draft(assessment)
    if evidence.answer.assessment_id != assessment.id:
        raise AssessmentError(_("That file belongs to another self-assessment."))
    stored_name = evidence.stored_name
    evidence.answer.evidence.remove(evidence)
    assessment.updated_at = utcnow()
    db.session.flush()
    return stored_name


def submit(assessment: Assessment, user, carried_still_hold: bool = False) -> None:
    """Submit: every required question answered, else :class:`IncompleteAssessment`. Answers still
    carried over need ``carried_still_hold`` (the person confirmed they still hold); they are
    confirmed by the submission."""
    _ensure_draft(assessment)
    answers = answers_by_key(assessment)
    missing = missing_questions(definition(assessment), states_of(answers))
    if missing:
        raise IncompleteAssessment(missing)
    carried = [answer for answer in answers.values() if answer.carried_from_id is not None]
    if carried and not carried_still_hold:
        raise AssessmentError(ngettext(
            "%(num)d answer is still carried over from the previous self-assessment: confirm that it still "
            "holds before you submit.",
            "%(num)d answers are still carried over from the previous self-assessment: confirm that they "
            "still hold before you submit.", len(carried)))
    for answer in carried:
        answer.carried_from_id = None
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = utcnow()
    assessment.submitted_by = user
    audit.record("assessment.submit", assessment, user, **({"confirmed_carried": len(carried)} if carried else {}))
    db.session.flush()


def reopen(assessment: Assessment, user, reason: str) -> None:
    """A host takes a submitted assessment back to draft; the reason is kept in the audit trail."""
    reason = clean_text(reason)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise AssessmentError(_("Only a submitted self-assessment can be reopened."))
    if not reason:
        raise AssessmentError(_("Say why the self-assessment is reopened."))
    assessment.status = AssessmentStatus.DRAFT
    assessment.submitted_at = None
    assessment.submitted_by = None
    audit.record("assessment.reopen", assessment, user, reason=reason)
    db.session.flush()
