"""Notifications: one function per kind, each a one-line call from the service that causes it.

Each message is rendered in its recipient's language (``force_locale``) from
``templates/mail/<kind>.txt`` and ``.html``, carries an absolute link to the page it is about, and
goes to the outbox in the caller's transaction. A person can turn each kind of :data:`KINDS` off;
a password reset always goes.
"""
from __future__ import annotations

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, lazyload

from ..extensions import db
from ..i18n import format_day
from ..models import (Assessment, AssessmentStatus, Review, ReviewerAssignment, ReviewStatus, Role, User, UserRole,
                      Workshop, WorkshopStatus)
from .models import NotificationOptOut, Reminder
from .outbox import queue

#: The kinds a person may turn off, with what each is about (the preferences page).
KINDS = {
    "reviewer_assigned": _l("I am asked to review a region"),
    "workshop_opened": _l("The review round of a workshop where I review opens"),
    "review_submitted": _l("A reviewer submits a review at a workshop my region hosts"),
    "workshop_published": _l("The results of a workshop are published for my region"),
    "self_assessment_due": _l("My region's self-assessment is due in a few days and not yet submitted"),
    "review_due": _l("A review of mine is due in a few days and not yet submitted"),
    "practice_sent_back": _l("A practice I wrote is sent back to draft by a moderator"),
    "practice_published": _l("A practice I wrote is published in the catalogue"),
}

#: Days before a deadline that ``eis notify due`` reminds of it (``--days`` changes it).
REMINDER_DAYS = 3


def absolute_url(endpoint: str, **values) -> str:
    """The page's full address: the request's host, or ``EIS_BASE_URL`` outside a request."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["EIS_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def opted_out(user_ids, kind: str) -> set[int]:
    """Those of ``user_ids`` who turned ``kind`` off, in one query."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(NotificationOptOut.user_id).where(
        NotificationOptOut.user_id.in_(ids), NotificationOptOut.kind == kind)))


def wanted_kinds(user: User) -> set[str]:
    return set(KINDS) - set(db.session.scalars(
        select(NotificationOptOut.kind).where(NotificationOptOut.user_id == user.id)))


def set_wanted_kinds(user: User, kinds) -> None:
    """Keep ``kinds`` on for ``user`` and turn every other kind of :data:`KINDS` off. Flushes."""
    kinds = set(kinds) & set(KINDS)
    db.session.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user.id))
    db.session.add_all(NotificationOptOut(user_id=user.id, kind=kind) for kind in sorted(set(KINDS) - kinds))
    db.session.flush()


def send(user: User, kind: str, subject, link: str, **context):
    """Render ``templates/mail/<kind>.*`` for ``user`` in their language and queue it.

    ``subject`` is a callable returning the translated subject (called in that language)."""
    language = user.language or "en"
    with force_locale(language):
        values = {"person": user, "link": link, **context}
        return queue(user.email, str(subject()), render_template(f"mail/{kind}.txt", **values),
                     html=render_template(f"mail/{kind}.html", **values), kind=kind, language=language)


def _send_to(people, kind: str, subject, link_for, context_for=None, **context) -> int:
    """Send ``kind`` to the active ``people`` who did not turn it off; returns how many.
    ``context_for(person)`` adds what differs from one person to the next."""
    people = [p for p in people if p.active]
    refused = opted_out((p.id for p in people), kind)
    count = 0
    for person in people:
        if person.id not in refused:
            send(person, kind, subject, link_for(person), **context, **(context_for(person) if context_for else {}))
            count += 1
    return count


def _active_with_role(role: Role, *where) -> list[User]:
    """The active people with ``role`` who match ``where``, by id; one query (their roles, which
    the messages do not show, are not loaded)."""
    return list(db.session.scalars(select(User).join(User.role_rows)
                                   .where(UserRole.role == role, User.active.is_(True), *where)
                                   .options(lazyload(User.role_rows)).order_by(User.id)))


def reviewer_assigned(assignment) -> int:
    """To the reviewer: which region, at which workshop; a link to their review (or inbox)."""
    workshop, region = assignment.workshop, assignment.region

    def link(person):
        if assignment.review is not None:
            return absolute_url("workshops.review", assignment_id=assignment.id)
        return absolute_url("workshops.inbox")

    return _send_to([assignment.reviewer], "reviewer_assigned",
                    lambda: _("You are asked to review %(region)s at %(workshop)s",
                              region=region.name, workshop=workshop.title),
                    link, workshop=workshop, region=region)


def workshop_opened(workshop) -> int:
    """To each reviewer assigned at the workshop: the round is open, and the regions they review;
    a link to their reviews."""
    regions: dict[int, list[str]] = {}
    reviewers = {}
    for assignment in sorted(workshop.assignments, key=lambda a: (a.reviewer_id, a.region.name)):
        reviewers[assignment.reviewer_id] = assignment.reviewer
        regions.setdefault(assignment.reviewer_id, []).append(assignment.region.name)
    return _send_to(list(reviewers.values()), "workshop_opened",
                    lambda: _("The review round of %(workshop)s is open", workshop=workshop.title),
                    lambda person: absolute_url("workshops.inbox"),
                    context_for=lambda person: {"regions": regions[person.id]}, workshop=workshop)


def review_submitted(review) -> int:
    """To the hosts of the workshop's host region: who reviewed which region; a link to the workshop."""
    assignment = review.assignment
    workshop = assignment.workshop
    return _send_to(_active_with_role(Role.HOST, User.region_id == workshop.host_region_id), "review_submitted",
                    lambda: _("%(reviewer)s submitted the review of %(region)s",
                              reviewer=assignment.reviewer.name, region=assignment.region.name),
                    lambda person: absolute_url("workshops.detail", slug=workshop.slug),
                    workshop=workshop, region=assignment.region, reviewer=assignment.reviewer)


def workshop_published(workshop) -> int:
    """To the members of each hot-seat region: a link to their region's scorecard."""
    regions = {region.id: region for region in workshop.hot_seat}
    return _send_to(_active_with_role(Role.REGION, User.region_id.in_(list(regions))), "workshop_published",
                    lambda: _("The results of %(workshop)s are published", workshop=workshop.title),
                    lambda person: absolute_url("benchmark.scorecard", slug=workshop.slug,
                                                code=regions[person.region_id].code),
                    workshop=workshop)


def _practice_author(practice, moderator) -> list[User]:
    """The practice's author, unless they moderated it themselves (or no longer exist)."""
    author = db.session.get(User, practice.created_by_id) if practice.created_by_id else None
    return [author] if author is not None and (moderator is None or author.id != moderator.id) else []


def practice_sent_back(practice, reason: str, moderator=None) -> int:
    """To the practice's author: sent back to draft, the moderator's reason; a link to the practice."""
    return _send_to(_practice_author(practice, moderator), "practice_sent_back",
                    lambda: _("Your practice “%(title)s” is back to draft", title=practice.title),
                    lambda person: absolute_url("catalogue.practice", slug=practice.slug),
                    practice=practice, reason=reason, moderator=moderator)


def practice_published(practice, moderator=None) -> int:
    """To the practice's author: it is in the public catalogue now; a link to the practice."""
    return _send_to(_practice_author(practice, moderator), "practice_published",
                    lambda: _("Your practice “%(title)s” is published", title=practice.title),
                    lambda person: absolute_url("catalogue.practice", slug=practice.slug),
                    practice=practice, moderator=moderator)


# --- deadline reminders (eis notify due) ----------------------------------------------------------
# A self-assessment is due by its own deadline, else by the day its workshop starts (the peers read
# it before they meet); a review is due by the last day of its workshop while the workshop is open.


def _remind(people, kind: str, subject_id: int, subject, link_for, **context) -> int:
    """Send ``kind`` about ``subject_id`` to those of ``people`` never reminded of it; record it."""
    reminded = set(db.session.scalars(select(Reminder.user_id).where(
        Reminder.kind == kind, Reminder.subject_id == subject_id)))
    fresh = [p for p in people if p.id not in reminded and p.active]
    count = _send_to(fresh, kind, subject, link_for, **context)
    db.session.add_all(Reminder(kind=kind, subject_id=subject_id, user_id=p.id) for p in fresh)
    db.session.flush()
    return count


def due_reminders(today: date, days: int = REMINDER_DAYS) -> int:
    """Queue every reminder due on ``today`` (deadlines from today to ``days`` ahead); returns how
    many messages were queued. Idempotent: a reminder already sent is never sent again."""
    last = today + timedelta(days=days)
    count = 0
    drafts = db.session.scalars(
        select(Assessment).join(Workshop, Workshop.id == Assessment.workshop_id)
        .where(Assessment.status == AssessmentStatus.DRAFT,
               Workshop.status.in_([WorkshopStatus.PLANNED, WorkshopStatus.OPEN]))
        .options(joinedload(Assessment.workshop), joinedload(Assessment.region)).order_by(Assessment.id))
    for assessment in drafts:
        due = assessment.deadline.date() if assessment.deadline else assessment.workshop.starts
        if not today <= due <= last:
            continue
        members = db.session.scalars(select(User).join(User.role_rows).where(
            User.region_id == assessment.region_id, UserRole.role == Role.REGION).order_by(User.id))
        count += _remind(list(members), "self_assessment_due", assessment.id,
                         lambda: _("Your self-assessment for %(workshop)s is due on %(day)s",
                                   workshop=assessment.workshop.title, day=format_day(due)),
                         lambda person: absolute_url("assessments.overview", assessment_id=assessment.id),
                         workshop=assessment.workshop, region=assessment.region, due=due)
    unsubmitted = db.session.scalars(
        select(ReviewerAssignment).join(Workshop, Workshop.id == ReviewerAssignment.workshop_id)
        .outerjoin(Review, Review.assignment_id == ReviewerAssignment.id)
        .where(Workshop.status == WorkshopStatus.OPEN, Workshop.ends >= today, Workshop.ends <= last,
               (Review.id.is_(None)) | (Review.status != ReviewStatus.SUBMITTED))
        .options(joinedload(ReviewerAssignment.workshop), joinedload(ReviewerAssignment.region),
                 joinedload(ReviewerAssignment.reviewer)).order_by(ReviewerAssignment.id))
    for assignment in unsubmitted:
        workshop = assignment.workshop
        count += _remind([assignment.reviewer], "review_due", assignment.id,
                         lambda: _("Your review of %(region)s is due on %(day)s",
                                   region=assignment.region.name, day=format_day(workshop.ends)),
                         lambda person: absolute_url("workshops.review", assignment_id=assignment.id),
                         workshop=workshop, region=assignment.region, due=workshop.ends)
    return count
