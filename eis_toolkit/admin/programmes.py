"""Programmes and their partner regions, for admins: create, edit, add and remove partners, delete.

Services add to the session and flush; the request commits. Every change leaves an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audit
from ..accounts.services import AccountError
from ..extensions import db
from ..models import (Assessment, AssessmentStatus, Programme, Region, ReviewerAssignment, Workshop,
                      programme_region, workshop_hot_seat)


def find_programme(slug: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.slug == slug.strip().lower()))


def slug_taken(slug: str) -> AccountError:
    return AccountError(_("There is already a programme with the address name %(slug)s.", slug=slug), field="slug")


def save_programme(programme: Programme | None, *, slug: str, title: str, description: str,
                   starts: date | None, ends: date | None, user=None) -> Programme:
    """Create (``programme=None``) or change a programme; slugs are unique, a programme does not
    end before it starts."""
    slug = slug.strip().lower()
    other = find_programme(slug)
    if other is not None and other is not programme:
        raise slug_taken(slug)
    if starts and ends and ends < starts:
        raise AccountError(_("The end is before the start."), field="ends")
    values = {"slug": slug, "title": title.strip(), "description": description.strip(),
              "starts": starts, "ends": ends}
    if programme is None:
        programme = Programme(**values)
        db.session.add(programme)
        db.session.flush()
        audit.record("programme.create", programme, user, slug=slug, title=programme.title)
        return programme
    changes = {name: [_plain(getattr(programme, name)), _plain(value)]
               for name, value in values.items() if getattr(programme, name) != value}
    for name, value in values.items():
        setattr(programme, name, value)
    db.session.flush()
    if changes:
        audit.record("programme.edit", programme, user, changes=changes)
    return programme


def _plain(value):
    """A value as the audit trail's JSON keeps it."""
    return value.isoformat() if isinstance(value, date) else value


def add_partner(programme: Programme, region: Region, user=None) -> None:
    """Make ``region`` a partner of ``programme`` (nothing happens if it is one already)."""
    if region in programme.regions:
        return
    programme.regions.append(region)
    db.session.flush()
    audit.record("programme.partner_add", programme, user, region=region.code)


@dataclass
class Dependants:
    """What a partner region has in a programme: what removing it would leave behind."""

    hosted: list[Workshop] = field(default_factory=list)     # workshops it hosts: would be orphaned
    hot_seat: list[Workshop] = field(default_factory=list)   # workshops that review it
    assessments: int = 0                                     # its self-assessments in the programme
    submitted: int = 0                                       # ... of which submitted: would be orphaned
    assignments: int = 0                                     # reviewer assignments to review it

    @property
    def blocking(self) -> bool:
        """Removing the region would orphan data: a workshop it hosts, or a self-assessment it submitted."""
        return bool(self.hosted or self.submitted)

    @property
    def any(self) -> bool:
        return bool(self.hosted or self.hot_seat or self.assessments or self.assignments)


def partner_dependants(programme: Programme, region: Region) -> Dependants:
    """What ``region`` has in ``programme``'s workshops (four queries, however many workshops)."""
    in_programme = Workshop.programme_id == programme.id
    hosted = list(db.session.scalars(select(Workshop).where(in_programme, Workshop.host_region_id == region.id)
                                     .order_by(Workshop.starts)))
    hot_seat = list(db.session.scalars(
        select(Workshop).join(workshop_hot_seat, workshop_hot_seat.c.workshop_id == Workshop.id)
        .where(in_programme, workshop_hot_seat.c.region_id == region.id).order_by(Workshop.starts)))
    assessments, submitted = db.session.execute(
        select(func.count(Assessment.id),
               func.count(Assessment.id).filter(Assessment.status == AssessmentStatus.SUBMITTED))
        .join(Workshop, Workshop.id == Assessment.workshop_id)
        .where(in_programme, Assessment.region_id == region.id)).one()
    assignments = db.session.scalar(
        select(func.count(ReviewerAssignment.id)).join(Workshop, Workshop.id == ReviewerAssignment.workshop_id)
        .where(in_programme, ReviewerAssignment.region_id == region.id))
    return Dependants(hosted, hot_seat, assessments, submitted, assignments)


def remove_partner(programme: Programme, region: Region, user=None) -> Dependants:
    """Take ``region`` out of ``programme``; refuses when that would orphan data (see
    ``Dependants.blocking``). The region's other workshop data stays as it is."""
    dependants = partner_dependants(programme, region)
    if dependants.blocking:
        raise AccountError(_("%(region)s cannot be removed: it hosts workshops or has submitted self-assessments "
                             "in this programme.", region=region))
    if region in programme.regions:
        programme.regions.remove(region)
        db.session.flush()
        audit.record("programme.partner_remove", programme, user, region=region.code,
                     hot_seat=[w.slug for w in dependants.hot_seat], assessments=dependants.assessments,
                     assignments=dependants.assignments)
    return dependants


def delete_programme(programme: Programme, user=None) -> None:
    """Delete a programme that has no workshops (its partner list goes with it)."""
    if workshop_count(programme):
        raise AccountError(_("%(title)s has workshops: only an empty programme can be deleted.",
                             title=programme.title))
    audit.record("programme.delete", programme, user, slug=programme.slug, title=programme.title,
                 regions=[r.code for r in programme.regions])
    db.session.delete(programme)
    db.session.flush()


def workshop_count(programme: Programme) -> int:
    return db.session.scalar(select(func.count(Workshop.id)).where(Workshop.programme_id == programme.id))


def counts(programme_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{programme id: (partner regions, workshops)}`` for a page of programmes, in two queries."""
    regions = dict(db.session.execute(
        select(programme_region.c.programme_id, func.count()).where(programme_region.c.programme_id.in_(programme_ids))
        .group_by(programme_region.c.programme_id)).all())
    workshops = dict(db.session.execute(
        select(Workshop.programme_id, func.count(Workshop.id)).where(Workshop.programme_id.in_(programme_ids))
        .group_by(Workshop.programme_id)).all())
    return {pid: (regions.get(pid, 0), workshops.get(pid, 0)) for pid in programme_ids}
