"""Passwords: the strength rule, changing one, and resetting one by e-mail.

A reset link carries an itsdangerous token, signed with the secret key and time-stamped (it
expires after ``EIS_PASSWORD_RESET_HOURS``), naming the person and a fingerprint of their current
password hash: once the password changes (the reset used, or a change made), the token no longer
matches, so it works once. Services flush; the caller commits.
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import User
from .services import MIN_PASSWORD_LENGTH, AccountError, find_user
from .sessions import end_all_sessions

_SALT = "eis-password-reset"


@cache
def common_passwords() -> frozenset[str]:
    """Passwords too common to allow (``common-passwords.txt``, one a line, lower case)."""
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why ``password`` is too weak (a sentence for the field), or None when it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    lowered = password.strip().lower()
    if email and (lowered == email.strip().lower() or lowered == email.strip().lower().partition("@")[0]):
        return _("The password must not be your e-mail address.")
    if lowered in common_passwords() or len(set(lowered)) < 3:
        return _("This password is one of the most common ones; choose one that is harder to guess.")
    return None


def check_strength(password: str, email: str | None = None) -> None:
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:20]


def _serializer(salt: str = _SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


class _PastSigner(URLSafeTimedSerializer.default_signer):
    issued_at: float = 0

    def get_timestamp(self) -> int:
        return int(self.issued_at)


def person_token(user: User, salt: str, issued_at: float | None = None) -> str:
    """A signed token naming ``user`` and their current password state, for the purpose ``salt``
    (reset, invitation); ``issued_at``: seconds since the epoch (tests make old ones)."""
    serializer = _serializer(salt)
    if issued_at is not None:
        signer = type("Signer", (_PastSigner,), {"issued_at": issued_at})
        serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt, signer=signer)
    return serializer.dumps({"u": user.id, "p": _fingerprint(user)})


def person_for_token(token: str, salt: str, max_age: float) -> User | None:
    """The active person a valid token of ``salt``, younger than ``max_age`` seconds, was made for,
    while their password state is still the one it names; else None."""
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("p") != _fingerprint(user):
        return None
    return user


def reset_token(user: User, issued_at: float | None = None) -> str:
    """A signed token for resetting ``user``'s password (``issued_at``: seconds since the epoch)."""
    return person_token(user, _SALT, issued_at)


def user_for_token(token: str) -> User | None:
    """The active person a valid, unexpired, unused reset token was made for; else None."""
    return person_for_token(token, _SALT, current_app.config["EIS_PASSWORD_RESET_HOURS"] * 3600)


def set_new_password(user: User, password: str, keep_session: str | None = None) -> None:
    """Set a password that passes the strength rule; every other log-in of ``user`` ends."""
    check_strength(password, user.email)
    user.set_password(password)
    end_all_sessions(user, keep=keep_session)
    db.session.flush()


def change_password(user: User, current: str, new: str, keep_session: str | None = None) -> None:
    """A person's own change: the current password first."""
    if not user.check_password(current):
        raise AccountError(_("The current password is not right."))
    set_new_password(user, new, keep_session)


def request_reset(email: str) -> None:
    """Queue a reset link for the active person with this address; for others, do the same work
    and send nothing (the caller answers the same either way). Flushes."""
    from ..mail.notify import absolute_url, send

    user = find_user(email)
    if user is None or not user.active:
        reset_token(User(id=0, password_hash=""))  # about the same work as for a real person
        return
    link = absolute_url("accounts.password_reset", token=reset_token(user))
    hours = current_app.config["EIS_PASSWORD_RESET_HOURS"]
    send(user, "password_reset", lambda: _("Reset your EIS Toolkit password"), link,
         hours=f"{hours:g}", kind_can_be_turned_off=False)



