"""The audit trail: who did what, when, to which object (reopenings, transitions, ...)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .columns import utcnow
from .extensions import db


class AuditEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))  # e.g. "assessment.reopen"
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. {"reason": "..."}

    user: Mapped["User | None"] = relationship()  # noqa: F821


def record(action: str, obj, user=None, **detail) -> AuditEvent:
    """Add an audit event for ``obj`` to the session (the caller commits)."""
    event = AuditEvent(
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        user=user,
        detail=detail,
    )
    db.session.add(event)
    return event
