"""Routes of the action plans: a hot-seat region's plan after a published workshop.

Every route loads the workshop and the hot-seat region, asks ``permissions.py``, validates the
form, calls a service, commits once and redirects. The plan page is assembled by
:func:`pages.plan_page` (the scorecard's weakest dimensions and "learn from" practices come
from the benchmark builders).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import permissions
from ..access import ensure
from ..benchmark import charts
from ..benchmark.views import _svg as svg_response
from ..extensions import db
from ..models import Region, Workshop, workshop_hot_seat
from . import pages, services, transfers
from .domain import BadReport
from .forms import LABELS, ActionForm, CommentForm, ProgressForm, SubmitForm
from .models import Action, ActionPlan

bp = Blueprint("actions", __name__, url_prefix="/action-plans")


def _load(slug: str, code: str) -> tuple[Workshop, Region]:
    workshop = db.session.scalar(select(Workshop).where(Workshop.slug == slug)
                                 .options(joinedload(Workshop.questionnaire), joinedload(Workshop.programme)))
    if workshop is None:
        abort(404)
    region = db.session.scalar(
        select(Region).join(workshop_hot_seat, workshop_hot_seat.c.region_id == Region.id)
        .where(workshop_hot_seat.c.workshop_id == workshop.id, Region.code == code))
    if region is None:
        abort(404)
    return workshop, region


def _plan_or_404(workshop: Workshop, region: Region) -> ActionPlan:
    plan = services.find_plan(workshop, region)
    if plan is None:
        abort(404)
    return plan


def _action_or_404(plan: ActionPlan, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.plan_id != plan.id:
        abort(404)
    return action


def _plan_url(workshop: Workshop, region: Region) -> str:
    return url_for("actions.plan", slug=workshop.slug, code=region.code)


@bp.get("/<slug>/<code>")
def plan(slug, code):
    workshop, region = _load(slug, code)
    ensure(permissions.can_view_action_plan(current_user, workshop, region.id))
    return _render_plan(workshop, region)


def _render_plan(workshop, region, submit_form=None, missing=None, status=200):
    page = pages.plan_page(workshop, region, current_user)
    return render_template("actions/plan.html", page=page, workshop=workshop, region=region, labels=LABELS,
                           submit_form=submit_form or SubmitForm(obj=page.plan), comment_form=CommentForm(),
                           missing=missing), status


def _action_form(workshop, action=None) -> ActionForm:
    dimensions = pages.dimension_choices(workshop)
    if request.method == "GET" and action is not None:
        return ActionForm(obj=action, dimensions=dimensions)
    return ActionForm(dimensions=dimensions)


@bp.route("/<slug>/<code>/actions/new", methods=["GET", "POST"])
def action_new(slug, code):
    workshop, region = _load(slug, code)
    ensure(permissions.can_write_action_plan(current_user, workshop, region.id))
    plan_ = services.find_plan(workshop, region)
    if plan_ is not None and plan_.status != "draft":
        abort(409, description=_("The plan is submitted: it cannot change."))
    form = _action_form(workshop)
    if request.method == "GET":
        pages.prefill(form, workshop, region, request.args.get("kind"), request.args.get("ref"),
                      request.args.get("dimension"))
    if form.validate_on_submit():
        services.save_action(services.ensure_plan(workshop, region), None, **form.values())
        db.session.commit()
        flash(_("The action is saved."), "success")
        return redirect(_plan_url(workshop, region))
    return render_template("actions/action_form.html", form=form, workshop=workshop, region=region,
                           action=None), 422 if request.method == "POST" else 200


@bp.route("/<slug>/<code>/actions/<int:action_id>", methods=["GET", "POST"])
def action_edit(slug, code, action_id):
    workshop, region = _load(slug, code)
    ensure(permissions.can_write_action_plan(current_user, workshop, region.id))
    plan_ = _plan_or_404(workshop, region)
    action = _action_or_404(plan_, action_id)
    if plan_.status != "draft":
        abort(409, description=_("The plan is submitted: it cannot change."))
    form = _action_form(workshop, action)
    if form.validate_on_submit():
        services.save_action(plan_, action, **form.values())
        db.session.commit()
        flash(_("The action is saved."), "success")
        return redirect(_plan_url(workshop, region))
    return render_template("actions/action_form.html", form=form, workshop=workshop, region=region,
                           action=action), 422 if request.method == "POST" else 200


@bp.post("/<slug>/<code>/actions/<int:action_id>/delete")
def action_delete(slug, code, action_id):
    workshop, region = _load(slug, code)
    ensure(permissions.can_write_action_plan(current_user, workshop, region.id))
    plan_ = _plan_or_404(workshop, region)
    action = _action_or_404(plan_, action_id)
    try:
        services.delete_action(plan_, action)
    except services.PlanError:
        abort(409, description=_("The plan is submitted: it cannot change."))
    db.session.commit()
    flash(_("The action is deleted."), "success")
    return redirect(_plan_url(workshop, region))


@bp.post("/<slug>/<code>/submit")
def submit(slug, code):
    workshop, region = _load(slug, code)
    ensure(permissions.can_write_action_plan(current_user, workshop, region.id))
    plan_ = _plan_or_404(workshop, region)
    if plan_.status != "draft":
        abort(409, description=_("The plan is already submitted."))
    form = SubmitForm()
    form.validate_on_submit()
    try:
        services.submit_plan(plan_, form.policy_context.data or "")
    except services.MissingFields as error:
        db.session.rollback()
        return _render_plan(workshop, region, submit_form=form, missing=error.missing, status=422)
    db.session.commit()
    flash(_("The plan is submitted. Report progress on its actions as they go."), "success")
    return redirect(_plan_url(workshop, region))


@bp.route("/<slug>/<code>/actions/<int:action_id>/progress", methods=["GET", "POST"])
def progress(slug, code, action_id):
    workshop, region = _load(slug, code)
    ensure(permissions.can_write_action_plan(current_user, workshop, region.id))
    plan_ = _plan_or_404(workshop, region)
    action = _action_or_404(plan_, action_id)
    if not permissions.can_report_action_progress(current_user, plan_):
        abort(409, description=_("Progress is reported once the plan is submitted."))
    form = ProgressForm()
    status = services.action_status(action)
    if request.method == "GET":
        form.status.data = status
    if form.validate_on_submit():
        try:
            services.report_progress(action, status=form.status.data, reported_on=form.reported_on.data,
                                     current_value=form.current_value.data, note=form.note.data or "",
                                     reason=form.reason.data or "", author=current_user)
        except BadReport as error:
            form.status.errors = [pages.report_error(error)]
        else:
            db.session.commit()
            flash(_("The progress report is saved."), "success")
            return redirect(_plan_url(workshop, region))
    return render_template("actions/progress_form.html", form=form, workshop=workshop, region=region,
                           action=action, status=status), 422 if request.method == "POST" else 200


@bp.post("/<slug>/<code>/comments")
def comment(slug, code):
    workshop, region = _load(slug, code)
    ensure(permissions.can_view_action_plan(current_user, workshop, region.id))
    plan_ = _plan_or_404(workshop, region)
    form = CommentForm()
    try:
        if not form.validate_on_submit():
            raise services.PlanError("invalid comment")
        services.add_comment(plan_, current_user, form.body.data)
    except services.PlanError:
        flash(_("A comment needs a text."), "error")
        return redirect(_plan_url(workshop, region) + "#comments")
    db.session.commit()
    flash(_("The comment is added."), "success")
    return redirect(_plan_url(workshop, region) + "#comments")


@bp.get("/progress/<code>")
def region_progress(code):
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        abort(404)
    ensure(permissions.can_view_region_progress(current_user, region.id))
    return render_template("actions/progress.html", page=pages.progress_page(region, current_user), region=region)


@bp.get("/<slug>/<code>/progress.svg")
def progress_chart(slug, code):
    """The dumbbell chart of the region's change from its previous assessment to this workshop."""
    workshop, region = _load(slug, code)
    ensure(permissions.can_view_progress_figures(current_user, workshop, region.id))
    found = pages.progress_pairs(region, current_user, t1_slug=workshop.slug)
    if not found:
        abort(404)
    return svg_response(charts.progress_dumbbell, found[0].chart, found[0].chart_key)


@bp.app_template_global("practice_adoptions")
def practice_adoptions(practice) -> list:
    """The transfers of a practice for its page: the regions whose submitted plans adopt it."""
    return transfers.transfers(practice=practice, published_only=False)
