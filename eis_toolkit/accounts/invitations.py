"""Inviting people by e-mail: one at a time, a pasted list, or a CSV file (docs/mail.md).

An invited person is a ``User`` whose ``password_hash`` is a random mark (``INVITED_PREFIX``): no
password matches it. The invitation e-mail carries a signed, time-stamped token naming the person
and a fingerprint of that mark (``passwords.person_token``): choosing a password changes it, so the
link works once, and inviting the person again draws a new mark, so the older link dies.

A list is checked whole before anything is written: every bad line is reported with its number,
and nothing is invited unless every line is good. Services flush; the caller commits.
"""
from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import LANGUAGE_NAMES
from ..models import Region, Role, User
from ..permissions import can_invite_to, invitable_region_ids
from .models import INVITED_PREFIX
from .passwords import person_for_token, person_token, set_new_password
from .services import AccountError, normalise_email

_SALT = "eis-invitation"

#: The columns of an invitation CSV file (``language`` may be left out).
CSV_COLUMNS = ("name", "email", "region", "roles")


@dataclass
class Entry:
    """One line of a list as given: nothing checked yet."""

    line: int
    name: str
    email: str
    region: str = ""
    roles: tuple[str, ...] = ()
    language: str = ""


@dataclass
class Invitee:
    """A checked line: the person to invite (or the one who already has an account)."""

    line: int
    name: str
    email: str
    region: Region | None
    roles: tuple[str, ...]
    language: str
    existing: User | None = None


@dataclass
class Outcome:
    invited: list[User] = field(default_factory=list)      # new people
    reinvited: list[User] = field(default_factory=list)    # invited before, not accepted: a new link
    registered: list[str] = field(default_factory=list)    # addresses that already have an account


class InvitationError(AccountError):
    """Lines that cannot be invited; ``problems`` are sentences naming their line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _line_problem(line: int, message: str) -> str:
    return _("Line %(line)d: %(problem)s", line=line, problem=message)


# --- reading lists ---------------------------------------------------------------------------------


def parse_pasted(text: str, *, region: str = "", roles=(), language: str = "") -> list[Entry]:
    """A pasted list: one ``name, e-mail`` or ``name <e-mail>`` a line (blank lines skipped);
    region, roles and language are the ones chosen for the whole list."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.endswith(">") and "<" in line:
            name, _sep, email = line[:-1].rpartition("<")
        else:
            name, _sep, email = line.rpartition(",")
        entries.append(Entry(number, name.strip().strip(",").strip().strip('"'), email.strip(), region,
                             tuple(roles), language))
    return entries


def parse_csv(data: bytes | str) -> list[Entry]:
    """A CSV file with the header ``name,email,region,roles`` (roles ``;``-separated; an optional
    ``language`` column). Raises :class:`InvitationError` for a file that is not such a table."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvitationError([_("The file is not UTF-8 text: save it as “CSV UTF-8”.")]) from None
    reader = csv.reader(io.StringIO(data))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise InvitationError([_line_problem(1, _("the header must name the columns %(columns)s (missing: %(missing)s).",
                                                  columns=",".join(CSV_COLUMNS), missing=", ".join(missing)))])
    at = {column: header.index(column) for column in header}
    entries = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        cell = lambda column: row[at[column]].strip() if column in at and at[column] < len(row) else ""  # noqa: E731
        roles = tuple(r.strip().lower() for r in cell("roles").split(";") if r.strip())
        entries.append(Entry(reader.line_num, cell("name"), cell("email"), cell("region"), roles, cell("language")))
    return entries


# --- checking and inviting -------------------------------------------------------------------------


def check(entries: list[Entry], inviter=None) -> list[Invitee]:
    """Every entry checked (``inviter``: the person asking, held to ``can_invite_to``; None for
    the command line). Raises :class:`InvitationError` listing every bad line."""
    problems: list[str] = []
    invitees: list[Invitee] = []
    seen: dict[str, int] = {}
    if not entries:
        raise InvitationError([_("There is nobody to invite: the list is empty.")])
    # One query for the regions named and one for the people who have these addresses, however long the list.
    regions = {r.code: r for r in db.session.scalars(
        select(Region).where(Region.code.in_({e.region.strip().upper() for e in entries if e.region})))}
    people = {p.email: p for p in db.session.scalars(
        select(User).where(func.lower(User.email).in_({normalise_email(e.email) for e in entries})))}
    allowed = invitable_region_ids(inviter) if inviter is not None else None
    for entry in entries:
        found: list[str] = []
        name = entry.name.strip()
        if not name:
            found.append(_("the name is missing."))
        elif len(name) > 200:
            found.append(_("the name is longer than 200 characters."))
        email = normalise_email(entry.email)
        try:
            email = normalise_email(validate_email(email, check_deliverability=False).normalized)
        except EmailNotValidError:
            found.append(_("“%(email)s” is not an e-mail address.", email=entry.email))
        else:
            if email in seen:
                found.append(_("%(email)s is already on line %(line)d.", email=email, line=seen[email]))
            seen.setdefault(email, entry.line)
        region = None
        if entry.region:
            region = regions.get(entry.region.strip().upper())
            if region is None:
                found.append(_("there is no region with the code %(code)s.", code=entry.region))
        unknown = [r for r in entry.roles if r not in {role.value for role in Role}]
        if unknown:
            found.append(_("unknown role %(roles)s (admin, host, region, reviewer).", roles=", ".join(unknown)))
        elif Role.REGION.value in entry.roles and region is None and not entry.region:
            found.append(_("a region member needs a region."))
        language = entry.language.strip().lower() or (region.language if region else "en")
        if language not in LANGUAGE_NAMES:
            found.append(_("unknown language %(language)s (en, it, da, de).", language=entry.language))
        if inviter is not None and not unknown and (entry.region == "" or region is not None) \
                and not can_invite_to(inviter, region.id if region else None, entry.roles, allowed):
            found.append(_("you may not invite people with these roles for this region."))
        if found:
            problems.extend(_line_problem(entry.line, problem) for problem in found)
            continue
        invitees.append(Invitee(entry.line, name, email, region, tuple(sorted(set(entry.roles))), language,
                                existing=people.get(email)))
    if problems:
        raise InvitationError(problems)
    return invitees


def invite(invitees: list[Invitee], inviter=None) -> Outcome:
    """Create each new person (no password yet) and e-mail them their link; a person invited before
    who has not accepted gets a new link (the old one dies); a person with an account (or disabled,
    or invited before for a region or roles the inviter may not give) is only reported. Flushes; the caller commits (the messages go once it has)."""
    outcome = Outcome()
    for invitee in invitees:
        person = invitee.existing
        if person is not None and (not person.invitation_pending or not person.active or (
                inviter is not None and not can_invite_to(inviter, person.region_id, [r.value for r in person.roles]))):
            outcome.registered.append(invitee.email)
            continue
        if person is None:
            person = User(email=invitee.email, name=invitee.name, region=invitee.region,
                          language=invitee.language, active=True, password_hash="")
            person.roles = invitee.roles
            db.session.add(person)
            outcome.invited.append(person)
        else:
            outcome.reinvited.append(person)
        send_invitation(person, inviter)
    return outcome


def send_invitation(person: User, inviter=None) -> None:
    """A new mark (the older links die) and the invitation e-mail, in the person's language."""
    from ..mail.notify import absolute_url, send

    if not person.invitation_pending and person.password_hash:
        raise AccountError(_("%(email)s has an account already.", email=person.email))
    if not person.active:
        raise AccountError(_("%(email)s is disabled: enable them first.", email=person.email))
    person.password_hash = INVITED_PREFIX + secrets.token_hex(16)
    db.session.flush()
    days = current_app.config["EIS_INVITATION_DAYS"]
    link = absolute_url("accounts.invitation", token=person_token(person, _SALT))
    send(person, "invitation", lambda: _("You are invited to the EIS Toolkit"), link,
         days=f"{days:g}", inviter=inviter, kind_can_be_turned_off=False)


def invitation_token(person: User, issued_at: float | None = None) -> str:
    return person_token(person, _SALT, issued_at)


def person_for_invitation(token: str) -> User | None:
    """The active, invited person a valid, unexpired, unused invitation token names; else None."""
    person = person_for_token(token, _SALT, current_app.config["EIS_INVITATION_DAYS"] * 86400)
    return person if person is not None and person.invitation_pending else None


def accept(person: User, password: str, language: str) -> None:
    """The invited person chooses their password (the strength rule) and language. Flushes."""
    set_new_password(person, password)
    person.language = language
    db.session.flush()
