"""Transfers (DESIGN.md, *Action plans and progress*): a practice of one region adopted by another
through an action of its action plan. Derived, not stored: an action of a **submitted** plan
whose background is a catalogue practice (``background_kind == practice``, ``background_ref`` its
slug) owned by a region other than the plan's is the transfer (from region = the practice's
owner, to region = the plan's region, practice, action). A draft plan is not public, so it
records no transfer yet; a practice without a region (a European scheme) is not a transfer.

Because a transfer is the action itself, bundles carry it with the action plans and it
round-trips with them (docs/bundle-format.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from ..models import Practice, Programme, Region, Workshop
from . import domain
from .models import Action, ActionPlan, BackgroundKind, PlanStatus


@dataclass(frozen=True)
class Transfer:
    from_region: Region  # the practice's owner
    to_region: Region  # the plan's region, which adopts the practice
    practice: Practice
    action: Action
    workshop: Workshop  # the workshop the plan follows
    status: str  # the action's: planned, started, done or dropped


def transfers(*, practice: Practice | None = None, programme: Programme | None = None,
              published_only: bool = True) -> list[Transfer]:
    """The transfers of one practice, or of one programme's plans, oldest workshop first: two
    queries (the transfers, the actions' reports) however many there are."""
    owner, adopter = aliased(Region), aliased(Region)
    stmt = (select(Action, Practice, owner, adopter, Workshop)
            .join(ActionPlan, Action.plan_id == ActionPlan.id)
            .join(Workshop, ActionPlan.workshop_id == Workshop.id)
            .join(Practice, Practice.slug == Action.background_ref)
            .join(owner, Practice.region_id == owner.id)
            .join(adopter, ActionPlan.region_id == adopter.id)
            .where(Action.background_kind == BackgroundKind.PRACTICE, ActionPlan.status == PlanStatus.SUBMITTED,
                   Practice.region_id != ActionPlan.region_id)
            .options(selectinload(Action.reports))
            .order_by(Workshop.starts, adopter.code, Action.position, Action.id))
    if practice is not None:
        stmt = stmt.where(Practice.id == practice.id)
    if programme is not None:
        stmt = stmt.where(Workshop.programme_id == programme.id)
    if published_only:
        stmt = stmt.where(Practice.status == "published")
    return [Transfer(from_, to, practice_, action, workshop,
                     domain.current_status(str(r.status) for r in action.reports))
            for action, practice_, from_, to, workshop in db.session.execute(stmt).tuples()]
