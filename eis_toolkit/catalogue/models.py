"""Practices (Interreg Europe good-practice style), taxonomy terms and peer ratings."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (JSON, CheckConstraint, Column, ForeignKey, String, Table, Text,
                        UniqueConstraint, func)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import str_enum, utcnow
from ..extensions import db


class Vocabulary(enum.StrEnum):
    """The taxonomies a practice is classified by."""

    INSTRUMENT = "instrument"
    SECTOR = "sector"
    MARKET = "market"
    STAGE = "stage"
    DIMENSION = "dimension"  # questionnaire dimension keys, e.g. ``matchmaking``


class PracticeStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"


practice_term = Table(
    "practice_term",
    db.metadata,
    Column("practice_id", ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("term.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Term(db.Model):
    """One entry of a vocabulary, e.g. ``instrument:trade_fair`` or ``market:JP``."""

    __table_args__ = (UniqueConstraint("vocabulary", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[Vocabulary] = mapped_column(str_enum(Vocabulary))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[dict] = mapped_column(JSON)  # {language: label}


class Practice(db.Model):
    """A catalogue entry: ``draft → in_review → published``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: English title and summary when the practice is written in another language.
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"), index=True)
    organisation: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[PracticeStatus] = mapped_column(
        str_enum(PracticeStatus), default=PracticeStatus.DRAFT, index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    timescale: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")  # evidence of success
    transferability: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    #: Folded, stemmed words of the texts and term labels (``catalogue/text.py``), kept up to date
    #: on every flush; the full-text index (FTS5 on SQLite, GIN on PostgreSQL) is built from it.
    search_document: Mapped[str] = mapped_column(Text, default="")

    region: Mapped["Region | None"] = relationship()  # noqa: F821
    terms: Mapped[list[Term]] = relationship(secondary=practice_term, order_by="Term.key")
    ratings: Mapped[list[PracticeRating]] = relationship(
        back_populates="practice", cascade="all, delete-orphan"
    )
    editions: Mapped[list[PracticeEdition]] = relationship(
        back_populates="practice", cascade="all, delete-orphan",
        order_by=lambda: (func.coalesce(PracticeEdition.deadline, PracticeEdition.starts), PracticeEdition.id),
    )

    def keys(self, vocabulary: Vocabulary | str) -> list[str]:
        """The keys of this practice's terms in one vocabulary."""
        return [t.key for t in self.terms if t.vocabulary == vocabulary]


class PracticeRating(db.Model):
    """One peer's rating of a practice on the three criteria of DESIGN.md, each 1–5."""

    __table_args__ = (
        UniqueConstraint("practice_id", "rater_id"),
        CheckConstraint("evidence BETWEEN 1 AND 5", name="evidence_range"),
        CheckConstraint("transferability BETWEEN 1 AND 5", name="transferability_range"),
        CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id", ondelete="SET NULL"))
    evidence: Mapped[int]
    transferability: Mapped[int]
    usefulness: Mapped[int]
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="ratings")
    rater: Mapped["User"] = relationship()  # noqa: F821


class PracticeEdition(db.Model):
    """One dated run of a practice: a call's deadline, a mission's or a fair's dates and place."""

    __table_args__ = (CheckConstraint("ends IS NULL OR starts IS NULL OR ends >= starts", name="edition_dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[date | None] = mapped_column(index=True)  # last day to apply
    starts: Mapped[date | None]
    ends: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    eligibility: Mapped[str] = mapped_column(String(300), default="")  # one line

    practice: Mapped[Practice] = relationship(back_populates="editions")
