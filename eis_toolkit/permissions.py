"""Who may do what: small predicates that every view and template asks (DESIGN.md, People).

Each takes the person (possibly anonymous) first and the object second, and returns a bool.
"""
from __future__ import annotations

from .models import Assessment, Role, Workshop, WorkshopStatus


def _logged_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_admin(user) -> bool:
    return _logged_in(user) and user.has_role(Role.ADMIN)


def can_manage_people(user) -> bool:
    """Create and edit people, regions and programmes."""
    return is_admin(user)


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
    return any(a.reviewer_id == user.id and a.region_id == region_id for a in workshop.assignments)


def can_read_own_reviews(user, workshop: Workshop, region_id: int) -> bool:
    """A reviewed region reads its peer reviews once the workshop is published."""
    return workshop.status == WorkshopStatus.PUBLISHED and is_region_member(user, region_id)
