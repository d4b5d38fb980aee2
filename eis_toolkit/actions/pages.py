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
from ..benchmark.queries import structure_for
from ..questionnaires.services import definition_of
from ..extensions import db
from ..i18n import current_language, translate
from ..models import (Practice, Questionnaire, Region, Review, ReviewerAssignment, ReviewStatus, Workshop,
                      WorkshopStatus, workshop_hot_seat)
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
    practices: dict[str, Practice]  # slug → the published practice an action adopts (with its region)


def adopted_practices(actions) -> dict[str, Practice]:
    """{slug: practice} of the published practices the actions adopt (one query, even for none)."""
    slugs = {a.background_ref for a in actions if str(a.background_kind) == "practice" and a.background_ref}
    return {p.slug: p for p in db.session.scalars(
        select(Practice).where(Practice.slug.in_(slugs), Practice.status == "published")
        .options(selectinload(Practice.region)))}


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
    views = action_views(plan.actions if plan else [], today)
    overview = (domain.overview(((v.status, v.action.starts, v.action.ends) for v in views), today)
                if status == "submitted" else None)
    learn, recs = [], []
    if can_write:
        mine = builders.region_rows(workshop, region.code)
        learn = builders.learn_from(workshop, region.code, mine, titles, viewer)
        recs = recommendations(workshop, region)
    return PlanPage(plan, status, can_write, can_report, views, overview, titles, learn, recs,
                    list(plan.comments) if plan else [], adopted_practices(plan.actions if plan else []))


def dimension_choices(workshop: Workshop) -> list[tuple[str, str]]:
    language = current_language()
    return [(d.key, translate(d.title, language)) for d in definition_of(workshop.questionnaire).dimensions]


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
class ProgressPair:
    """One (T0, T1) pair of a region's assessments: the rows of ``eis export progress``, the
    dumbbell chart's arguments and, per dimension key, the actions of the region's submitted plan
    after T0 that aimed at it (empty when the viewer may not read that plan)."""

    t0: Workshop
    t1: Workshop
    rows: list  # ProgressRow, the dimensions then ``overall``
    aimed: dict[str, list[ActionView]]
    chart: tuple  # arguments of charts.progress_dumbbell
    chart_key: str


@dataclass(frozen=True)
class ProgressPage:
    region: Region
    pairs: list[ProgressPair]
    titles: dict[str, str]  # dimension key → title (of any of the region's questionnaires)


def _titles(workshops) -> dict[str, str]:
    titles: dict[str, str] = {}
    for workshop in sorted(workshops, key=lambda w: w.starts):
        titles.update(builders.titles_for(workshop.questionnaire))
    return titles


def progress_chart(region: Region, t0: Workshop, t1: Workshop, rows, titles: dict[str, str]) -> tuple[tuple, str]:
    """The arguments of ``charts.progress_dumbbell`` for one pair (on T1's scale) and its key."""
    language = current_language()
    words = builders.chart_words(language)
    structure = structure_for(t1.questionnaire)
    args = (tuple(_("Overall") if r.dimension == "overall" else titles.get(r.dimension, r.dimension) for r in rows),
            tuple((r.self_t0, r.self_t1) for r in rows), tuple((r.peer_t0, r.peer_t1) for r in rows),
            (structure.scale_min, structure.scale_max),
            words.progress_title % {"region": region.code, "t0": t0.title, "t1": t1.title}, words)
    return args, builders.chart_key("progress", args, t0.id, t1.id, region.code, language)


def progress_pairs(region: Region, viewer, t1_slug: str | None = None, today: date | None = None) -> list[ProgressPair]:
    """The region's (T0, T1) pairs (only those ending at ``t1_slug`` when given), each with the
    actions of its submitted plan after T0 when ``viewer`` may read that plan. A constant number
    of queries: the region's workshops, their plans with actions and reports."""
    from .export import region_progress
    from .models import PlanStatus

    today = today or date.today()
    grouped: dict[tuple[str, str], list] = {}
    for row in region_progress(region):
        if t1_slug is None or row.t1_workshop == t1_slug:
            grouped.setdefault((row.t0_workshop, row.t1_workshop), []).append(row)
    if not grouped:
        return []
    slugs = {slug for pair in grouped for slug in pair}
    workshops = {w.slug: w for w in db.session.scalars(
        select(Workshop).where(Workshop.slug.in_(slugs)).options(selectinload(Workshop.questionnaire)))}
    readable = [w.id for slug, w in workshops.items()
                if any(slug == t0 for t0, _t1 in grouped) and permissions.can_view_action_plan(viewer, w, region.id)]
    plans = db.session.scalars(
        select(ActionPlan).where(ActionPlan.region_id == region.id, ActionPlan.status == PlanStatus.SUBMITTED,
                                 ActionPlan.workshop_id.in_(readable))
        .options(selectinload(ActionPlan.actions).selectinload(Action.reports)))
    aimed: dict[tuple[int, str], list[ActionView]] = {}
    for plan in plans:
        for view in action_views(plan.actions, today):
            aimed.setdefault((plan.workshop_id, view.action.dimension_key), []).append(view)
    titles = _titles(workshops.values())
    result = []
    for (t0, t1), rows in grouped.items():
        w0, w1 = workshops[t0], workshops[t1]
        chart, key_ = progress_chart(region, w0, w1, rows, titles)
        result.append(ProgressPair(w0, w1, rows, {r.dimension: aimed.get((w0.id, r.dimension), []) for r in rows},
                                   chart, key_))
    return result


def action_views(actions, today: date) -> list[ActionView]:
    """The actions numbered in plan order with their status and timing (reports loaded)."""
    views = []
    for number, action in enumerate(actions, start=1):
        current = domain.current_status(str(r.status) for r in action.reports)
        views.append(ActionView(action, number, current, domain.timing(current, action.starts, action.ends, today),
                                action.reports[-1] if action.reports else None))
    return views


def progress_page(region: Region, viewer, today: date | None = None) -> ProgressPage:
    """The region's progress between consecutive assessments and, per dimension, the actions of
    its submitted plan after T0 that aimed at it."""
    found = progress_pairs(region, viewer, today=today)
    return ProgressPage(region, found, _titles([w for pair in found for w in (pair.t0, pair.t1)]))


def scorecard_progress(workshop: Workshop, region: Region, viewer) -> ProgressPair | None:
    """The progress block of a scorecard: the pair ending at this (published) workshop, if the
    region was assessed before with a questionnaire of the same key."""
    if workshop.status != "published":
        return None
    found = progress_pairs(region, viewer, t1_slug=workshop.slug)
    return found[0] if found else None


@dataclass(frozen=True)
class RegionChange:
    """One row of the programme's progress view: a region's latest (T0, T1) pair, overall."""

    region: Region
    row: object  # the ``overall`` ProgressRow of the pair
    t0: Workshop
    t1: Workshop
    may_open: bool  # the viewer may open the region's progress page


def programme_progress(programme, questionnaire, viewer) -> list[RegionChange]:
    """Every region of the programme reviewed at least twice in published workshops with
    questionnaires of this one's key, with the overall change of its latest pair. One query for
    the workshops and regions; the figures come from each workshop's cached summary, so the
    count does not grow with the regions. (The questionnaires are joined, not loaded: every row
    would decode the JSON definition again, 600 times at 300 regions.)"""
    from .progress import Assessed, progress

    found = db.session.execute(
        select(Region, Workshop).join(workshop_hot_seat, workshop_hot_seat.c.region_id == Region.id)
        .join(Workshop, Workshop.id == workshop_hot_seat.c.workshop_id)
        .join(Questionnaire, Workshop.questionnaire_id == Questionnaire.id)
        .where(Workshop.programme_id == programme.id, Workshop.status == WorkshopStatus.PUBLISHED,
               Questionnaire.key == questionnaire.key)
        .order_by(Region.code, Workshop.starts, Workshop.slug)).tuples()
    by_region: dict[str, tuple[Region, list[Workshop]]] = {}
    for region, workshop in found:
        by_region.setdefault(region.code, (region, []))[1].append(workshop)
    result = []
    for code, (region, workshops) in by_region.items():
        if len(workshops) < 2:
            continue
        t0, t1 = workshops[-2:]
        assessed = [Assessed(w.slug, w.starts, questionnaire.key, (), {
            "overall": ((row.self, row.peer_mean) if (row := builders.workshop_summary(w).get(code, {}).get(
                ("overall", "overall"))) else (None, None))}) for w in (t0, t1)]
        result.append(RegionChange(region, progress(code, assessed)[-1], t0, t1,
                                   permissions.can_view_region_progress(viewer, region.id)))
    return result
