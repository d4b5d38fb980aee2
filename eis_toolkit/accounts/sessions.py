"""Log-ins as rows: each has a random token, carried by the session (and remember-me) cookie.

Flask-Login keeps ``User.get_id()`` in the cookie; here that is the log-in's token, so that
logging out (the row deleted), a password change or disabling the person (all rows deleted)
ends every copy of the cookie at once, and each log-in gets a new one. Log-ins end on their own
after ``days``. Only a hash of the token is stored. Services flush; the caller commits.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from ..columns import utcnow
from ..extensions import db
from .models import User, UserSession


def token_hash(token: str) -> str:
    """What the database keeps of a log-in's token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(user: User, *, remember: bool, days: float) -> str:
    """A new log-in for ``user``; its token is set on ``user`` for Flask-Login and returned."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, token_hash=token_hash(token), remember=remember,
                               expires_at=utcnow() + timedelta(days=days)))
    db.session.flush()
    user.session_token = token
    return token


@cache
def _session_statement():
    """The person of a log-in (``:token_hash``, unexpired at ``:now``): built once, as it runs on
    every request (SQLAlchemy then neither rebuilds nor re-keys its loader options)."""
    return (select(User).join(User.sessions).options(joinedload(User.role_rows), joinedload(User.region))
            .where(UserSession.token_hash == bindparam("token_hash"), UserSession.expires_at > bindparam("now"),
                   User.active))


def load_session(token: str | None) -> User | None:
    """The active person whose unexpired log-in has this token, with their roles and region (every
    page's header names it), in one query; else None."""
    if not token:
        return None
    user = db.session.scalars(_session_statement(), {"token_hash": token_hash(token), "now": utcnow()}).unique().first()
    if user is not None:
        user.session_token = token
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def end_all_sessions(user: User, keep: str | None = None) -> None:
    """Every log-in of ``user`` ends, but ``keep`` (the one making the change) if given."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        statement = statement.where(UserSession.token_hash != token_hash(keep))
    db.session.execute(statement)


def end_expired_sessions() -> int:
    """Remove log-ins past their end; returns how many."""
    return db.session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow())).rowcount
