"""Programmes, partner regions, people and their roles."""
from __future__ import annotations

import enum
from datetime import date, datetime
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..columns import str_enum, utcnow


#: Werkzeug's hashing method; the tests swap in a fast one.
PASSWORD_METHOD = "scrypt"

#: What an invited person's ``password_hash`` starts with until they choose a password: no password
#: matches it, and a new mark (a new invitation) changes the fingerprint that invitation links carry.
INVITED_PREFIX = "invited$"


@lru_cache(maxsize=8)
def hash_settings(method: str) -> str:
    """What Werkzeug writes before the salt for ``method`` (``scrypt:32768:8:1``, with its
    default parameters spelled out), to tell whether a stored hash used today's settings."""
    return generate_password_hash("", method=method).split("$", 1)[0]


class Role(enum.StrEnum):
    """What a person may do (DESIGN.md, People and what they do)."""

    ADMIN = "admin"
    HOST = "host"
    REGION = "region"  # region member
    REVIEWER = "reviewer"

    @property
    def label(self) -> str:
        """The role's name for people, in the reader's language (lazy: forms are built once)."""
        return ROLE_LABELS[self.value]


#: Role names for people (the stored values stay the English keys).
ROLE_LABELS = {"admin": _l("admin"), "host": _l("workshop host"), "region": _l("region member"),
               "reviewer": _l("reviewer")}


programme_region = Table(
    "programme_region",
    db.metadata,
    Column("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
)


class Programme(db.Model):
    """A peer-learning project (e.g. EIS, 2017–2021) with its partner regions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts: Mapped[date | None] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)

    regions: Mapped[list[Region]] = relationship(
        secondary=programme_region, back_populates="programmes", order_by="Region.code"
    )
    workshops: Mapped[list["Workshop"]] = relationship(  # noqa: F821
        back_populates="programme", order_by="Workshop.starts"
    )


class Region(db.Model):
    """A partner region: NUTS code where there is one (``DK04``), name, country, language."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(8), default="en")

    programmes: Mapped[list[Programme]] = relationship(
        secondary=programme_region, back_populates="regions"
    )
    members: Mapped[list[User]] = relationship(back_populates="region", order_by="User.name")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(UserMixin, db.Model):
    """A person who logs in. ``region`` is the partner region they work for, if any."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    region: Mapped[Region | None] = relationship(back_populates="members")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    #: The token of the log-in this object was loaded for (not a column): what Flask-Login keeps.
    session_token = None  # str: set by sessions.start_session and load_session

    def get_id(self) -> str:
        """Flask-Login's id: the log-in's token, so that a cookie dies with its log-in."""
        if not self.session_token:
            raise RuntimeError("a person is logged in through accounts.sessions.start_session")
        return self.session_token

    # UserMixin compares people by get_id(); a person is one row, whichever log-in loaded it.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.roles

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    @property
    def invitation_pending(self) -> bool:
        """Invited and not yet accepted: no password, only a random mark (``accounts/invitations.py``)."""
        return self.password_hash.startswith(INVITED_PREFIX)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def password_needs_rehash(self) -> bool:
        """The stored hash was made with other hashing settings than today's (another method, or
        the same one with other parameters): worth hashing again at the next log-in."""
        return self.password_hash.split("$", 1)[0] != hash_settings(PASSWORD_METHOD)

    def __str__(self) -> str:
        return self.name


class UserRole(db.Model):
    """One role held by one person."""

    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(str_enum(Role))

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSession(db.Model):
    """One log-in: its cookie carries a random token, of which only the SHA-256 is stored.

    Logging out deletes the row, so a copied cookie stops working; a password change or
    disabling the person deletes all of them (``accounts/sessions.py``).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship(back_populates="sessions")
