"""The outbox (every message the toolkit sends) and the kinds of notification a person turned off."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..columns import utcnow
from ..extensions import db


class OutboxMessage(db.Model):
    """One e-mail: queued (``sent_at`` empty) until a send succeeds; ``last_error`` says why not."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class NotificationOptOut(db.Model):
    """A kind of notification that this person does not want (none: they get every kind)."""

    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))


class Reminder(db.Model):
    """A deadline reminder sent: one per kind, subject (an assessment or an assignment) and
    person, so that ``eis notify due`` sends each reminder once however often it runs."""

    __table_args__ = (UniqueConstraint("kind", "subject_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
