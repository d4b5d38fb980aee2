"""Page assembly of the action plan pages: plain data for the templates, in a constant number of
queries (the plan with its actions and their reports, its comments, the region's submitted
recommendations; the benchmark rows from the builders' cache)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import permissions
from ..benchmark import builders
from ..benchmark import pages as benchmark_pages
from ..benchmark.queries import definition_for
from ..extensions import db
from ..i18n import current_language, translate
from ..models import (Practice, Region, Review, ReviewerAssignment, ReviewStatus, Workshop)
from . import domain
from .models import Action, ActionPlan, PlanComment


@dataclass(frozen=True)
class ActionView:
    action: Action
    number: int
    status: str  # planned, started, done or dropped (the latest report's)
    timing: str  # on_time, late, done or dropped
    latest: object | None  # the latest ProgressReport


@dataclass(frozen=True)
class PlanPage:
    plan: ActionPlan | None  # None until the first action is saved
    status: str  # "none", "draft" or "submitted"
    can_write: bool  # add and edit actions, submit (members, draft)
    can_report: bool  # report progress (members, submitted)
    actions: list[ActionView]
    overview: domain.Overview | None
    titles: dict[str, str]
    learn_from: list[dict]  # the scorecard's weakest dimensions and their practices (writers of a draft)
    recommendations: list[tuple[int, str]]  # (review id, text) of the submitted reviews (writers of a draft)
    comments: list[PlanComment]


def load_plan(workshop: Workshop, region: Region) -> ActionPlan | None:
    return db.session.scalar(
        select(ActionPlan).where(ActionPlan.workshop_id == workshop.id, ActionPlan.region_id == region.id)
        .options(selectinload(ActionPlan.actions).selectinload(Action.reports),
                 selectinload(ActionPlan.comments).selectinload(PlanComment.author)))


def recommendations(workshop: Workshop, region: Region) -> list[tuple[int, str]]:
    """The recommendations of the region's submitted reviews at the workshop (one query)."""
    return list(db.session.execute(
        select(Review.id, Review.recommendations).join(ReviewerAssignment)
        .where(ReviewerAssignment.workshop_id == workshop.id, ReviewerAssignment.region_id == region.id,
               Review.status == ReviewStatus.SUBMITTED, Review.recommendations != "")
        .order_by(Review.id)).tuples())


def plan_page(workshop: Workshop, region: Region, viewer, today: date | None = None) -> PlanPage:
    """The plan page as ``viewer`` may see it (the caller checked ``can_view_action_plan``)."""
    today = today or date.today()
    plan = load_plan(workshop, region)
    status = "none" if plan is None else str(plan.status)
    can_write = status != "submitted" and permissions.can_write_action_plan(viewer, workshop, region.id)
    can_report = plan is not None and permissions.can_report_action_progress(viewer, plan)
    titles = builders.titles_for(workshop.questionnaire)
    views = []
    for number, action in enumerate(plan.actions if plan else [], start=1):
        current = domain.current_status(str(r.status) for r in action.reports)
        views.append(ActionView(action, number, current, domain.timing(current, action.starts, action.ends, today),
                                action.reports[-1] if action.reports else None))
    overview = (domain.overview(((v.status, v.action.starts, v.action.ends) for v in views), today)
                if status == "submitted" else None)
    learn, recs = [], []
    if can_write:
        mine = builders.region_rows(workshop, region.code)
        learn = builders.learn_from(workshop, region.code, mine, titles, viewer)
        recs = recommendations(workshop, region)
    return PlanPage(plan, status, can_write, can_report, views, overview, titles, learn, recs,
                    list(plan.comments) if plan else [])


def dimension_choices(workshop: Workshop) -> list[tuple[str, str]]:
    language = current_language()
    return [(d.key, translate(d.title, language)) for d in definition_for(workshop.questionnaire).dimensions]


def prefill(form, workshop: Workshop, region: Region, kind: str | None, ref: str | None,
            dimension: str | None) -> None:
    """Start an action from a starting point of the plan page: a weak dimension, a practice of the
    catalogue (published) or one of the region's peer recommendations. Unknown ones are ignored."""
    titles = builders.titles_for(workshop.questionnaire)
    if dimension in titles:
        form.dimension_key.data = dimension
    if kind == "dimension" and ref in titles:
        row = builders.region_rows(workshop, region.code).get(("dimension", ref))
        form.background_kind.data, form.background_ref.data, form.dimension_key.data = kind, ref, ref
        mean = "–" if row is None or row.peer_mean is None else f"{row.peer_mean:.2f}"
        form.background.data = _("Peers scored “%(dimension)s” %(mean)s at %(workshop)s, one of our weakest "
                                 "dimensions.", dimension=titles[ref], mean=mean, workshop=workshop.title)
    elif kind == "practice" and ref:
        practice = db.session.scalar(select(Practice).where(Practice.slug == ref, Practice.status == "published"))
        if practice is not None:
            form.background_kind.data, form.background_ref.data = kind, practice.slug
            owner = practice.region.name if practice.region else ""
            form.background.data = _("Learn from the practice “%(title)s” (%(region)s).", title=practice.title,
                                     region=owner)
    elif kind == "recommendation" and ref and ref.isdigit():
        found = dict(recommendations(workshop, region)).get(int(ref))
        if found:
            form.background_kind.data, form.background_ref.data = kind, ref
            form.background.data = found


def report_error(error: domain.BadReport) -> str:
    """The life cycle's refusal in the reader's language."""
    return {
        "transition": _("This status cannot follow the action's current one."),
        "reason": _("Say why the action is dropped."),
        "date": _("A report cannot be dated before the latest one."),
    }.get(error.code, _("Choose a status from the list."))


@dataclass(frozen=True)
class ProgressPage:
    region: Region
    pairs: list[tuple[str, str, list]]  # (t0 workshop slug, t1 workshop slug, rows)
    titles: dict[str, str]  # dimension key → title (of any of the region's questionnaires)
    workshop_titles: dict[str, str]
    aimed: dict[tuple[str, str], list[ActionView]]  # (t0 workshop slug, dimension key) → actions aimed at it


def progress_page(region: Region, today: date | None = None) -> ProgressPage:
    """The region's progress between consecutive assessments and, per dimension, the actions of
    its submitted plan after T0 that aimed at it."""
    from .export import region_progress
    from .models import PlanStatus

    today = today or date.today()
    rows = region_progress(region)
    grouped: dict[tuple[str, str], list] = {}
    for row in rows:
        grouped.setdefault((row.t0_workshop, row.t1_workshop), []).append(row)
    slugs = {slug for pair in grouped for slug in pair}
    workshops = list(db.session.scalars(select(Workshop).where(Workshop.slug.in_(slugs))))
    titles: dict[str, str] = {}
    for workshop in sorted(workshops, key=lambda w: w.starts):
        titles.update(builders.titles_for(workshop.questionnaire))
    plans = db.session.scalars(
        select(ActionPlan).join(Workshop, ActionPlan.workshop_id == Workshop.id)
        .where(ActionPlan.region_id == region.id, ActionPlan.status == PlanStatus.SUBMITTED,
               Workshop.slug.in_(slugs))
        .options(selectinload(ActionPlan.actions).selectinload(Action.reports),
                 selectinload(ActionPlan.workshop)))
    aimed: dict[tuple[str, str], list[ActionView]] = {}
    for plan in plans:
        for number, action in enumerate(plan.actions, start=1):
            current = domain.current_status(str(r.status) for r in action.reports)
            aimed.setdefault((plan.workshop.slug, action.dimension_key), []).append(ActionView(
                action, number, current, domain.timing(current, action.starts, action.ends, today),
                action.reports[-1] if action.reports else None))
    return ProgressPage(region, [(t0, t1, found) for (t0, t1), found in grouped.items()], titles,
                        {w.slug: w.title for w in workshops}, aimed)
