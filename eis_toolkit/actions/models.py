"""Action plans per hot-seat region and published workshop, their actions, the actions' dated
progress reports, and the comments of the host and the peers."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import str_enum, utcnow
from ..extensions import db


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    STARTED = "started"
    DONE = "done"
    DROPPED = "dropped"


class BackgroundKind(enum.StrEnum):
    """What inspired an action: a peer recommendation, a weak dimension or a catalogue practice."""
    RECOMMENDATION = "recommendation"
    DIMENSION = "dimension"
    PRACTICE = "practice"


class ActionPlan(db.Model):
    """One hot-seat region's plan after one published workshop: ``draft → submitted``."""

    __table_args__ = (UniqueConstraint("workshop_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.DRAFT)
    #: The policy instrument the plan addresses and its context (Interreg "general information").
    policy_context: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    workshop: Mapped["Workshop"] = relationship()  # noqa: F821
    region: Mapped["Region"] = relationship()  # noqa: F821
    actions: Mapped[list[Action]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                 order_by="Action.position, Action.id")
    comments: Mapped[list[PlanComment]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                       order_by="PlanComment.created_at, PlanComment.id")


class Action(db.Model):
    """One action of a plan: its background, what, who, when, costs, funding, and an indicator."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    background_kind: Mapped[BackgroundKind | None] = mapped_column(str_enum(BackgroundKind), nullable=True)
    #: The dimension key, the practice's slug or the review's id the background points at.
    background_ref: Mapped[str] = mapped_column(String(200), default="")
    background: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    players: Mapped[str] = mapped_column(Text, default="")
    starts: Mapped[date | None] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    costs: Mapped[str] = mapped_column(Text, default="")
    funding: Mapped[str] = mapped_column(Text, default="")
    dimension_key: Mapped[str] = mapped_column(String(64), default="")
    indicator: Mapped[str] = mapped_column(String(300), default="")
    baseline: Mapped[float | None]
    target: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="actions")
    reports: Mapped[list[ProgressReport]] = relationship(
        back_populates="action", cascade="all, delete-orphan",
        order_by="ProgressReport.reported_on, ProgressReport.id")


class ProgressReport(db.Model):
    """A dated report on one action: its status then (``dropped`` needs a reason) and the
    indicator's current value."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus))
    current_value: Mapped[float | None]
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped[Action] = relationship(back_populates="reports")
    author: Mapped["User | None"] = relationship()  # noqa: F821


class PlanComment(db.Model):
    """A remark on a plan by the host, a peer who reviewed the region, or the region itself."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="comments")
    author: Mapped["User | None"] = relationship()  # noqa: F821
