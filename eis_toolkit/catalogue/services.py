"""Changing practices: create, edit, moderate; every change is kept in the audit trail.

Services take model objects and clean values, flush, and never commit (the request does).
History: ``practice.create``, ``practice.edit`` (``{"changes": {field: [old, new]}}``),
``practice.submit``, ``practice.publish`` and ``practice.return`` (``{"reason": ...}``) audit
events on the practice, read back by :func:`history`.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..audit import AuditEvent
from ..columns import utcnow
from ..extensions import db
from ..mail import notify
from ..workshops.services import unique_slug
from .models import Practice, PracticeEdition, PracticeStatus, Term, Vocabulary

TEXT_FIELDS = ("title", "title_en", "organisation", "summary", "summary_en", "description", "resources",
               "timescale", "evidence", "transferability", "difficulties", "contact", "language")
TERM_FIELDS = {"instruments": Vocabulary.INSTRUMENT, "sectors": Vocabulary.SECTOR, "markets": Vocabulary.MARKET,
               "stages": Vocabulary.STAGE, "dimensions": Vocabulary.DIMENSION}


class PracticeError(ValueError):
    """A refused change, with a message for people."""


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Practice.id).where(Practice.slug == slug)) is not None


def _terms(values: dict[str, list[str]]) -> list[Term]:
    wanted = {(TERM_FIELDS[name], key) for name, keys in values.items() for key in keys}
    if not wanted:
        return []
    found = {(t.vocabulary, t.key): t for t in db.session.scalars(
        select(Term).where(Term.vocabulary.in_({v for v, _ in wanted})))}
    missing = sorted(f"{v.value} {k!r}" for v, k in wanted if (v, k) not in found)
    if missing:
        raise PracticeError(_("Unknown terms: %(terms)s.", terms=", ".join(missing)))
    return sorted((found[pair] for pair in wanted), key=lambda t: (t.vocabulary, t.key))


def _snapshot(practice: Practice) -> dict:
    values = {name: getattr(practice, name) or "" for name in TEXT_FIELDS}
    values["links"] = list(practice.links or [])
    values["region"] = practice.region.code if practice.region else None
    for name, vocabulary in TERM_FIELDS.items():
        values[name] = sorted(practice.keys(vocabulary))
    values["editions"] = [_edition_text(e) for e in practice.editions]
    return values


def _edition_text(e: PracticeEdition) -> str:
    def iso(d):
        return d.isoformat() if d else ""
    return " | ".join([e.title, iso(e.deadline), iso(e.starts), iso(e.ends), e.place, e.eligibility])


def _apply(practice: Practice, data: dict) -> None:
    for name in TEXT_FIELDS:
        if name in data:
            setattr(practice, name, (data[name] or "").strip())
    if "links" in data:
        practice.links = [link.strip() for link in data["links"] if link.strip()]
    if "region" in data:
        practice.region = data["region"]
    if any(name in data for name in TERM_FIELDS):
        current = {name: practice.keys(v) for name, v in TERM_FIELDS.items()}
        current.update({name: list(data[name]) for name in TERM_FIELDS if name in data})
        practice.terms = _terms(current)
    if "editions" in data:
        practice.editions = [PracticeEdition(**edition) for edition in data["editions"]]


def create_practice(data: dict, user, nomination=None) -> Practice:
    """A new draft practice; from a nomination, the nomination is linked to it."""
    if not (data.get("title") or "").strip():
        raise PracticeError(_("A practice needs a title."))
    practice = Practice(slug=unique_slug(data["title"], _slug_taken, 100), status=PracticeStatus.DRAFT,
                        created_by_id=user.id if user else None, links=[])
    db.session.add(practice)
    _apply(practice, data)
    db.session.flush()
    if nomination is not None:
        nomination.practice = practice
    audit.record("practice.create", practice, user, slug=practice.slug,
                 nomination=nomination.id if nomination is not None else None)
    return practice


def update_practice(practice: Practice, data: dict, user) -> dict:
    """Change a practice's content; returns ``{field: [old, new]}`` of what changed (kept)."""
    if "title" in data and not (data["title"] or "").strip():
        raise PracticeError(_("A practice needs a title."))
    before = _snapshot(practice)
    _apply(practice, data)
    db.session.flush()
    after = _snapshot(practice)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if changes:
        practice.updated_at = utcnow()
        audit.record("practice.edit", practice, user, changes=changes)
    return changes


def submit_practice(practice: Practice, user) -> None:
    if practice.status != PracticeStatus.DRAFT:
        raise PracticeError(_("Only a draft can be sent for review."))
    practice.status = PracticeStatus.IN_REVIEW
    audit.record("practice.submit", practice, user)
    db.session.flush()


def publish_practice(practice: Practice, user) -> None:
    if practice.status != PracticeStatus.IN_REVIEW:
        raise PracticeError(_("Only a practice in review can be published."))
    practice.status = PracticeStatus.PUBLISHED
    practice.published_at = practice.published_at or utcnow()
    audit.record("practice.publish", practice, user)
    db.session.flush()
    notify.practice_published(practice, user)


def return_practice(practice: Practice, reason: str, user) -> None:
    """Back to draft with a reason the author sees on the practice."""
    reason = (reason or "").strip()
    if not reason:
        raise PracticeError(_("Say why the practice goes back to draft."))
    if practice.status == PracticeStatus.DRAFT:
        raise PracticeError(_("The practice is already a draft."))
    practice.status = PracticeStatus.DRAFT
    audit.record("practice.return", practice, user, reason=reason)
    db.session.flush()
    notify.practice_sent_back(practice, reason, user)


def history(practice: Practice) -> list[AuditEvent]:
    """Every recorded change of the practice, newest first, with who made it."""
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "practice", AuditEvent.object_id == practice.id)
        .options(joinedload(AuditEvent.user)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))


def return_reason(events: list[AuditEvent], practice: Practice) -> str | None:
    """The moderator's reason, while the practice is a draft sent back and not yet resubmitted."""
    if practice.status != PracticeStatus.DRAFT:
        return None
    for event in events:
        if event.action == "practice.submit":
            return None
        if event.action == "practice.return":
            return event.detail.get("reason")
    return None


def upcoming(editions: list[PracticeEdition], today: date) -> tuple[list, list]:
    """``(open, upcoming)``: editions whose deadline is ahead; editions starting ahead without an
    open deadline."""
    open_now = [e for e in editions if e.deadline and e.deadline >= today]
    later = [e for e in editions if e not in open_now and e.starts and e.starts >= today]
    return open_now, later
