"""Setting a workshop up: the workshop itself, its hot seat, site visits, reviewer assignments
and the moderation of practice nominations.

Services take model objects and clean values, change state and flush; they never commit. A
refused change raises :class:`WorkshopError` with a message for the host.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audit
from ..mail import notify
from ..catalogue.models import Practice, PracticeStatus, Term, Vocabulary
from ..extensions import db
from ..i18n import status_label
from ..models import (Answer, Assessment, EvidenceFile, Programme, Questionnaire, Region, Review, ReviewerAssignment,
                      ReviewStatus, Role, SiteVisit, User, Workshop, WorkshopStatus)
from .assignment import Pair, RegionInfo, ReviewerInfo, Suggestion, suggest_assignments
from .models import Nomination


class WorkshopError(ValueError):
    """A change to a workshop that cannot be made, with a message for the host."""


class OwnRegionError(WorkshopError):
    """A reviewer cannot review their own region (conflict of interest)."""


#: Statuses in which the hot seat, the questionnaire and the reviewers may still change.
SETUP_STATUSES = (WorkshopStatus.PLANNED,)
ASSIGNMENT_STATUSES = (WorkshopStatus.PLANNED, WorkshopStatus.OPEN)


#: Letters that Unicode does not decompose into ASCII ones.
_NOT_DECOMPOSABLE = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "þ": "th",
                                   "ð": "d", "ı": "i"})


def slugify(text: str, max_length: int = 60) -> str:
    """Lower-case ASCII letters, digits and '-' (``"Aarhus 2017"`` → ``aarhus-2017``)."""
    text = text.lower().translate(_NOT_DECOMPOSABLE)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].strip("-")
    return slug or "item"


def unique_slug(text: str, taken: Callable[[str], bool], max_length: int = 60) -> str:
    """``slugify(text)``, with ``-2``, ``-3``, ... appended while ``taken(slug)``."""
    base = slugify(text, max_length - 4)
    slug, n = base, 1
    while taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _workshop_slug_taken(slug: str, workshop: Workshop | None = None) -> bool:
    other = db.session.scalar(select(Workshop.id).where(Workshop.slug == slug))
    return other is not None and (workshop is None or other != workshop.id)


# --- the workshop -----------------------------------------------------------------------------


def create_workshop(*, programme: Programme, title: str, host_region: Region, starts: date, ends: date,
                    questionnaire: Questionnaire, hot_seat: Iterable[Region] = (), place: str = "",
                    description: str = "", show_reviewer_names: bool = False, slug: str = "",
                    user: User | None = None) -> Workshop:
    """A new workshop in status ``planned``; its hot-seat regions get a draft self-assessment."""
    title = (title or "").strip()
    if not title:
        raise WorkshopError(_("A workshop needs a title."))
    slug = (slug or "").strip().lower()
    if slug:
        if _workshop_slug_taken(slug):
            raise WorkshopError(_("There is already a workshop with the address name '%(slug)s'.", slug=slug))
    else:
        slug = unique_slug(f"{title} {starts.year}" if str(starts.year) not in title else title,
                           _workshop_slug_taken)
    _check_dates(starts, ends)
    workshop = Workshop(programme=programme, title=title, slug=slug, host_region=host_region,
                        starts=starts, ends=ends, questionnaire=questionnaire, place=(place or "").strip(),
                        description=(description or "").strip(), show_reviewer_names=show_reviewer_names,
                        status=WorkshopStatus.PLANNED)
    db.session.add(workshop)
    db.session.flush()
    set_hot_seat(workshop, hot_seat)
    audit.record("workshop.create", workshop, user)
    return workshop


def update_workshop(workshop: Workshop, *, title: str, starts: date, ends: date, place: str = "",
                    description: str = "", show_reviewer_names: bool = False,
                    questionnaire: Questionnaire | None = None, hot_seat: Iterable[Region] | None = None,
                    user: User | None = None) -> Workshop:
    """Change a workshop; questionnaire and hot seat only while it is planned."""
    title = (title or "").strip()
    if not title:
        raise WorkshopError(_("A workshop needs a title."))
    _check_dates(starts, ends)
    if questionnaire is not None and questionnaire.id != workshop.questionnaire_id:
        _change_questionnaire(workshop, questionnaire)
    if hot_seat is not None:
        set_hot_seat(workshop, hot_seat)
    workshop.title, workshop.starts, workshop.ends = title, starts, ends
    workshop.place, workshop.description = (place or "").strip(), (description or "").strip()
    workshop.show_reviewer_names = show_reviewer_names
    db.session.flush()
    audit.record("workshop.edit", workshop, user)
    return workshop


def _check_dates(starts: date, ends: date) -> None:
    if ends < starts:
        raise WorkshopError(_("The workshop cannot end before it starts."))


def _check_setup(workshop: Workshop, what: str) -> None:
    if workshop.status not in SETUP_STATUSES:
        status = status_label(workshop.status)
        raise WorkshopError(_("The questionnaire can change only while the workshop is planned (it is %(status)s).",
                              status=status) if what == "questionnaire" else
                            _("The hot seat can change only while the workshop is planned (it is %(status)s).",
                              status=status))


def _change_questionnaire(workshop: Workshop, questionnaire: Questionnaire) -> None:
    _check_setup(workshop, "questionnaire")
    for assessment in workshop.assessments:
        if assessment.answers:
            raise WorkshopError(_("%(region)s has already answered the self-assessment; "
                                  "the questionnaire can no longer change.", region=assessment.region.code))
        assessment.questionnaire_id = questionnaire.id
    workshop.questionnaire = questionnaire


def set_hot_seat(workshop: Workshop, regions: Iterable[Region]) -> None:
    """Set the hot-seat regions (while planned) and give each a draft self-assessment.

    A region leaves the hot seat with its reviewer assignments and its still empty
    self-assessment; once it has answers or a review has started, it cannot leave.
    """
    wanted = sorted(set(regions), key=lambda r: r.code)
    leaving = {r.id for r in workshop.hot_seat} - {r.id for r in wanted}
    if {r.id for r in wanted} != {r.id for r in workshop.hot_seat}:
        _check_setup(workshop, "hot seat")
        for assessment in list(workshop.assessments):
            if assessment.region_id in leaving:
                if assessment.answers:
                    raise WorkshopError(_("%(region)s has already answered its self-assessment "
                                          "and cannot leave the hot seat.", region=assessment.region.code))
                workshop.assessments.remove(assessment)
        for assignment in list(workshop.assignments):
            if assignment.region_id in leaving:
                if assignment.review is not None:
                    raise WorkshopError(_("%(name)s has started reviewing %(region)s; it cannot leave the hot seat.",
                                          name=assignment.reviewer.name, region=assignment.region.code))
                workshop.assignments.remove(assignment)
        workshop.hot_seat = wanted
    ensure_assessments(workshop)
    db.session.flush()


def ensure_assessments(workshop: Workshop) -> list[Assessment]:
    """A draft self-assessment for every hot-seat region that has none; returns the new ones."""
    have = {a.region_id for a in workshop.assessments}
    created = []
    for region in workshop.hot_seat:
        if region.id not in have:
            assessment = Assessment(workshop=workshop, region=region,
                                    questionnaire_id=workshop.questionnaire_id)
            db.session.add(assessment)
            created.append(assessment)
    return created


# --- site visits ------------------------------------------------------------------------------


def save_site_visit(workshop: Workshop, visit: SiteVisit | None, *, firm: str, what: str = "",
                    story: str = "") -> SiteVisit:
    """Add (``visit=None``, at the end) or change a site visit."""
    firm = (firm or "").strip()
    if not firm:
        raise WorkshopError(_("A site visit needs the firm's name."))
    if visit is None:
        visit = SiteVisit(position=max((v.position for v in workshop.site_visits), default=-1) + 1)
        workshop.site_visits.append(visit)
    visit.firm, visit.what, visit.story = firm, (what or "").strip(), (story or "").strip()
    db.session.flush()
    return visit


def delete_site_visit(visit: SiteVisit) -> None:
    visit.workshop.site_visits.remove(visit)
    db.session.flush()


# --- reviewer assignments ---------------------------------------------------------------------


def reviewer_candidates(workshop: Workshop) -> list[User]:
    """Active people with the reviewer role from the programme's partner regions, by name."""
    region_ids = [r.id for r in workshop.programme.regions] or [r.id for r in workshop.hot_seat]
    people = db.session.scalars(
        select(User).where(User.region_id.in_(region_ids), User.active.is_(True)).order_by(User.name))
    return [person for person in people if person.has_role(Role.REVIEWER)]


def assign_reviewer(workshop: Workshop, reviewer: User, region: Region,
                    user: User | None = None) -> ReviewerAssignment:
    """Ask ``reviewer`` to review the hot-seat region ``region``.

    Refused for someone without the reviewer role, a region outside the hot seat, a repeated
    assignment, a closed workshop, and (:class:`OwnRegionError`) the reviewer's own region.
    """
    if workshop.status not in ASSIGNMENT_STATUSES:
        raise WorkshopError(_("Reviewers can be assigned only while the workshop is planned or open (it is %(status)s).",
                              status=status_label(workshop.status)))
    if not (reviewer.active and reviewer.has_role(Role.REVIEWER)):
        raise WorkshopError(_("%(name)s does not have the reviewer role.", name=reviewer.name))
    if region not in workshop.hot_seat:
        raise WorkshopError(_("%(region)s is not in the hot seat of this workshop.", region=region.code))
    if reviewer.region_id == region.id:
        raise OwnRegionError(_("%(name)s works for %(region)s and cannot review their own region.",
                               name=reviewer.name, region=region.code))
    if any(a.reviewer_id == reviewer.id and a.region_id == region.id for a in workshop.assignments):
        raise WorkshopError(_("%(name)s already reviews %(region)s.", name=reviewer.name, region=region.code))
    assignment = ReviewerAssignment(workshop=workshop, reviewer=reviewer, region=region)
    db.session.add(assignment)
    if workshop.status == WorkshopStatus.OPEN:
        ensure_review(assignment)
    db.session.flush()
    audit.record("assignment.add", assignment, user, reviewer=reviewer.email, region=region.code)
    notify.reviewer_assigned(assignment)
    return assignment


def remove_assignment(assignment: ReviewerAssignment, user: User | None = None) -> None:
    """Take an assignment back; refused once its review is submitted (a draft goes with it)."""
    workshop = assignment.workshop
    if workshop.status not in ASSIGNMENT_STATUSES:
        raise WorkshopError(_("Assignments can change only while the workshop is planned or open."))
    review = assignment.review
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise WorkshopError(_("%(name)s has submitted the review of %(region)s; the assignment cannot be removed.",
                              name=assignment.reviewer.name, region=assignment.region.code))
    audit.record("assignment.remove", assignment, user, reviewer=assignment.reviewer.email,
                 region=assignment.region.code, draft_deleted=review is not None)
    workshop.assignments.remove(assignment)
    db.session.flush()


def _new_review(assignment: ReviewerAssignment) -> Review:
    """An empty draft for the assignment, added to the session (the next flush inserts it)."""
    assignment.review = Review(status=ReviewStatus.DRAFT, scores=[], nominations=[])  # known empty: no load
    db.session.add(assignment.review)
    return assignment.review


def ensure_review(assignment: ReviewerAssignment) -> Review:
    """The assignment's review, created as an empty draft if it has none yet."""
    if assignment.review is None:
        _new_review(assignment)
        db.session.flush()  # its version is set now: the first save names it
    return assignment.review


def draft_to_save(assignment: ReviewerAssignment, shown_version: int) -> tuple[Review, int | None]:
    """The draft review a save goes into, and the version the reviewer started from.

    The review pages never write on a GET, so a page shown before the draft existed says version
    0: its first save creates the draft and starts from it (not flushed yet, the version is None
    on both sides: the save inserts the draft with its scores, one write). A draft created
    meanwhile (another tab saved first) keeps its own version, so the 0 is then a conflict, as it
    should be."""
    if assignment.review is None and shown_version == 0:
        review = _new_review(assignment)
        return review, review.version
    return ensure_review(assignment), shown_version


def _region_info(region: Region | None) -> RegionInfo:
    if region is None:  # a reviewer who works for no partner region
        return RegionInfo(0, "", "")
    return RegionInfo(region.id, region.code, region.country)


def hot_seat_infos(workshop: Workshop) -> list[RegionInfo]:
    return [_region_info(r) for r in workshop.hot_seat]


def existing_pairs(workshop: Workshop) -> list[Pair]:
    """The workshop's assignments as plain values for :mod:`.assignment`."""
    return [Pair(_reviewer_info(a.reviewer), _region_info(a.region)) for a in workshop.assignments]


def _reviewer_info(person: User) -> ReviewerInfo:
    return ReviewerInfo(person.id, person.name, _region_info(person.region))


def suggest(workshop: Workshop, per_region: int = 3) -> Suggestion:
    """A proposal of new assignments for the workshop (see :mod:`.assignment`)."""
    candidates = [_reviewer_info(p) for p in reviewer_candidates(workshop)]
    return suggest_assignments(hot_seat_infos(workshop), candidates, existing_pairs(workshop), per_region)


def assign_pairs(workshop: Workshop, pairs: Iterable[tuple[int, int]], user: User | None = None) -> int:
    """Assign (reviewer id, region id) pairs, as a suggestion the host accepted; all or nothing."""
    people = {p.id: p for p in db.session.scalars(select(User).where(User.id.in_({p for p, _ in pairs})))}
    regions = {r.id: r for r in workshop.hot_seat}
    count = 0
    for reviewer_id, region_id in pairs:
        if reviewer_id not in people or region_id not in regions:
            raise WorkshopError(_("The suggestion is out of date; ask for a new one."))
        assign_reviewer(workshop, people[reviewer_id], regions[region_id], user)
        count += 1
    return count


# --- nominations and practices ----------------------------------------------------------------


def _practice_slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Practice.id).where(Practice.slug == slug)) is not None


def accept_nomination(nomination: Nomination, user: User | None = None) -> Practice:
    """Turn a nomination into a catalogue practice ``in_review``, owned by the reviewed region.

    The practice can then be rated by the workshop's reviewers and is edited and published in
    the catalogue.
    """
    if nomination.practice_id is not None:
        raise WorkshopError(_("“%(title)s” is already linked to a practice.", title=nomination.title))
    region = nomination.review.assignment.region
    term = db.session.scalar(select(Term).where(Term.vocabulary == Vocabulary.DIMENSION,
                                                Term.key == nomination.dimension_key))
    practice = Practice(slug=unique_slug(nomination.title, _practice_slug_taken, 100), title=nomination.title,
                        region=region, status=PracticeStatus.IN_REVIEW, summary=nomination.description,
                        transferability=nomination.why, created_by_id=user.id if user else None,
                        terms=[term] if term else [])
    db.session.add(practice)
    nomination.practice = practice
    db.session.flush()
    audit.record("nomination.accept", nomination, user, practice=practice.slug)
    return practice


def link_nomination(nomination: Nomination, practice: Practice, user: User | None = None) -> None:
    """Link a nomination to an existing practice (the same practice nominated twice)."""
    nomination.practice = practice
    db.session.flush()
    audit.record("nomination.link", nomination, user, practice=practice.slug)


def unlink_nomination(nomination: Nomination, user: User | None = None) -> None:
    """Undo an accept or a link; a practice it created stays in the catalogue."""
    if nomination.practice_id is None:
        return
    audit.record("nomination.unlink", nomination, user, practice=nomination.practice.slug)
    nomination.practice = None
    db.session.flush()


# --- deleting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletionSummary:
    """What deleting a planned workshop takes with it, for the confirmation page."""

    assessments: int
    answers: int
    files: int
    assignments: int
    site_visits: int


def deletion_summary(workshop: Workshop) -> DeletionSummary:
    """Counted in SQL: a constant number of queries however many answers and files there are."""
    def count(model, *joins) -> int:
        query = select(func.count()).select_from(model)
        for join in joins:
            query = query.join(join)
        owner = Assessment if joins else model
        return db.session.scalar(query.where(owner.workshop_id == workshop.id))

    return DeletionSummary(assessments=count(Assessment), answers=count(Answer, Answer.assessment),
                           files=count(EvidenceFile, EvidenceFile.answer, Answer.assessment),
                           assignments=count(ReviewerAssignment), site_visits=count(SiteVisit))


def delete_workshop(workshop: Workshop, user: User | None = None) -> list[str]:
    """Delete a planned workshop with its self-assessments, assignments and site visits.

    Returns the stored names of the evidence files it held: the caller deletes them once the
    deletion is committed. Refused (:class:`WorkshopError`) once the workshop has opened.
    """
    if workshop.status != WorkshopStatus.PLANNED:
        raise WorkshopError(_("Only a planned workshop can be deleted (this one is %(status)s).", status=status_label(workshop.status)))
    files = [evidence.stored_name for assessment in workshop.assessments
             for answer in assessment.answers for evidence in answer.evidence]
    audit.record("workshop.delete", workshop, user, slug=workshop.slug, title=workshop.title)
    db.session.delete(workshop)
    db.session.flush()
    return files
