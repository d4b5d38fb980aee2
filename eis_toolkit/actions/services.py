"""Changing action plans: each function takes model objects and clean values, changes state and
flushes; it never commits (the request or the CLI command does)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ..columns import utcnow
from ..extensions import db
from ..models import Region, Workshop, WorkshopStatus
from . import domain
from .models import Action, ActionPlan, ActionStatus, PlanComment, PlanStatus, ProgressReport

#: The fields of an action that the form and the bundle set.
ACTION_FIELDS = ("background_kind", "background_ref", "background", "title", "description", "players", "starts",
                 "ends", "costs", "funding", "dimension_key", "indicator", "baseline", "target", "unit")


class PlanError(ValueError):
    """A change the plan's state refuses (the view answers 409 with the message)."""


class MissingFields(PlanError):
    def __init__(self, missing: list[domain.Missing]):
        super().__init__("the plan is incomplete")
        self.missing = missing


def find_plan(workshop: Workshop, region: Region) -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.workshop_id == workshop.id,
                                                      ActionPlan.region_id == region.id))


def ensure_plan(workshop: Workshop, region: Region) -> ActionPlan:
    """The region's plan for the workshop, started as a draft when there is none (published
    workshops only)."""
    if workshop.status != WorkshopStatus.PUBLISHED:
        raise PlanError("action plans follow a published workshop")
    plan = find_plan(workshop, region)
    if plan is None:
        plan = ActionPlan(workshop=workshop, region=region, status=PlanStatus.DRAFT)
        db.session.add(plan)
        db.session.flush()
    return plan


def _require_draft(plan: ActionPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise PlanError("the plan is submitted: it cannot change")


def save_action(plan: ActionPlan, action: Action | None, **values) -> Action:
    """Create (``action`` None) or update an action of a draft plan with the form's values."""
    _require_draft(plan)
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown action fields: {sorted(unknown)}")
    if action is None:
        position = db.session.scalar(select(func.coalesce(func.max(Action.position), 0))
                                     .where(Action.plan_id == plan.id)) + 1
        action = Action(plan=plan, position=position)
        db.session.add(action)
    for name, value in values.items():
        setattr(action, name, value)
    db.session.flush()
    return action


def delete_action(plan: ActionPlan, action: Action) -> None:
    _require_draft(plan)
    db.session.delete(action)
    db.session.flush()


def action_values(action: Action) -> dict:
    """The fields :func:`domain.missing_for_submit` checks, as plain values."""
    return {name: getattr(action, name) for name in domain.REQUIRED_FIELDS}


def submit_plan(plan: ActionPlan, policy_context: str | None = None) -> None:
    """``draft → submitted``; raises :class:`MissingFields` with everything that is missing."""
    _require_draft(plan)
    if policy_context is not None:
        plan.policy_context = policy_context
    missing = domain.missing_for_submit(action_values(a) for a in plan.actions)
    if missing:
        raise MissingFields(missing)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = utcnow()
    db.session.flush()


def action_status(action: Action) -> str:
    return domain.current_status(str(r.status) for r in action.reports)


def report_progress(action: Action, *, status: str, reported_on: date, current_value: float | None = None,
                    note: str = "", reason: str = "", author=None) -> ProgressReport:
    """Add a dated progress report to an action of a submitted plan; raises
    :class:`domain.BadReport` when the life cycle refuses it."""
    if action.plan.status != PlanStatus.SUBMITTED:
        raise PlanError("progress is reported on a submitted plan")
    last = action.reports[-1] if action.reports else None
    domain.check_report(action_status(action), status, reason, reported_on, last.reported_on if last else None)
    report = ProgressReport(action=action, status=ActionStatus(status), reported_on=reported_on,
                            current_value=current_value, note=note,
                            reason=reason if status == "dropped" else "", author=author)
    db.session.add(report)
    db.session.flush()
    return report


def add_comment(plan: ActionPlan, author, body: str) -> PlanComment:
    body = (body or "").strip()
    if not body:
        raise PlanError("a comment needs a text")
    comment = PlanComment(plan=plan, author=author, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment
