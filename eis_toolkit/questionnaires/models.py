"""Questionnaire versions as stored in the database.

The YAML file is the source (see ``schema.py``); loading it creates one ``Questionnaire`` row with
its dimensions and questions, so that answers and scores can reference questions and the
benchmark can aggregate in SQL. A version is frozen once answers exist.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..columns import utcnow
from ..extensions import db


class Questionnaire(db.Model):
    """One version of a questionnaire, ``key@version`` (e.g. ``eis-core@1``)."""

    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    title: Mapped[dict] = mapped_column(JSON)
    scale_min: Mapped[int]
    scale_max: Mapped[int]
    not_applicable: Mapped[bool]
    #: The whole definition in canonical form (``QuestionnaireDef.to_dict()``).
    definition: Mapped[dict] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    dimensions: Mapped[list[Dimension]] = relationship(
        back_populates="questionnaire", order_by="Dimension.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(order_by="Question.position", viewonly=True)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"


class Dimension(db.Model):
    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    weight: Mapped[float]
    title: Mapped[dict] = mapped_column(JSON)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="dimensions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="dimension", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """A question; only ``scale`` questions are scored and carry a weight."""

    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]  # order within the whole questionnaire
    weight: Mapped[float | None]
    required: Mapped[bool]
    text: Mapped[dict] = mapped_column(JSON)

    questionnaire: Mapped[Questionnaire] = relationship()
    dimension: Mapped[Dimension] = relationship(back_populates="questions")

    @property
    def scored(self) -> bool:
        return self.type == "scale"
