"""A reviewer's work: scoring a hot-seat region, nominating practices, rating nominated practices.

Saving names the review ``version`` the reviewer started from (optimistic locking): a save from
an out-of-date page, or one that loses a race with another save of the same review, raises
:class:`ReviewConflict` and changes nothing. Services flush and never commit.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..mail import notify
from ..catalogue.models import Practice, PracticeRating
from ..catalogue.ratings import CRITERIA as RATING_CRITERIA
from ..columns import utcnow
from ..extensions import db
from ..i18n import translate
from ..models import Review, ReviewScore, ReviewStatus, User, Workshop
from ..questionnaires.schema import DimensionDef, QuestionDef, QuestionnaireDef
from ..questionnaires.types import InvalidAnswer, max_text_length, question_type
from .models import Nomination
from .services import OwnRegionError, WorkshopError

TEXT_FIELDS = ("strengths", "weaknesses", "recommendations")
TEXT_LABELS = {"strengths": _l("Strengths"), "weaknesses": _l("Weaknesses"), "recommendations": _l("Recommendations")}


class ReviewConflict(WorkshopError):
    """The review changed since the reviewer's page loaded it."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("This review was saved from another window or device in the meantime. "
                                      "Reload the page to see the latest version; copy any text you want to keep first."))


class ReviewInputError(WorkshopError):
    """Values that are not valid; ``errors`` maps each form field name to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class ReviewIncomplete(WorkshopError):
    """A review cannot be submitted before every scored question is scored or N/A."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(ngettext("Score every question (or mark it N/A) before submitting: %(num)d question is still open.",
                                  "Score every question (or mark it N/A) before submitting: %(num)d questions are still open.",
                                  len(missing)))


@dataclass
class ScoreInput:
    score: int | None = None
    not_applicable: bool = False
    comment: str = ""

    @property
    def empty(self) -> bool:
        return self.score is None and not self.not_applicable and not self.comment


@dataclass
class ReviewInput:
    """Clean values of a review form: ``scores`` by question key, and the overall texts.

    A page of the review gives only its own part: the questions in ``scores`` and, when
    ``has_texts``, the overall texts; saving leaves everything else as it was."""

    scores: dict[str, ScoreInput] = field(default_factory=dict)
    strengths: str = ""
    weaknesses: str = ""
    recommendations: str = ""
    has_texts: bool = True


def score_field(key: str) -> str:
    return f"score.{key}"


def comment_field(key: str) -> str:
    return f"comment.{key}"


#: The page of the general part of a review (the overall texts, nominations, ratings).
GENERAL = "general"


def page_questions(definition: QuestionnaireDef, page: str | None) -> list[QuestionDef]:
    """The scored questions a page of the review asks: one dimension's, none on the general page,
    all of them for the whole review (``None``)."""
    if page is None:
        return definition.scored_questions()
    dimension = next((d for d in definition.dimensions if d.key == page), None)
    return [q for q in dimension.questions if q.scored] if dimension is not None else []


def review_pages(definition: QuestionnaireDef) -> list[str]:
    """The pages of a review in order: each dimension that asks a scored question, then
    :data:`GENERAL` (read from the definition: no SQL)."""
    return [d.key for d in definition.dimensions if any(q.scored for q in d.questions)] + [GENERAL]


def parse_review_input(data: Mapping[str, str], definition: QuestionnaireDef, language: str = "en",
                       page: str | None = None) -> ReviewInput:
    """Read a review form (HTML form or the autosave JSON: the same flat field names).

    ``score.<question>`` is read by the question-type registry (a point of the scale, its wording,
    ``na`` when the scale allows N/A, or empty);
    ``comment.<question>``, ``strengths``, ``weaknesses`` and ``recommendations`` are text.
    ``page``: a dimension's key reads that dimension's questions only, :data:`GENERAL` the texts
    only, None everything. An error names the question by its text in ``language``.
    """
    scale = definition.scale
    errors: dict[str, str] = {}
    result = ReviewInput(has_texts=page is None or page == GENERAL)
    for question in page_questions(definition, page):
        given = ScoreInput(comment=_text(data, comment_field(question.key), errors,
                                         translate(question.text, language)))
        try:
            answer = question_type(question).parse(data.get(score_field(question.key)), question, scale,
                                                   language)
        except InvalidAnswer as error:
            errors[score_field(question.key)] = _naming(translate(question.text, language), error)
        else:
            given.score, given.not_applicable = answer.score, answer.not_applicable
        result.scores[question.key] = given
    if result.has_texts:
        for name in TEXT_FIELDS:
            setattr(result, name, _text(data, name, errors, str(TEXT_LABELS[name])))
    if errors:
        raise ReviewInputError(errors)
    return result


def _naming(text: str, error: object) -> str:
    """An error after the question it is about: "The region has a strategy: '9' is not a level…"."""
    text = text.strip()
    if text.endswith("?"):
        return f"{text} {error}."
    return f"{text.rstrip('.:;')}: {error}."


def _text(data: Mapping[str, str], name: str, errors: dict[str, str], label: str) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str):
        errors[name] = _("%(name)s must be text.", name=label)
        return ""
    if len(value) > max_text_length():
        errors[name] = _("%(name)s is longer than %(num)d characters.", name=label, num=max_text_length())
    return value.strip()


def save_review(review: Review, values: ReviewInput, version: int, question_ids: Mapping[str, int]) -> Review:
    """Store a draft review's scores and texts; ``version`` is the one the reviewer started from.

    ``question_ids`` maps each scored question key to its ``Question.id``. Raises
    :class:`ReviewConflict` when the review has changed since (the caller rolls back).
    """
    if review.status != ReviewStatus.DRAFT:
        raise WorkshopError(_("This review is submitted and can no longer change."))
    if version != review.version:
        raise ReviewConflict()
    existing = {row.question_id: row for row in review.scores}
    for key, question_id in question_ids.items():
        if key not in values.scores:
            continue  # another page's question
        given = values.scores[key]
        row = existing.get(question_id)
        if given.empty:
            if row is not None:
                review.scores.remove(row)
            continue
        if row is None:
            row = ReviewScore(question_id=question_id)
            review.scores.append(row)
        row.score, row.not_applicable, row.comment = given.score, given.not_applicable, given.comment
    if values.has_texts:
        for name in TEXT_FIELDS:
            setattr(review, name, getattr(values, name))
    review.updated_at = utcnow()  # always write the review row, so that its version moves on
    _flush()
    return review


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise ReviewConflict() from None


def missing_scores(review: Review, question_ids: Mapping[str, int]) -> list[str]:
    """Keys of the scored questions that have neither a score nor N/A, in questionnaire order."""
    done = {row.question_id for row in review.scores if row.score is not None or row.not_applicable}
    return [key for key, question_id in question_ids.items() if question_id not in done]


@dataclass(frozen=True)
class DimensionProgress:
    """How far a review is in one dimension: scored, N/A and still open (keys, in order)."""

    dimension: DimensionDef
    scored: int
    not_applicable: int
    open: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.scored + self.not_applicable + len(self.open)

    @property
    def answered(self) -> int:
        return self.scored + self.not_applicable


def review_progress(definition: QuestionnaireDef, scores: Mapping[str, object]) -> list[DimensionProgress]:
    """Progress per dimension (dimensions without scored questions left out); ``scores`` maps a
    question key to its stored score row (anything with ``score`` and ``not_applicable``)."""
    result = []
    for dimension in definition.dimensions:
        scored, not_applicable, still_open = 0, 0, []
        for question in dimension.questions:
            if not question.scored:
                continue
            row = scores.get(question.key)
            if row is not None and row.not_applicable:
                not_applicable += 1
            elif row is not None and row.score is not None:
                scored += 1
            else:
                still_open.append(question.key)
        if scored or not_applicable or still_open:
            result.append(DimensionProgress(dimension, scored, not_applicable, tuple(still_open)))
    return result


def submit_review(review: Review, question_ids: Mapping[str, int], user: User | None = None) -> Review:
    """Submit a saved draft; refused (:class:`ReviewIncomplete`) while a scored question is open.

    The hosts' e-mails are read and rendered first, before anything is written: the write
    transaction (SQLite's write lock, PostgreSQL's lock on the data version's row, which every
    other save waits for) then holds only the writes, not the mail's queries and templates. A
    refused submission (:class:`ReviewConflict`, the caller rolls back) queues nothing."""
    if review.status != ReviewStatus.DRAFT:
        raise WorkshopError(_("This review is already submitted."))
    missing = missing_scores(review, question_ids)
    if missing:
        raise ReviewIncomplete(missing)
    notify.review_submitted(review)
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = review.updated_at = utcnow()
    _flush()
    audit.record("review.submit", review, user)
    return review


# --- nominations ------------------------------------------------------------------------------


def add_nomination(review: Review, definition: QuestionnaireDef, *, title: str, dimension_key: str,
                   description: str = "", why: str = "") -> Nomination:
    """A practice the reviewer nominates: what it is, the dimension it strengthens, why copy it."""
    title = title.strip()
    if not title:
        raise WorkshopError(_("A nomination needs a title."))
    if len(title) > 200:
        raise WorkshopError(_("The title is longer than %(num)d characters.", num=200))
    if dimension_key not in {d.key for d in definition.dimensions}:
        raise WorkshopError(_("Choose the dimension the practice strengthens."))
    nomination = Nomination(title=title, dimension_key=dimension_key, description=description.strip(),
                            why=why.strip())
    review.nominations.append(nomination)
    db.session.flush()
    return nomination


def delete_nomination(nomination: Nomination) -> None:
    if nomination.practice_id is not None:
        raise WorkshopError(_("The host has already taken “%(title)s” into the catalogue; it can no longer be withdrawn here.",
                              title=nomination.title))
    nomination.review.nominations.remove(nomination)
    db.session.flush()


# --- practice ratings -------------------------------------------------------------------------


def rate_practice(practice: Practice, rater: User, workshop: Workshop, **criteria: int) -> PracticeRating:
    """Store (or change) one person's rating of a practice, each criterion a whole number 1–5."""
    if practice.region_id is not None and practice.region_id == rater.region_id:
        raise OwnRegionError(_("“%(title)s” is a practice of your own region; rate other regions' practices.",
                               title=practice.title))
    values = {}
    for name in RATING_CRITERIA:
        value = criteria.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise WorkshopError(_("Rate “%(title)s” on every criterion from 1 to 5.", title=practice.title))
        values[name] = value
    rating = next((r for r in practice.ratings if r.rater_id == rater.id), None)
    if rating is None:
        rating = PracticeRating(practice=practice, rater=rater)
        db.session.add(rating)
    for name, value in values.items():
        setattr(rating, name, value)
    rating.workshop_id, rating.rated_at = workshop.id, utcnow()
    db.session.flush()
    return rating
