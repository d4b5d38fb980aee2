"""Workshops, hot-seat regions, reviewer assignments, site visits, reviews and their scores."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import str_enum, utcnow
from ..extensions import db


class WorkshopStatus(enum.StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


workshop_hot_seat = Table(
    "workshop_hot_seat",
    db.metadata,
    Column("workshop_id", ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)


class Workshop(db.Model):
    """A review event: ``planned → open → closed → published``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    host_region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    place: Mapped[str] = mapped_column(String(200), default="")
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    status: Mapped[WorkshopStatus] = mapped_column(
        str_enum(WorkshopStatus), default=WorkshopStatus.PLANNED
    )
    #: Whether the reviewed regions see who wrote each review once published.
    show_reviewer_names: Mapped[bool] = mapped_column(default=False)
    #: Whether the live session screen shows the numbers (the host's "reveal" switch).
    live_revealed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped["Programme"] = relationship(back_populates="workshops")  # noqa: F821
    host_region: Mapped["Region"] = relationship()  # noqa: F821
    questionnaire: Mapped["Questionnaire"] = relationship()  # noqa: F821
    hot_seat: Mapped[list["Region"]] = relationship(  # noqa: F821
        secondary=workshop_hot_seat, order_by="Region.code"
    )
    assessments: Mapped[list["Assessment"]] = relationship(  # noqa: F821
        back_populates="workshop", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[ReviewerAssignment]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    site_visits: Mapped[list[SiteVisit]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="SiteVisit.position"
    )


class ReviewerAssignment(db.Model):
    """A reviewer asked to review one hot-seat region at one workshop."""

    __table_args__ = (UniqueConstraint("workshop_id", "reviewer_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="assignments")
    reviewer: Mapped["User"] = relationship()  # noqa: F821
    region: Mapped["Region"] = relationship()  # noqa: F821
    review: Mapped[Review | None] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )


class SiteVisit(db.Model):
    """A firm visited during the workshop: what it does and what it told the group."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    firm: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="")

    workshop: Mapped[Workshop] = relationship(back_populates="site_visits")


class Review(db.Model):
    """One reviewer's scores and comments on one hot-seat region: ``draft → submitted``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("reviewer_assignment.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus), default=ReviewStatus.DRAFT)
    strengths: Mapped[str] = mapped_column(Text, default="")
    weaknesses: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assignment: Mapped[ReviewerAssignment] = relationship(back_populates="review")
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )
    nominations: Mapped[list[Nomination]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Nomination.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ReviewScore(db.Model):
    """A reviewer's score on one scored question; ``not_applicable`` is an explicit N/A."""

    __table_args__ = (UniqueConstraint("review_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    score: Mapped[int | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    question: Mapped["Question"] = relationship()  # noqa: F821


class Nomination(db.Model):
    """A good practice a reviewer nominates; moderation may turn it into a catalogue practice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    dimension_key: Mapped[str] = mapped_column(String(64))
    why: Mapped[str] = mapped_column(Text, default="")
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id", ondelete="SET NULL"))

    review: Mapped[Review] = relationship(back_populates="nominations")
    practice: Mapped["Practice | None"] = relationship()  # noqa: F821
