"""Loading benchmarks from the database in a constant number of SQL queries.

Whatever the number of regions, reviewers and questions, a workshop's benchmark takes five
queries: the questionnaire (if not loaded yet), the hot-seat regions, the scored questions' ids,
the self scores and the peer summaries. The database does the heavy part: per (workshop, region, question) it counts the
submitted, non-N/A peer scores at each point of the scale, so a few thousand short rows travel
instead of every score, and n, Σv, Σv², min, max and the median follow exactly from the counts. The pure module
(``numbers.py``) turns those summaries into rows exactly as it does from raw values.

What counts (docs/benchmark.md): peer scores of *submitted* reviews only; self scores of the
region's *submitted* self-assessment for that workshop only; N/A and empty scores never.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import (Answer, Assessment, AssessmentStatus, Practice, PracticeStatus, Programme, Question,
                      Questionnaire, Region, Review, ReviewerAssignment, ReviewScore, ReviewStatus, Term, User,
                      Vocabulary, Workshop, WorkshopStatus, practice_term, workshop_hot_seat)
from ..questionnaires.services import definition_of
from .numbers import (DimensionSpec, Offset, QuestionSpec, Row, Structure, Summary, benchmark_from_summaries,
                      reviewer_offsets, summarise, summary_from_counts)

#: Scored structures by checksum: a questionnaire version never changes once answered.
_STRUCTURES: dict[str, Structure] = {}


def structure_for(questionnaire: Questionnaire) -> Structure:
    """The scored part of a questionnaire: scale, dimensions and scale questions with weights.

    Dimensions without a scored question have no figures and are left out. No SQL: it is read
    from the stored definition (the same one the dimension and question rows were made from).
    """
    structure = _STRUCTURES.get(questionnaire.checksum)
    if structure is None:
        definition = definition_of(questionnaire)
        dimensions = tuple(
            DimensionSpec(d.key, d.weight, tuple(QuestionSpec(q.key, q.weight) for q in d.questions if q.scored))
            for d in definition.dimensions)
        structure = _STRUCTURES[questionnaire.checksum] = Structure(
            definition.scale.min, definition.scale.max, tuple(d for d in dimensions if d.questions))
    return structure


def workshop_benchmark(workshop: Workshop) -> list[Row]:
    """Every row of the workshop's benchmark (DESIGN.md, Numbers), hot-seat regions by code."""
    regions = db.session.execute(
        select(Region.id, Region.code)
        .join(workshop_hot_seat, workshop_hot_seat.c.region_id == Region.id)
        .where(workshop_hot_seat.c.workshop_id == workshop.id)
        .order_by(Region.code)
    ).all()
    pairs = [(workshop.id, region_id, code) for region_id, code in regions]
    return _rows(structure_for(workshop.questionnaire), workshop.questionnaire_id, pairs)


@dataclass(frozen=True)
class Source:
    """The workshop a region's figures on the programme page come from."""

    workshop_id: int
    slug: str
    title: str
    starts: date
    status: WorkshopStatus


@dataclass(frozen=True)
class ProgrammeBenchmark:
    """Rows of every region assessed with one questionnaire version, and where each comes from."""

    rows: list[Row]
    sources: dict[str, Source]  # region code → workshop


def programme_benchmark(programme: Programme, questionnaire: Questionnaire,
                        workshop_ids: Iterable[int] | None = None) -> ProgrammeBenchmark:
    """Every region that sat in the hot seat of a programme's workshop with this questionnaire
    version, from its latest such workshop; group figures span all those regions.

    ``workshop_ids`` limits the workshops that count (the ones the viewer may see); by default
    only published workshops count. Regions come in code order.
    """
    stmt = (
        select(Region.id, Region.code, Workshop.id, Workshop.slug, Workshop.title, Workshop.starts,
               Workshop.status)
        .select_from(workshop_hot_seat)
        .join(Workshop, Workshop.id == workshop_hot_seat.c.workshop_id)
        .join(Region, Region.id == workshop_hot_seat.c.region_id)
        .where(Workshop.programme_id == programme.id, Workshop.questionnaire_id == questionnaire.id)
        .order_by(Region.code, Workshop.starts.desc(), Workshop.id.desc())
    )
    if workshop_ids is None:
        stmt = stmt.where(Workshop.status == WorkshopStatus.PUBLISHED)
    else:
        stmt = stmt.where(Workshop.id.in_(list(workshop_ids)))
    pairs, sources = [], {}
    for region_id, code, workshop_id, slug, title, starts, status in db.session.execute(stmt):
        if code not in sources:  # the latest workshop of each region
            sources[code] = Source(workshop_id, slug, title, starts, WorkshopStatus(status))
            pairs.append((workshop_id, region_id, code))
    return ProgrammeBenchmark(_rows(structure_for(questionnaire), questionnaire.id, pairs), sources)


def _rows(structure: Structure, questionnaire_id: int, pairs: Sequence[tuple[int, int, str]]) -> list[Row]:
    """Rows for (workshop id, region id, label) pairs, labels in the order given: three queries."""
    if not pairs:
        return []
    workshop_ids = sorted({w for w, _, _ in pairs})
    with without_cyclic_gc():
        keys = scored_question_keys(questionnaire_id)
        ids = {key: question_id for question_id, key in keys.items()}
        question_ids = [ids.get(key) for key in structure.question_keys()]
        own = _self_scores(workshop_ids).get
        peers = _peer_summaries(structure, keys, workshop_ids).get
        return benchmark_from_summaries(structure, {
            label: ([own((w, r, q)) for q in question_ids], [peers((w, r, q)) for q in question_ids])
            for w, r, label in pairs
        })


_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextmanager
def without_cyclic_gc():
    """The cyclic garbage collector paused while the body runs (threads may nest it).

    Computing a large benchmark makes some 100,000 small acyclic objects (rows, tuples, floats):
    reference counting frees them all, and the collector, triggered every 700 allocations, only
    rescans them and everything else alive — 10–30 % of the computation (docs/benchmark.md).
    """
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


def scored_question_keys(questionnaire_id: int) -> dict[int, str]:
    """{question id: key} of the questionnaire's scale questions.

    The score queries below filter on workshops only and keep the scores of these questions in
    Python: with a filter on the question table in the same query, SQLite (which has no table
    statistics) may start from the question index and read every score ever given to those
    questions, in every workshop, instead of the few workshops asked for.
    """
    rows = db.session.connection().execute(
        select(Question.id, Question.key).where(Question.questionnaire_id == questionnaire_id, Question.type == "scale"))
    return {question_id: key for question_id, key in rows}


def _self_scores(workshop_ids: list[int]) -> dict[tuple[int, int, int], int]:
    """{(workshop, region, question id): score} from submitted self-assessments, N/A left out."""
    rows = db.session.connection().execute(  # Core rows: no ORM overhead per row
        select(Assessment.workshop_id, Assessment.region_id, Answer.question_id, Answer.score)
        .select_from(Answer)
        .join(Assessment, Assessment.id == Answer.assessment_id)
        .where(Assessment.workshop_id.in_(workshop_ids), Assessment.status == AssessmentStatus.SUBMITTED,
               Answer.score.is_not(None), Answer.not_applicable.is_(False))
    ).all()  # fetched at once: iterating fetches row by row, a Python call each
    return {(workshop_id, region_id, question_id): score for workshop_id, region_id, question_id, score in rows}


_UNSEEN = object()


def submitted_peer_scores(workshop_ids: list[int]):
    """The peer scores that count: submitted reviews, N/A and empty scores left out.

    Columns ``workshop_id, region_id, reviewer_id, question_id, score``: a select to run or to use
    as a subquery (keep the scored questions with :func:`scored_question_keys`).
    """
    return (
        select(ReviewerAssignment.workshop_id.label("workshop_id"),
               ReviewerAssignment.region_id.label("region_id"),
               ReviewerAssignment.reviewer_id.label("reviewer_id"),
               ReviewScore.question_id.label("question_id"),
               ReviewScore.score.label("score"))
        .select_from(ReviewScore)
        .join(Review, Review.id == ReviewScore.review_id)
        .join(ReviewerAssignment, ReviewerAssignment.id == Review.assignment_id)
        .where(ReviewerAssignment.workshop_id.in_(workshop_ids), Review.status == ReviewStatus.SUBMITTED,
               ReviewScore.score.is_not(None), ReviewScore.not_applicable.is_(False))
    )


def _peer_summaries(structure: Structure, keys: dict[int, str],
                    workshop_ids: list[int]) -> dict[tuple[int, int, int], Summary]:
    """{(workshop, region, question id): Summary} of the scored questions (``keys``), aggregated
    in SQL, in one query.

    Per (workshop, region, question) the database counts the peer scores at each point of the
    scale; n, Σv, Σv², min, max and the median follow exactly from those counts (a GROUP BY with a
    few counters is far cheaper than sending every score, or than a window function for the
    median). A score off the scale would escape the counters: such groups are summarised from
    their values (one more query, only then).
    """
    points = range(structure.scale_min, structure.scale_max + 1)
    scores = submitted_peer_scores(workshop_ids).subquery()
    group = (scores.c.workshop_id, scores.c.region_id, scores.c.question_id)
    connection = db.session.connection()
    rows = connection.execute(
        select(*group, func.count(scores.c.score),
               *(func.count(case((scores.c.score == point, 1))) for point in points))
        .group_by(*group)
    ).all()
    result: dict[tuple[int, int, int], Summary] = {}
    off_scale = set()
    # A few hundred distinct (n, counts) among thousands of groups: each is summarised once.
    summaries: dict[tuple[int, ...], Summary | None] = {}
    for row in rows:
        if row[2] not in keys:
            continue
        counts = row[3:]
        summary = summaries.get(counts, _UNSEEN)
        if summary is _UNSEEN:
            histogram = counts[1:]
            summary = summaries[counts] = (summary_from_counts(zip(points, histogram))
                                           if sum(histogram) == counts[0] else None)
        if summary is None:
            off_scale.add(row[:3])
        else:
            result[row[:3]] = summary
    if off_scale:
        values: dict[tuple[int, int, int], list[int]] = {}
        for workshop_id, region_id, _, question_id, score in connection.execute(submitted_peer_scores(workshop_ids)):
            if (workshop_id, region_id, question_id) in off_scale:
                values.setdefault((workshop_id, region_id, question_id), []).append(score)
        for group_key, group_values in values.items():
            result[group_key] = summarise(group_values)
    return result


@dataclass(frozen=True)
class ReviewerCalibration:
    """One reviewer's mean offset from the other reviewers of the same regions (host only)."""

    name: str
    region: str | None  # the reviewer's own region code
    offset: Offset


def reviewer_calibration(workshop: Workshop) -> list[ReviewerCalibration]:
    """Every reviewer with a submitted review, by name: two queries (scores, then names)."""
    keys = scored_question_keys(workshop.questionnaire_id)
    codes = dict(db.session.connection().execute(
        select(Region.id, Region.code).join(workshop_hot_seat, workshop_hot_seat.c.region_id == Region.id)
        .where(workshop_hot_seat.c.workshop_id == workshop.id)).tuples().all())
    offsets = reviewer_offsets(
        (codes.get(region_id, str(region_id)), reviewer_id, keys[question_id], score)
        for _, region_id, reviewer_id, question_id, score
        in db.session.connection().execute(submitted_peer_scores([workshop.id]))
        if question_id in keys)
    if not offsets:
        return []
    people = db.session.execute(
        select(User.id, User.name, Region.code).outerjoin(Region, Region.id == User.region_id)
        .where(User.id.in_(list(offsets))))
    names = {user_id: (name, code) for user_id, name, code in people}
    return sorted((ReviewerCalibration(*names[user_id], offset) for user_id, offset in offsets.items()),
                  key=lambda c: (-abs(c.offset.mean or 0), c.name))


def programme_workshops(programme_id: int, questionnaire_id: int | None = None) -> list[Workshop]:
    """A programme's workshops (with one questionnaire version), newest first."""
    stmt = select(Workshop).where(Workshop.programme_id == programme_id)
    if questionnaire_id is not None:
        stmt = stmt.where(Workshop.questionnaire_id == questionnaire_id)
    return list(db.session.scalars(stmt.order_by(Workshop.starts.desc(), Workshop.id.desc())))


class RegionNote(NamedTuple):
    code: str
    name: str


class PracticeNote(NamedTuple):
    """What "learn from" shows of a published practice: plain values, to keep in the cache."""

    slug: str
    title: str
    summary: str | None
    organisation: str | None
    region: RegionNote | None


def published_practices(dimension_keys: Iterable[str]) -> dict[str, list[PracticeNote]]:
    """{dimension key: published practices classified under it}, with their regions: one query."""
    keys = list(dimension_keys)
    result: dict[str, list[PracticeNote]] = {key: [] for key in keys}
    if not keys:
        return result
    rows = db.session.execute(
        select(Practice.slug, Practice.title, Practice.summary, Practice.organisation, Region.code, Region.name,
               Term.key)
        .join(practice_term, practice_term.c.practice_id == Practice.id)
        .join(Term, Term.id == practice_term.c.term_id)
        .outerjoin(Region, Region.id == Practice.region_id)
        .where(Term.vocabulary == Vocabulary.DIMENSION, Term.key.in_(keys),
               Practice.status == PracticeStatus.PUBLISHED)
        .order_by(Practice.title))
    for slug, title, summary, organisation, code, name, key in rows:
        result[key].append(PracticeNote(slug, title, summary, organisation,
                                        None if code is None else RegionNote(code, name)))
    return result
