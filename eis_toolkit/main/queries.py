"""What a person's dashboard lists, each in one query."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Assessment, ReviewerAssignment, User, Workshop


def region_assessments(user: User) -> list[Assessment]:
    """The self-assessments of the person's region, newest workshop first."""
    if user.region_id is None:
        return []
    return list(db.session.scalars(
        select(Assessment)
        .join(Assessment.workshop)
        .where(Assessment.region_id == user.region_id)
        .options(joinedload(Assessment.workshop), joinedload(Assessment.questionnaire))
        .order_by(Workshop.starts.desc())
    ))


def review_assignments(user: User) -> list[ReviewerAssignment]:
    """The regions the person is asked to review, newest workshop first."""
    return list(db.session.scalars(
        select(ReviewerAssignment)
        .join(ReviewerAssignment.workshop)
        .where(ReviewerAssignment.reviewer_id == user.id)
        .options(joinedload(ReviewerAssignment.workshop), joinedload(ReviewerAssignment.region),
                 joinedload(ReviewerAssignment.review))
        .order_by(Workshop.starts.desc())
    ))


def hosted_workshops(user: User) -> list[Workshop]:
    """Workshops of the person's region (admins: all), newest first."""
    stmt = select(Workshop).options(selectinload(Workshop.hot_seat), joinedload(Workshop.host_region))
    if not user.has_role("admin"):
        stmt = stmt.where(Workshop.host_region_id == user.region_id)
    return list(db.session.scalars(stmt.order_by(Workshop.starts.desc())))
