"""Who may do what: small predicates that every view and template asks (DESIGN.md, People).

Each takes the person (possibly anonymous) first and the object second, and returns a bool.
A rule that depends on a collection (a workshop's assignments, a person's programmes) asks the
database with ``EXISTS`` and never loads the collection: a check costs one short query however
large the workshop (loading 2,700 assignments per page view is what crashed Python 3.11 workers).
"""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import exists, select

from .extensions import db
from .models import (Assessment, Review, ReviewerAssignment, ReviewStatus, Role, Workshop, WorkshopStatus,
                     programme_region, workshop_hot_seat)


def _exists(*criteria, join=None) -> bool:
    """Whether an assignment matching ``criteria`` exists (one ``SELECT EXISTS`` query)."""
    query = select(ReviewerAssignment.id)
    if join is not None:
        query = query.join(join)
    return bool(db.session.scalar(select(exists(query.where(*criteria)))))


def _logged_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_admin(user) -> bool:
    return _logged_in(user) and user.has_role(Role.ADMIN)


def can_manage_people(user) -> bool:
    """Create and edit people, regions and programmes."""
    return is_admin(user)


def can_invite_people(user) -> bool:
    """Open the invitation page: admins (anyone), hosts (region members and reviewers for the
    regions of the workshops their region hosts, see ``can_invite_to``)."""
    return is_admin(user) or (_logged_in(user) and user.has_role(Role.HOST) and user.region_id is not None)


#: The roles a host may give by invitation (never admin or host).
HOST_INVITABLE_ROLES = frozenset({Role.REGION.value, Role.REVIEWER.value})


def invitable_region_ids(user) -> set[int] | None:
    """The regions this person may invite people for: None for admins (every region, and none);
    for a host, their own region and the partner regions of the programmes of the workshops their
    region hosts (whose hot-seat regions and reviewers come from those partners)."""
    if is_admin(user):
        return None
    if not can_invite_people(user):
        return set()
    programmes = select(Workshop.programme_id).where(Workshop.host_region_id == user.region_id)
    partners = set(db.session.scalars(select(programme_region.c.region_id)
                                      .where(programme_region.c.programme_id.in_(programmes))))
    return partners | {user.region_id}


def can_invite_to(user, region_id: int | None, roles, invitable: set[int] | None = None) -> bool:
    """Invite a person with ``roles`` for ``region_id``: admins always; hosts only region members
    and reviewers of a region of ``invitable_region_ids`` (pass it in when asking for many)."""
    if is_admin(user):
        return True
    if region_id is None or not can_invite_people(user) or not set(roles) <= HOST_INVITABLE_ROLES:
        return False
    return region_id in (invitable if invitable is not None else invitable_region_ids(user))


def is_region_member(user, region_id: int | None) -> bool:
    """Staff of this region, with the region-member role."""
    return (_logged_in(user) and user.has_role(Role.REGION)
            and region_id is not None and user.region_id == region_id)


def can_host(user, workshop: Workshop | None = None) -> bool:
    """Create workshops; with a workshop: run it (hosts of its host region, and admins)."""
    if is_admin(user):
        return True
    if not (_logged_in(user) and user.has_role(Role.HOST)):
        return False
    return workshop is None or user.region_id == workshop.host_region_id


def has_conflict_of_interest(user, workshop: Workshop, region_id: int) -> bool:
    """The person works for this hot-seat region and the workshop is not published yet: like a
    reviewer, a host never judges their own region, nor sees how peers judged it, before
    publication. Admins run the installation and are not held to it."""
    return (_logged_in(user) and not is_admin(user) and user.region_id is not None
            and user.region_id == region_id and workshop.status != WorkshopStatus.PUBLISHED)


def sits_in_hot_seat(user, workshop: Workshop) -> bool:
    """The person's region is in the workshop's hot seat and the workshop is not published."""
    if not _logged_in(user) or is_admin(user) or user.region_id is None or workshop.status == WorkshopStatus.PUBLISHED:
        return False
    return bool(db.session.scalar(select(exists().where(workshop_hot_seat.c.workshop_id == workshop.id,
                                                        workshop_hot_seat.c.region_id == user.region_id))))


def can_host_region(user, workshop: Workshop, region_id: int) -> bool:
    """Host rights over one hot-seat region's reviews: the workshop's hosts, but not a host who
    works for that region before publication (the admins then run that part)."""
    return can_host(user, workshop) and not has_conflict_of_interest(user, workshop, region_id)


def can_host_all_regions(user, workshop: Workshop) -> bool:
    """Host rights over every hot-seat region's reviews at once (benchmark page, calibration)."""
    return can_host(user, workshop) and not sits_in_hot_seat(user, workshop)


def can_view_assessment(user, assessment: Assessment) -> bool:
    """The region's members, the workshop's hosts, and its reviewers of that region."""
    if is_region_member(user, assessment.region_id) or can_host(user, assessment.workshop):
        return True
    return is_assigned_reviewer(user, assessment.workshop, assessment.region_id)


def can_edit_assessment(user, assessment: Assessment) -> bool:
    """Only the region's members, only while the assessment is a draft."""
    return is_region_member(user, assessment.region_id) and assessment.status == "draft"


def is_assigned_reviewer(user, workshop: Workshop, region_id: int) -> bool:
    """Assigned to review ``region_id`` at ``workshop`` (never their own region)."""
    if not (_logged_in(user) and user.has_role(Role.REVIEWER)) or user.region_id == region_id:
        return False
    return _exists(ReviewerAssignment.workshop_id == workshop.id, ReviewerAssignment.reviewer_id == user.id,
                   ReviewerAssignment.region_id == region_id)


def can_read_own_reviews(user, workshop: Workshop, region_id: int) -> bool:
    """A reviewed region reads its peer reviews once the workshop is published."""
    return workshop.status == WorkshopStatus.PUBLISHED and is_region_member(user, region_id)


# --- workshops: reviewing, blind scoring and publication (docs/workshops.md) ------------------


def is_reviewer(user) -> bool:
    return _logged_in(user) and user.has_role(Role.REVIEWER)


def can_see_workshops(user) -> bool:
    """The workshops page: anyone logged in sees what concerns them there."""
    return _logged_in(user)


def is_own_assignment(user, assignment) -> bool:
    """The assignment is this reviewer's (and, as ever, not of their own region)."""
    return (is_reviewer(user) and assignment.reviewer_id == user.id
            and user.region_id != assignment.region_id)


def can_view_review_page(user, assignment) -> bool:
    """The review page of an assignment: its reviewer, and the workshop's hosts (not those of the
    reviewed region before publication)."""
    return is_own_assignment(user, assignment) or can_host_region(user, assignment.workshop, assignment.region_id)


def can_edit_review(user, assignment) -> bool:
    """Score, comment and nominate: the assigned reviewer, while the round is open and the
    review not submitted."""
    review = assignment.review
    return (is_own_assignment(user, assignment) and assignment.workshop.status == WorkshopStatus.OPEN
            and (review is None or review.status == "draft"))


def has_submitted_review(user, workshop: Workshop, region_id: int, known=None) -> bool:
    """This reviewer has submitted their review of ``region_id`` at ``workshop``. ``known``: an
    assignment loaded with its review; when it is this reviewer's of that region (there is one per
    reviewer, region and workshop), its review is read instead of asking the database."""
    if not (is_reviewer(user) and user.region_id != region_id):
        return False
    if known is not None and (known.workshop_id, known.reviewer_id, known.region_id) == (workshop.id, user.id, region_id):
        return known.review is not None and known.review.status == ReviewStatus.SUBMITTED
    return _exists(
        ReviewerAssignment.workshop_id == workshop.id, ReviewerAssignment.reviewer_id == user.id,
        ReviewerAssignment.region_id == region_id, Review.status == ReviewStatus.SUBMITTED,
        join=ReviewerAssignment.review)


def can_see_peer_scores(user, workshop: Workshop, region_id: int, known=None) -> bool:
    """Other people's submitted reviews of a hot-seat region (the blind rule): the workshop's
    hosts (not those of the region itself before publication); the region's reviewers once they
    submitted their own; the region once published. ``known``: see :func:`has_submitted_review`."""
    return (can_host_region(user, workshop, region_id) or has_submitted_review(user, workshop, region_id, known)
            or can_read_own_reviews(user, workshop, region_id))


def can_see_reviewer_names(user, workshop: Workshop, region_id: int, known=None) -> bool:
    """Who wrote each review: hosts and fellow reviewers who submitted; the reviewed region only
    when the host chose to show names. ``known``: see :func:`has_submitted_review`."""
    if can_host_region(user, workshop, region_id) or has_submitted_review(user, workshop, region_id, known):
        return True
    return workshop.show_reviewer_names and can_read_own_reviews(user, workshop, region_id)


def can_follow_live(user, workshop: Workshop) -> bool:
    """The live session screen on one's own device, read-only: the workshop's hosts and admins at
    any time; while the round is open or closed, its assigned reviewers and the members of its
    hot-seat regions (the people in the room). What it shows is what the host has revealed."""
    if can_host(user, workshop):
        return True
    if not _logged_in(user) or workshop.status not in (WorkshopStatus.OPEN, WorkshopStatus.CLOSED):
        return False
    if is_reviewer(user) and _exists(ReviewerAssignment.workshop_id == workshop.id,
                                     ReviewerAssignment.reviewer_id == user.id):
        return True
    return user.has_role(Role.REGION) and sits_in_hot_seat(user, workshop)


def can_rate_practices(user, workshop: Workshop) -> bool:
    """Rate the practices nominated at a workshop: its reviewers, while the round is open."""
    return (workshop.status == WorkshopStatus.OPEN and is_reviewer(user)
            and _exists(ReviewerAssignment.workshop_id == workshop.id, ReviewerAssignment.reviewer_id == user.id))


# --- self-assessments (docs/assessments.md) ---------------------------------------------------


def can_reopen_assessment(user, assessment: Assessment) -> bool:
    """Take a submitted self-assessment back to draft: the workshop's hosts (and admins)."""
    return assessment.status == "submitted" and can_host(user, assessment.workshop)


def can_see_region_assessments(user) -> bool:
    """The list of one's region's self-assessments: region members of a region."""
    return _logged_in(user) and user.has_role(Role.REGION) and user.region_id is not None


# --- benchmarks (docs/benchmark.md) -----------------------------------------------------------


def is_programme_partner(user, programme_id: int) -> bool:
    """The person works for one of the programme's partner regions."""
    return _logged_in(user) and user.region_id is not None and programme_id in _programmes_of(user.region_id)


def _programmes_of(region_id: int) -> frozenset[int]:
    """The programmes a region is a partner of: one query, remembered for the rest of the request
    (a page may ask about many workshops)."""
    memo = getattr(request, "_eis_programmes", None) if has_request_context() else None
    if memo is not None and region_id in memo:
        return memo[region_id]
    found = frozenset(db.session.scalars(
        select(programme_region.c.programme_id).where(programme_region.c.region_id == region_id)))
    if has_request_context():
        if memo is None:
            memo = request._eis_programmes = {}
        memo[region_id] = found
    return found


def can_view_benchmark(user, workshop: Workshop) -> bool:
    """A workshop's benchmark page, its charts and its exports: the workshop's hosts and admins at
    any time; once published, anyone of a partner region of the programme. Before publication
    nobody else, so a reviewer never sees peer numbers before submitting (the blind rule), and a
    host whose region sits in the hot seat waits for publication like that region."""
    if can_host_all_regions(user, workshop):
        return True
    return workshop.status == WorkshopStatus.PUBLISHED and is_programme_partner(user, workshop.programme_id)


def can_view_scorecard(user, workshop: Workshop, region_id: int) -> bool:
    """One hot-seat region's scorecard: whoever sees the workshop's benchmark, and the region's
    own members once the workshop is published. (A scorecard holds group figures of every hot-seat
    region, so a host whose region sits in the hot seat waits for publication for all of them.)"""
    return can_view_benchmark(user, workshop) or can_read_own_reviews(user, workshop, region_id)


def can_see_calibration(user, workshop: Workshop) -> bool:
    """The reviewer calibration table (each reviewer's offset from the others): hosts only, and
    not those whose region sits in the hot seat before publication."""
    return can_host_all_regions(user, workshop)


def can_view_programme_benchmark(user) -> bool:
    """The programme page: anyone logged in, and every published workshop's numbers count there
    for them (the others' as below)."""
    return _logged_in(user)


def counts_in_programme_benchmark(user, workshop: Workshop) -> bool:
    """Whether a workshop's numbers show on the programme page for this person: published ones
    for everyone logged in, the others for the workshop's hosts and admins."""
    if workshop.status == WorkshopStatus.PUBLISHED:
        return can_view_programme_benchmark(user)
    return _logged_in(user) and can_host_all_regions(user, workshop)


# --- practice catalogue (docs/catalogue.md) ---------------------------------------------------
# Anyone reads published practices; drafts and practices in review are seen by the owner
# region's members, hosts (who moderate) and admins, and by nobody else (404 for them).


def can_moderate_practices(user) -> bool:
    """Send practices back to draft or publish them: hosts and admins."""
    return is_admin(user) or (_logged_in(user) and user.has_role(Role.HOST))


def can_view_practice(user, practice) -> bool:
    """A published practice: everyone; otherwise its region's members and moderators."""
    if practice.status == "published":
        return True
    return is_region_member(user, practice.region_id) or can_moderate_practices(user)


def can_create_practice(user, region_id: int | None = None) -> bool:
    """Start a practice: region members (for their own region) and moderators (for any)."""
    if can_moderate_practices(user):
        return True
    if region_id is None:
        return _logged_in(user) and user.has_role(Role.REGION) and user.region_id is not None
    return is_region_member(user, region_id)


def can_edit_practice(user, practice) -> bool:
    """Change a practice's content: its region's members and moderators, at any status (an edit
    of a published practice stays published and is kept in the history)."""
    return is_region_member(user, practice.region_id) or can_moderate_practices(user)


def can_submit_practice(user, practice) -> bool:
    """Send a draft for review: whoever may edit it."""
    return practice.status == "draft" and can_edit_practice(user, practice)


def can_publish_practice(user, practice) -> bool:
    return practice.status == "in_review" and can_moderate_practices(user)


def can_return_practice(user, practice) -> bool:
    """Send a practice back to draft with a reason: moderators, from review or published."""
    return practice.status in ("in_review", "published") and can_moderate_practices(user)


def can_see_practice_history(user, practice) -> bool:
    return can_edit_practice(user, practice)


def can_start_practice_from(user, nomination) -> bool:
    """Start a practice from a workshop nomination: the nominated region's members once the
    workshop is published, and the workshop's hosts; only while it has no practice yet."""
    assignment = nomination.review.assignment
    if nomination.practice_id is not None:
        return False
    return (can_host_region(user, assignment.workshop, assignment.region_id)
            or can_read_own_reviews(user, assignment.workshop, assignment.region_id))


def can_read_outbox(user) -> bool:
    """Read every e-mail the toolkit sent or queued (the admin's outbox page)."""
    return is_admin(user)


# --- action plans (docs/action-plans.md) ------------------------------------------------------
# A hot-seat region's plan after a published workshop: its members write it; the workshop's hosts
# and the peers who submitted a review of the region read it and comment; nobody else sees it (a
# region never sees another region's plan).


def can_write_action_plan(user, workshop: Workshop, region_id: int) -> bool:
    """Start and edit the plan: the region's members, once the workshop is published (the plan
    must also be a draft: the services refuse changes to a submitted one)."""
    return workshop.status == WorkshopStatus.PUBLISHED and is_region_member(user, region_id)


def can_view_action_plan(user, workshop: Workshop, region_id: int) -> bool:
    """Read the plan and comment on it: its writers, the workshop's hosts and admins, and the
    peers who submitted a review of the region; only after publication."""
    if workshop.status != WorkshopStatus.PUBLISHED:
        return False
    return (is_region_member(user, region_id) or can_host(user, workshop)
            or has_submitted_review(user, workshop, region_id))


def can_report_action_progress(user, plan) -> bool:
    """Report progress on the plan's actions: the region's members, once the plan is submitted."""
    return str(plan.status) == "submitted" and can_write_action_plan(user, plan.workshop, plan.region_id)


def can_view_region_progress(user, region_id: int) -> bool:
    """A region's progress between assessments (its figures and its actions): its members and
    admins."""
    return is_region_member(user, region_id) or is_admin(user)


def can_view_progress_figures(user, workshop: Workshop, region_id: int) -> bool:
    """The region's change up to a published workshop (the T0 → T1 figures and chart, without the
    plan): whoever sees its scorecard there, and whoever sees the region's progress page."""
    return workshop.status == WorkshopStatus.PUBLISHED and (
        can_view_scorecard(user, workshop, region_id) or can_view_region_progress(user, region_id))
