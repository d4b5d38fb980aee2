"""Creating and changing people and regions; used by the admin pages, the CLI and bundles.

Services add to the session and flush; the caller (request or command) commits.
"""
from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Region, Role, User, UserRole
from .sessions import end_all_sessions

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A change that cannot be made, with a message for the person who asked; ``field`` names the
    form field it is about, if one is (the form shows the message there)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anybody's password", method=method)


def authenticate(email: str, password: str) -> User | None:
    """The active person with this e-mail and password, else None.

    An unknown e-mail (or one invited who has no password yet) costs a password hash too, so the answer takes as long either way and does
    not tell which addresses have an account. A right password whose hash was made with older
    hashing settings is hashed again with today's (the caller commits).
    """
    from . import models

    user = find_user(email)
    if user is None or user.invitation_pending:  # an invited person has no password yet: the same work
        check_password_hash(_dummy_hash(models.PASSWORD_METHOD), password)
        return None
    if not (user.check_password(password) and user.active):
        return None
    if user.password_needs_rehash():
        user.set_password(password)
    return user


def admin_names() -> list[str]:
    """The names of the active admins, for pages that say who can step in."""
    return list(db.session.scalars(select(User.name).join(User.role_rows)
                                   .where(UserRole.role == Role.ADMIN, User.active).order_by(User.name)))


def find_region(code: str) -> Region | None:
    return db.session.scalar(select(Region).where(Region.code == code.strip().upper()))


def check_password_strength(password: str, email: str | None = None) -> None:
    """The strength rule of ``accounts/passwords.py``: refuse a short, common or e-mail password."""
    from .passwords import check_strength

    check_strength(password, email)


def check_region_rule(roles, region: Region | None) -> None:
    """A region member fills in their region's self-assessment: refuse one without a region."""
    if Role.REGION.value in {str(r) for r in roles} and region is None:
        raise AccountError(_("A region member needs a region: choose the region this person works for."),
                           field="region_id")


def create_user(email: str, name: str, password: str, roles=(), region: Region | None = None,
                language: str = "en") -> User:
    """A new person; refuses a taken e-mail address, a short password and a region member
    without a region."""
    email = normalise_email(email)
    check_region_rule(roles, region)
    if find_user(email):
        raise AccountError(_("There is already a person with the e-mail address %(email)s.", email=email))
    check_password_strength(password, email)
    user = User(email=email, name=name.strip(), region=region, language=language)
    user.roles = [Role(r) for r in roles]
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, *, email: str, name: str, roles, region: Region | None,
                language: str, active: bool, password: str = "", keep_session: str | None = None) -> User:
    """Change a person; a new password or disabling them ends their log-ins (but ``keep_session``).
    Refuses a taken e-mail address and a region member without a region."""
    email = normalise_email(email)
    check_region_rule(roles, region)
    other = find_user(email)
    if other is not None and other.id != user.id:
        raise AccountError(_("There is already a person with the e-mail address %(email)s.", email=email))
    if password:
        check_password_strength(password, email)
        user.set_password(password)
    if password or not active:
        end_all_sessions(user, keep=keep_session if active else None)
    user.email, user.name, user.region, user.language, user.active = (
        email, name.strip(), region, language, active)
    user.roles = [Role(r) for r in roles]
    db.session.flush()
    return user


def save_region(region: Region | None, *, code: str, name: str, country: str, language: str) -> Region:
    """Create (``region=None``) or update a region; codes are unique and upper case."""
    code = code.strip().upper()
    other = find_region(code)
    if other is not None and other is not region:
        raise AccountError(_("There is already a region with the code %(code)s.", code=code))
    if region is None:
        region = Region()
        db.session.add(region)
    region.code, region.name = code, name.strip()
    region.country, region.language = country.strip().upper(), language
    db.session.flush()
    return region


def set_language(user: User, language: str) -> None:
    """The language a person reads the toolkit in (the language switch, while logged in)."""
    user.language = language
    db.session.flush()
