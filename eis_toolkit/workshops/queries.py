"""What the workshop pages show, each loaded in a constant number of queries.

This is also where the blind and publication rules filter data: :func:`visible_reviews` is the
only way pages, exports and JSON endpoints get other people's reviews, and it returns nothing the
person may not see (no reviews at all, or reviews without their authors' names).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, inspect, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import permissions
from ..catalogue.models import Practice, PracticeRating
from ..extensions import db
from ..models import (Answer, Assessment, Question, Questionnaire, Region, Review, ReviewerAssignment,
                      ReviewScore, ReviewStatus, Role, User, Workshop, WorkshopStatus, workshop_hot_seat)
from .models import Nomination


def hot_seat_region(workshop: Workshop, code: str) -> Region | None:
    """The workshop's hot-seat region with this code, or None (one query; the hot seat itself is
    not loaded)."""
    return db.session.scalar(
        select(Region).join(workshop_hot_seat, workshop_hot_seat.c.region_id == Region.id)
        .where(workshop_hot_seat.c.workshop_id == workshop.id, Region.code == code))


def _assignments_loaded():
    """Eager options for a workshop's assignments with what the predicates and pages read."""
    return selectinload(Workshop.assignments).options(
        joinedload(ReviewerAssignment.reviewer).joinedload(User.region),
        joinedload(ReviewerAssignment.region),
        joinedload(ReviewerAssignment.review),
    )


def workshop_or_404(slug: str) -> Workshop:
    """A workshop with its host region, questionnaire, hot seat, assignments, visits, assessments."""
    workshop = db.session.scalar(
        select(Workshop).where(Workshop.slug == slug).options(
            joinedload(Workshop.host_region), joinedload(Workshop.questionnaire),
            joinedload(Workshop.programme), selectinload(Workshop.hot_seat),
            _assignments_loaded(), selectinload(Workshop.site_visits),
            selectinload(Workshop.assessments).joinedload(Assessment.region),
        ))
    if workshop is None:
        abort(404)
    return workshop


@cache
def _assignment_statement():
    """The assignment by id (``:id``) with its workshop, questionnaire (not its stored definition,
    a large JSON document), region and review: built once, so that SQLAlchemy does not rebuild
    and re-key its loader options on every request."""
    return select(ReviewerAssignment).where(ReviewerAssignment.id == bindparam("id")).options(
        joinedload(ReviewerAssignment.workshop).joinedload(Workshop.questionnaire).defer(Questionnaire.definition),
        joinedload(ReviewerAssignment.region), joinedload(ReviewerAssignment.review))


def assignment_or_404(assignment_id: int, nominations: bool = True) -> ReviewerAssignment:
    """An assignment with its workshop, region and review (its scores, and its nominations unless
    ``nominations`` is false: only the general part and the confirmation show them); not the
    workshop's other assignments (the permission checks ask the database with ``EXISTS``). The
    questionnaire comes without its stored definition: ``definition_of`` reads it only the first
    time a process meets that questionnaire. The reviewer is not joined: on the reviewer's own
    pages they are the person logged in, already in the session (load the current user first),
    and only a host's reading of the page asks for them. The review's collections are read with
    one plain query each (for one parent, ``selectinload`` costs several times as much CPU)."""
    assignment = db.session.scalar(_assignment_statement(), {"id": assignment_id})
    if assignment is None:
        abort(404)
    review = assignment.review
    if review is not None:
        _load_collection(review, "scores", _review_statements()[0])
        if nominations:
            _load_collection(review, "nominations", _review_statements()[1])
    return assignment


@cache
def _review_statements():
    """A review's scores and its nominations (with their practices), by ``:review``: built once."""
    return (select(ReviewScore).where(ReviewScore.review_id == bindparam("review")),
            select(Nomination).where(Nomination.review_id == bindparam("review"))
            .options(joinedload(Nomination.practice)).order_by(Nomination.id))


def _load_collection(review: Review, name: str, statement) -> None:
    """Set ``review.<name>`` to the rows of ``statement`` (for ``:review``), as an eager loader
    would (left alone when the session has it loaded already)."""
    if name in inspect(review).unloaded:
        set_committed_value(review, name, list(db.session.scalars(statement, {"review": review.id})))


def scored_question_ids(questionnaire_id: int) -> dict[str, int]:
    """``{question key: Question.id}`` of the scored questions, in questionnaire order."""
    return question_ids(questionnaire_id, scored_only=True)


def question_ids(questionnaire_id: int, scored_only: bool = False) -> dict[str, int]:
    """``{question key: Question.id}`` in questionnaire order (only ``scale`` ones if asked)."""
    stmt = select(Question.key, Question.id).where(Question.questionnaire_id == questionnaire_id)
    if scored_only:
        stmt = stmt.where(Question.type == "scale")
    return dict(db.session.execute(stmt.order_by(Question.position)).all())


@dataclass(frozen=True)
class QuestionIds:
    """A questionnaire's ``{question key: Question.id}``, every question and the scored ones, in
    questionnaire order; ``keys`` maps a scored question's id back to its key. Read-only."""

    all: dict[str, int]
    scored: dict[str, int]
    keys: dict[int, str]


_QUESTION_IDS: dict[tuple, QuestionIds] = {}


def question_ids_of(questionnaire: Questionnaire) -> QuestionIds:
    """The questionnaire's question ids, read once per process: a stored version's questions never
    change (``questionnaires.services.register`` only adds). Ids are reused when tables are
    emptied and loaded again (tests), so the key is the row's id, checksum and loading time."""
    key = (questionnaire.id, questionnaire.checksum, questionnaire.loaded_at)
    found = _QUESTION_IDS.get(key)
    if found is None:
        rows = db.session.execute(select(Question.key, Question.id, Question.type)
                                  .where(Question.questionnaire_id == questionnaire.id)
                                  .order_by(Question.position)).all()
        scored = {k: i for k, i, kind in rows if kind == "scale"}
        found = _QUESTION_IDS[key] = QuestionIds({k: i for k, i, _ in rows}, scored,
                                                 {i: k for k, i in scored.items()})
    return found


# --- the workshops page -----------------------------------------------------------------------


def hosted_workshops(user: User) -> list[Workshop]:
    """Workshops the person runs (admins: all), newest first."""
    if not permissions.can_host(user):
        return []
    stmt = select(Workshop).options(selectinload(Workshop.hot_seat), joinedload(Workshop.host_region))
    if not permissions.is_admin(user):
        stmt = stmt.where(Workshop.host_region_id == user.region_id)
    return list(db.session.scalars(stmt.order_by(Workshop.starts.desc(), Workshop.id.desc())))


def region_results(user: User) -> list[Workshop]:
    """Published workshops that reviewed the person's region (region members only)."""
    if not (user.has_role(Role.REGION) and user.region_id):
        return []
    return list(db.session.scalars(
        select(Workshop).join(Workshop.hot_seat)
        .where(Region.id == user.region_id, Workshop.status == WorkshopStatus.PUBLISHED)
        .order_by(Workshop.starts.desc())))


# --- the reviewer's inbox ---------------------------------------------------------------------


@dataclass
class InboxItem:
    assignment: ReviewerAssignment
    scored: int
    total: int


def inbox(user: User) -> list[InboxItem]:
    """The person's assignments, newest workshop first, with how many questions they scored."""
    assignments = list(db.session.scalars(
        select(ReviewerAssignment).join(ReviewerAssignment.workshop).join(ReviewerAssignment.region)
        .where(ReviewerAssignment.reviewer_id == user.id)
        .options(joinedload(ReviewerAssignment.workshop).joinedload(Workshop.host_region),
                 joinedload(ReviewerAssignment.region), joinedload(ReviewerAssignment.review))
        .order_by(Workshop.starts.desc(), Workshop.id.desc(), Region.code)))
    if not assignments:
        return []
    review_ids = [a.review.id for a in assignments if a.review is not None]
    scored = dict(db.session.execute(
        select(ReviewScore.review_id, func.count())
        .where(ReviewScore.review_id.in_(review_ids),
               or_(ReviewScore.score.is_not(None), ReviewScore.not_applicable.is_(True)))
        .group_by(ReviewScore.review_id)).all()) if review_ids else {}
    totals = dict(db.session.execute(
        select(Question.questionnaire_id, func.count())
        .where(Question.questionnaire_id.in_({a.workshop.questionnaire_id for a in assignments}),
               Question.type == "scale")
        .group_by(Question.questionnaire_id)).all())
    return [InboxItem(a, scored.get(a.review.id, 0) if a.review else 0, totals.get(a.workshop.questionnaire_id, 0))
            for a in assignments]


# --- reviews as a person may see them ---------------------------------------------------------


@dataclass
class VisibleReview:
    """A submitted review as one person may see it: ``reviewer`` is None when names are hidden."""

    label: str
    reviewer: User | None
    submitted_at: datetime | None
    scores: dict[str, ReviewScore]
    strengths: str
    weaknesses: str
    recommendations: str
    nominations: list[Nomination] = field(default_factory=list)
    #: "A", "B" ... when the names are hidden: ``label`` is then "Reviewer A" (for the exports).
    letter: str = ""

    @property
    def shown_label(self) -> str:
        """The label for people, in the reader's language (the exports keep ``label``)."""
        return self.label if self.reviewer is not None else _("Reviewer %(letter)s", letter=self.letter)


def visible_reviews(user: User, workshop: Workshop, region_id: int, keys_by_id: dict[int, str],
                    exclude_reviewer_id: int | None = None, known: ReviewerAssignment | None = None
                    ) -> list[VisibleReview]:
    """The submitted reviews of ``region_id`` at ``workshop`` that ``user`` may read.

    Empty unless :func:`permissions.can_see_peer_scores`; authors hidden ("Reviewer A", ...)
    unless :func:`permissions.can_see_reviewer_names`. Drafts are never shown to anyone but
    their author. ``keys_by_id`` maps question ids to keys. ``known``: an assignment loaded with
    its review, read instead of the database if it is the person's own of that region.
    """
    if not permissions.can_see_peer_scores(user, workshop, region_id, known):
        return []
    names = permissions.can_see_reviewer_names(user, workshop, region_id, known)
    reviews = db.session.scalars(
        select(Review).join(Review.assignment)
        .where(ReviewerAssignment.workshop_id == workshop.id, ReviewerAssignment.region_id == region_id,
               Review.status == ReviewStatus.SUBMITTED)
        .options(selectinload(Review.scores), selectinload(Review.nominations),
                 joinedload(Review.assignment).joinedload(ReviewerAssignment.reviewer).joinedload(User.region))
        .order_by(ReviewerAssignment.id))
    result = []
    for number, review in enumerate(reviews):
        reviewer = review.assignment.reviewer
        if reviewer.id == exclude_reviewer_id:
            continue
        result.append(VisibleReview(
            label=reviewer.name if names else f"Reviewer {_letter(number)}",
            reviewer=reviewer if names else None, submitted_at=review.submitted_at,
            scores={keys_by_id[s.question_id]: s for s in review.scores if s.question_id in keys_by_id},
            strengths=review.strengths, weaknesses=review.weaknesses,
            recommendations=review.recommendations, nominations=list(review.nominations),
            letter="" if names else _letter(number)))
    return result


def _letter(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def region_assessment(workshop: Workshop, region_id: int, answers: bool = True) -> Assessment | None:
    """The region's self-assessment with its answers and their evidence files (only the row
    without ``answers``: see :func:`answers_to`)."""
    return db.session.scalar(_assessment_statements()[1 if answers else 0], {"workshop": workshop.id, "region": region_id})


@cache
def _assessment_statements():
    """The statements of :func:`region_assessment` (the row; with its answers and files) and of
    :func:`answers_to`, with bound parameters: built once (every review page runs them)."""
    row = select(Assessment).where(Assessment.workshop_id == bindparam("workshop"),
                                   Assessment.region_id == bindparam("region"))
    return (row, row.options(selectinload(Assessment.answers).selectinload(Answer.evidence)),
            select(Answer).where(Answer.assessment_id == bindparam("assessment"),
                                 Answer.question_id.in_(bindparam("questions", expanding=True)))
            .options(joinedload(Answer.evidence)))


def answers_to(assessment: Assessment, question_ids: list[int]) -> dict[int, Answer]:
    """The assessment's answers to these questions with their evidence files, by question id (one
    query: a review page shows one dimension's answers)."""
    return {a.question_id: a for a in db.session.scalars(
        _assessment_statements()[2], {"assessment": assessment.id, "questions": question_ids}).unique()}


# --- practices nominated at a workshop --------------------------------------------------------


def nominated_practices(workshop: Workshop) -> list[Practice]:
    """The catalogue practices the workshop's nominations were accepted as, by title."""
    practice_ids = (select(Nomination.practice_id).join(Nomination.review).join(Review.assignment)
                    .where(ReviewerAssignment.workshop_id == workshop.id, Nomination.practice_id.is_not(None)))
    return list(db.session.scalars(
        select(Practice).where(Practice.id.in_(practice_ids))
        .options(joinedload(Practice.region)).order_by(Practice.title)))


def ratings_by(user: User, practices: list[Practice]) -> dict[int, PracticeRating]:
    """The person's own ratings of these practices, by practice id."""
    if not practices:
        return {}
    return {r.practice_id: r for r in db.session.scalars(
        select(PracticeRating).where(PracticeRating.rater_id == user.id,
                                     PracticeRating.practice_id.in_([p.id for p in practices])))}


def workshop_nominations(workshop: Workshop) -> list[Nomination]:
    """Every nomination made at the workshop, with its review, reviewer, region and practice."""
    return list(db.session.scalars(
        select(Nomination).join(Nomination.review).join(Review.assignment)
        .where(ReviewerAssignment.workshop_id == workshop.id)
        .options(joinedload(Nomination.practice),
                 joinedload(Nomination.review).joinedload(Review.assignment).options(
                     joinedload(ReviewerAssignment.reviewer), joinedload(ReviewerAssignment.region)))
        .order_by(ReviewerAssignment.region_id, Nomination.id)))


def practices_of_regions(region_ids: list[int]) -> dict[int, list[Practice]]:
    """Catalogue practices of these regions (to link a repeated nomination to), by region id."""
    result: dict[int, list[Practice]] = defaultdict(list)
    if region_ids:
        for practice in db.session.scalars(
                select(Practice).where(Practice.region_id.in_(region_ids)).order_by(Practice.title)):
            result[practice.region_id].append(practice)
    return result


# --- progress ---------------------------------------------------------------------------------


@dataclass
class Progress:
    region: Region
    assigned: int = 0
    submitted: int = 0


def progress(workshop: Workshop) -> list[Progress]:
    """Submitted of assigned reviews per hot-seat region (from the loaded assignments)."""
    rows = {region.id: Progress(region) for region in workshop.hot_seat}
    for assignment in workshop.assignments:
        row = rows.get(assignment.region_id)
        if row is None:
            continue
        row.assigned += 1
        if assignment.review is not None and assignment.review.status == ReviewStatus.SUBMITTED:
            row.submitted += 1
    return list(rows.values())
