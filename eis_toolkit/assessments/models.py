"""Assessments, their answers and evidence files."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import str_enum, utcnow
from ..extensions import db


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Assessment(db.Model):
    """One region's self-assessment for one workshop: ``draft → submitted`` (a host may reopen)."""

    __table_args__ = (UniqueConstraint("workshop_id", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    status: Mapped[AssessmentStatus] = mapped_column(
        str_enum(AssessmentStatus), default=AssessmentStatus.DRAFT
    )
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    workshop: Mapped["Workshop"] = relationship(back_populates="assessments")  # noqa: F821
    region: Mapped["Region"] = relationship()  # noqa: F821
    questionnaire: Mapped["Questionnaire"] = relationship()  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship()  # noqa: F821
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", foreign_keys="Answer.assessment_id"
    )


class Answer(db.Model):
    """The answer to one question: a score (scale) or a value (others), a comment, evidence.

    ``carried_from_id`` marks an answer copied from the region's previous self-assessment that
    nobody has confirmed or changed yet.

    ``version`` is the optimistic-locking counter: a save names the version it started from.
    """

    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    score: Mapped[int | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    value: Mapped[object | None] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Copied from this earlier self-assessment of the region and not confirmed since (None: the
    #: answer was given, changed or confirmed in this assessment). See ``services.carry_over``.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id", ondelete="SET NULL"))

    assessment: Mapped[Assessment] = relationship(back_populates="answers", foreign_keys=[assessment_id])
    question: Mapped["Question"] = relationship()  # noqa: F821
    updated_by: Mapped["User | None"] = relationship()  # noqa: F821
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="answer", cascade="all, delete-orphan", order_by="EvidenceFile.uploaded_at"
    )

    __mapper_args__ = {"version_id_col": version}


class EvidenceFile(db.Model):
    """A file attached to an answer, stored under ``EIS_UPLOAD_DIR`` with a random name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, shown to people
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    answer: Mapped[Answer] = relationship(back_populates="evidence")
