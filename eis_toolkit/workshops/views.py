"""Routes of the workshops blueprint: hosts set workshops up and run them (the reviewer's
routes, on the same blueprint, are in ``review_views.py``).

Every route loads, asks a predicate of ``permissions``, validates, calls a service, commits once.

| URL | who | what |
| --- | --- | --- |
| ``/workshops`` | anyone logged in | hosted workshops, review inbox link, own region's results |
| ``/workshops/new``, ``/workshops/<slug>/edit`` | hosts | create and edit |
| ``/workshops/<slug>/delete`` | hosts | delete a planned workshop (confirmation page, then POST) |
| ``/workshops/<slug>`` | hosts | hot seat, assignments, site visits, status |
| ``/workshops/<slug>/site-visits/...`` | hosts | add, edit, delete site visits |
| ``/workshops/<slug>/assignments...``, ``/suggest`` | hosts | assign reviewers by hand or by suggestion |
| ``/workshops/<slug>/status/<action>`` | hosts | open, close, publish (with confirmation) |
| ``/workshops/<slug>/nominations...`` | hosts | turn nominations into practices |
| ``/workshops/<slug>/import``, ``import/template.csv/.xlsx`` | hosts | scores of a paper session, and templates to fill in |
| ``/workshops/<slug>/live``, ``live.json``, ``live/reveal`` | hosts | the live session screen |
| ``/workshops/<slug>/live/view``, ``live/view.json`` | hosts; the workshop's reviewers and hot-seat members while open or closed | the live screen on one's own device, read-only |
| ``/workshops/<slug>/results/<code>[.csv/.json]`` | hosts; reviewers after submitting; the region once published | a region's peer reviews |
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask import (Blueprint, Response, current_app, abort, flash, jsonify, redirect, render_template, request, url_for)
from flask_babel import gettext as _
from flask_babel import force_locale, ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from .. import audit, permissions
from ..accounts.services import admin_names
from ..access import ensure
from ..benchmark.numbers import RegionScores, benchmark
from ..benchmark.queries import structure_for
from ..questionnaires.services import definition_of
from ..catalogue.models import Practice
from ..extensions import db
from ..i18n import current_language, status_label, translate
from ..config import archive_limits
from ..spreadsheets import XLSX_MIMETYPE, csv_row, table_workbook
from ..models import AssessmentStatus, Programme, Questionnaire, Region, SiteVisit, User, Workshop, WorkshopStatus
from . import importing, lifecycle, queries, screen
from ..assessments import uploads
from .forms import AssignmentForm, DeleteWorkshopForm, ImportForm, SiteVisitForm, TransitionForm, WorkshopForm
from .importing import ImportRefused, import_scores
from .models import Nomination
from .scripts import live_messages
from .services import (WorkshopError, accept_nomination, assign_pairs, assign_reviewer, create_workshop,
                       delete_site_visit, delete_workshop, deletion_summary, ensure_assessments, link_nomination,
                       remove_assignment, reviewer_candidates, save_site_visit, suggest, unlink_nomination,
                       update_workshop)

bp = Blueprint("workshops", __name__)


def _hosted(slug: str) -> Workshop:
    workshop = queries.workshop_or_404(slug)
    ensure(permissions.can_host(current_user, workshop))
    return workshop


def _refused(error: WorkshopError) -> None:
    db.session.rollback()
    flash(str(error), "error")


def _attempt(call: Callable[[], object], message: str | Callable[[object], str]) -> bool:
    """Run a service call: commit and flash ``message`` (or ``message(result)``), or roll back
    and flash why the service refused. Returns whether it was done."""
    try:
        result = call()
    except WorkshopError as error:
        _refused(error)
        return False
    db.session.commit()
    flash(message(result) if callable(message) else message, "success")
    return True


# --- the workshops page -----------------------------------------------------------------------


@bp.get("/workshops")
def index():
    ensure(permissions.can_see_workshops(current_user))
    return render_template("workshops/index.html", workshops=queries.hosted_workshops(current_user),
                           results=queries.region_results(current_user),
                           can_create=permissions.can_host(current_user))


# --- creating and editing ---------------------------------------------------------------------


def _workshop_form(workshop: Workshop | None) -> WorkshopForm:
    form = WorkshopForm(obj=workshop)
    regions = list(db.session.scalars(select(Region).order_by(Region.code)))
    form.hot_seat.choices = [SelectChoice(r.id, f"{r.code} – {r.name}") for r in regions]
    form.questionnaire_id.choices = [
        SelectChoice(q.id, f"{q.ref} – {translate(q.title, current_language()) or q.key}")
        for q in db.session.scalars(select(Questionnaire).order_by(Questionnaire.key, Questionnaire.version.desc()))]
    if workshop is None:
        form.programme_id.choices = [SelectChoice(p.id, p.title) for p in
                                     db.session.scalars(select(Programme).order_by(Programme.title))]
        hosts = regions if permissions.is_admin(current_user) else [r for r in regions if r.id == current_user.region_id]
        form.host_region_id.choices = [SelectChoice(r.id, f"{r.code} – {r.name}") for r in hosts]
    else:
        del form.programme_id, form.host_region_id, form.slug
        if request.method == "GET":
            form.hot_seat.data = [r.id for r in workshop.hot_seat]
        if workshop.status != "planned":
            del form.hot_seat, form.questionnaire_id
    return form


@bp.route("/workshops/new", methods=["GET", "POST"])
def new():
    ensure(permissions.can_host(current_user))
    form = _workshop_form(None)
    if form.validate_on_submit():
        regions = {r.id: r for r in db.session.scalars(select(Region))}
        created = []
        if _attempt(lambda: created.append(create_workshop(
                programme=db.session.get(Programme, form.programme_id.data), title=form.title.data,
                slug=form.slug.data or "", host_region=regions[form.host_region_id.data],
                starts=form.starts.data, ends=form.ends.data, place=form.place.data,
                questionnaire=db.session.get(Questionnaire, form.questionnaire_id.data),
                hot_seat=[regions[i] for i in form.hot_seat.data], description=form.description.data,
                show_reviewer_names=form.show_reviewer_names.data, user=current_user)),
                lambda __: _("Created %(title)s. Assign reviewers next.", title=created[0].title)):
            return redirect(url_for("workshops.detail", slug=created[0].slug))
    return render_template("workshops/form.html", form=form, workshop=None)


@bp.route("/workshops/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    workshop = _hosted(slug)
    form = _workshop_form(workshop)
    if form.validate_on_submit():
        setup = "hot_seat" in form
        regions = {r.id: r for r in db.session.scalars(select(Region))}
        if _attempt(lambda: update_workshop(
                workshop, title=form.title.data, starts=form.starts.data, ends=form.ends.data,
                place=form.place.data, description=form.description.data,
                show_reviewer_names=form.show_reviewer_names.data,
                questionnaire=db.session.get(Questionnaire, form.questionnaire_id.data) if setup else None,
                hot_seat=[regions[i] for i in form.hot_seat.data] if setup else None, user=current_user),
                "Saved."):
            return redirect(url_for("workshops.detail", slug=workshop.slug))
    return render_template("workshops/form.html", form=form, workshop=workshop)


@bp.route("/workshops/<slug>/delete", methods=["GET", "POST"])
def delete(slug: str):
    """Delete a planned workshop, behind a page that says what goes with it."""
    workshop = _hosted(slug)
    if workshop.status != WorkshopStatus.PLANNED:
        flash(_("Only a planned workshop can be deleted; this one is %(status)s.", status=workshop.status), "error")
        return redirect(url_for("workshops.detail", slug=slug))
    form = DeleteWorkshopForm()
    if form.validate_on_submit():
        title = workshop.title
        try:
            files = delete_workshop(workshop, current_user)
        except WorkshopError as error:
            _refused(error)
            return redirect(url_for("workshops.detail", slug=slug))
        db.session.commit()
        for stored_name in files:
            uploads.discard(stored_name, current_app.config["EIS_UPLOAD_DIR"])
        flash(_("Deleted the workshop %(title)s.", title=title), "success")
        return redirect(url_for("workshops.index"))
    return render_template("workshops/delete.html", workshop=workshop, form=form,
                           summary=deletion_summary(workshop))


# --- the host's workshop page -----------------------------------------------------------------


@bp.get("/workshops/<slug>")
def detail(slug: str):
    workshop = _hosted(slug)
    form = AssignmentForm()
    candidates = reviewer_candidates(workshop)
    form.reviewer_id.choices = [SelectChoice(p.id, f"{p.name} ({p.region.code})") for p in candidates]
    form.region_id.choices = [SelectChoice(r.id, r.code) for r in workshop.hot_seat]
    history = db.session.scalars(
        select(audit.AuditEvent).options(joinedload(audit.AuditEvent.user)).where(audit.AuditEvent.object_type == "workshop", audit.AuditEvent.object_id == workshop.id)
        .order_by(audit.AuditEvent.at.desc(), audit.AuditEvent.id.desc()).limit(20))
    action = lifecycle.next_action(workshop)
    by_region = {r.id: [] for r in workshop.hot_seat}
    for assignment in sorted(workshop.assignments, key=lambda a: a.reviewer.name):
        by_region.setdefault(assignment.region_id, []).append(assignment)
    return render_template(
        "workshops/detail.html", workshop=workshop, form=form, by_region=by_region,
        progress={p.region.id: p for p in queries.progress(workshop)},
        assessments={a.region_id: a for a in workshop.assessments}, history=list(history),
        action=action, check=lifecycle.check(workshop, action) if action else None,
        conflicted=[r for r in workshop.hot_seat
                    if permissions.has_conflict_of_interest(current_user, workshop, r.id)],
        admins=admin_names())


@bp.post("/workshops/<slug>/assessments")
def assessments_start(slug: str):
    """Give every hot-seat region without one a draft self-assessment (e.g. after a bundle load)."""
    workshop = _hosted(slug)
    created = ensure_assessments(workshop)
    db.session.commit()
    flash(_("Started the self-assessment of %(regions)s.", regions=", ".join(a.region.code for a in created)) if created
          else _("Every hot-seat region already has its self-assessment."), "success")
    return redirect(url_for("workshops.detail", slug=slug, _anchor="hot-seat"))


# --- site visits ------------------------------------------------------------------------------


@bp.route("/workshops/<slug>/site-visits/new", methods=["GET", "POST"], endpoint="site_visit_new")
@bp.route("/workshops/<slug>/site-visits/<int:visit_id>", methods=["GET", "POST"], endpoint="site_visit_edit")
def site_visit(slug: str, visit_id: int | None = None):
    workshop = _hosted(slug)
    visit = _visit_of(workshop, visit_id) if visit_id else None
    form = SiteVisitForm(obj=visit)
    if form.validate_on_submit():
        if _attempt(lambda: save_site_visit(workshop, visit, firm=form.firm.data, what=form.what.data,
                                            story=form.story.data), _("Saved the visit to %(firm)s.", firm=form.firm.data)):
            return redirect(url_for("workshops.detail", slug=slug, _anchor="site-visits"))
    return render_template("workshops/site_visit.html", form=form, workshop=workshop, visit=visit)


def _visit_of(workshop: Workshop, visit_id: int) -> SiteVisit:
    visit = next((v for v in workshop.site_visits if v.id == visit_id), None)
    if visit is None:
        abort(404)
    return visit


@bp.post("/workshops/<slug>/site-visits/<int:visit_id>/delete")
def site_visit_delete(slug: str, visit_id: int):
    workshop = _hosted(slug)
    visit = _visit_of(workshop, visit_id)
    delete_site_visit(visit)
    db.session.commit()
    flash(_("Removed the visit to %(firm)s.", firm=visit.firm), "success")
    return redirect(url_for("workshops.detail", slug=slug, _anchor="site-visits"))


# --- assignments ------------------------------------------------------------------------------


@bp.post("/workshops/<slug>/assignments")
def assignment_add(slug: str):
    workshop = _hosted(slug)
    reviewer = db.session.get(User, request.form.get("reviewer_id", type=int) or 0)
    region = db.session.get(Region, request.form.get("region_id", type=int) or 0)
    if reviewer is None or region is None:
        flash(_("Choose a reviewer and a hot-seat region."), "error")
    else:
        _attempt(lambda: assign_reviewer(workshop, reviewer, region, current_user),
                 _("%(name)s reviews %(region)s.", name=reviewer.name, region=region.code))
    return redirect(url_for("workshops.detail", slug=slug, _anchor="hot-seat"))


@bp.post("/workshops/<slug>/assignments/<int:assignment_id>/delete")
def assignment_remove(slug: str, assignment_id: int):
    workshop = _hosted(slug)
    assignment = next((a for a in workshop.assignments if a.id == assignment_id), None)
    if assignment is None:
        abort(404)
    name, code = assignment.reviewer.name, assignment.region.code
    _attempt(lambda: remove_assignment(assignment, current_user), _("%(name)s no longer reviews %(region)s.", name=name, region=code))
    return redirect(url_for("workshops.detail", slug=slug, _anchor="hot-seat"))


@bp.route("/workshops/<slug>/suggest", methods=["GET", "POST"])
def suggest_reviewers(slug: str):
    workshop = _hosted(slug)
    if request.method == "POST":
        pairs = []
        for value in request.form.getlist("pair"):
            reviewer_id, __, region_id = value.partition(":")
            if not (reviewer_id.isdigit() and region_id.isdigit()):
                abort(400)
            pairs.append((int(reviewer_id), int(region_id)))
        if _attempt(lambda: assign_pairs(workshop, pairs, current_user),
                    lambda count: ngettext("Assigned %(num)d reviewer.", "Assigned %(num)d reviewers.", count)):
            return redirect(url_for("workshops.detail", slug=slug, _anchor="hot-seat"))
    per_region = min(max(request.args.get("per_region", 3, type=int), 1), 10)
    return render_template("workshops/suggest.html", workshop=workshop, per_region=per_region,
                           suggestion=suggest(workshop, per_region))


# --- the life cycle ---------------------------------------------------------------------------


@bp.route("/workshops/<slug>/status/<action>", methods=["GET", "POST"])
def transition(slug: str, action: str):
    workshop = _hosted(slug)
    if action not in lifecycle.ACTIONS:
        abort(404)
    form = TransitionForm()
    if form.validate_on_submit():
        if _attempt(lambda: lifecycle.apply(workshop, action, current_user, confirmed=form.confirmed.data),
                    lambda __: _("The workshop is now %(status)s.", status=status_label(workshop.status))):
            return redirect(url_for("workshops.detail", slug=slug))
    return render_template("workshops/transition.html", workshop=workshop, form=form,
                           check=lifecycle.check(workshop, action))


# --- nominations ------------------------------------------------------------------------------


@bp.get("/workshops/<slug>/nominations")
def nominations(slug: str):
    workshop = _hosted(slug)
    items = [n for n in queries.workshop_nominations(workshop)
             if permissions.can_host_region(current_user, workshop, n.review.assignment.region_id)]
    practices = queries.practices_of_regions(sorted({n.review.assignment.region_id for n in items}))
    return render_template("workshops/nominations.html", workshop=workshop, nominations=items,
                           practices=practices)


def _nomination_of(workshop: Workshop, nomination_id: int) -> Nomination:
    nomination = db.get_or_404(Nomination, nomination_id)
    if nomination.review.assignment.workshop_id != workshop.id:
        abort(404)
    ensure(permissions.can_host_region(current_user, workshop, nomination.review.assignment.region_id))
    return nomination


@bp.post("/workshops/<slug>/nominations/<int:nomination_id>/<any(accept, link, unlink):action>")
def nomination_moderate(slug: str, nomination_id: int, action: str):
    workshop = _hosted(slug)
    nomination = _nomination_of(workshop, nomination_id)

    def moderate() -> str:
        if action == "accept":
            practice = accept_nomination(nomination, current_user)
            return _("“%(title)s” is in the catalogue, in review; the reviewers can now rate it.", title=practice.title)
        if action == "link":
            practice = db.session.get(Practice, request.form.get("practice_id", type=int) or 0)
            if practice is None:
                raise WorkshopError(_("Choose the practice to link the nomination to."))
            link_nomination(nomination, practice, current_user)
            return _("“%(title)s” is linked to “%(practice)s”.", title=nomination.title, practice=practice.title)
        unlink_nomination(nomination, current_user)
        return _("“%(title)s” is no longer linked to a practice.", title=nomination.title)

    _attempt(moderate, str)
    return redirect(url_for("workshops.nominations", slug=slug))


# --- importing a paper session ----------------------------------------------------------------


@bp.route("/workshops/<slug>/import", methods=["GET", "POST"], endpoint="import_scores")
def import_view(slug: str):
    workshop = _hosted(slug)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            counts = import_scores(workshop, upload.filename or "", upload.read(), current_user,
                                   archive_limits(current_app.config))
        except ImportRefused as error:
            db.session.rollback()
            problems = error.problems
            flash(ngettext("Nothing was imported: the file has %(num)d problem.",
                           "Nothing was imported: the file has %(num)d problems.", len(problems)), "error")
        else:
            db.session.commit()
            flash(_("Imported %(scores)d scores in %(reviews)d submitted reviews (%(assignments)d new assignments).",
                    **counts), "success")
            return redirect(url_for("workshops.detail", slug=slug))
    return render_template("workshops/import.html", workshop=workshop, form=form, problems=problems)


@bp.get("/workshops/<slug>/import/template.csv")
def import_template(slug: str):
    """A CSV to fill in: one row per assignment and scored question, score and comment empty."""
    workshop = _hosted(slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(importing.COLUMNS)
    for email, code, key in importing.template_rows(workshop):
        writer.writerow(csv_row([email, code, key, "", ""]))
    return _download(out.getvalue(), "text/csv", f"{workshop.slug}-scores.csv")


@bp.get("/workshops/<slug>/import/template.xlsx")
def import_template_xlsx(slug: str):
    """The same rows as a workbook in the reader's language: a dropdown of levels, the questions'
    texts and a sheet of instructions (workshops/importing.py: template_workbook)."""
    workshop = _hosted(slug)
    data = importing.template_workbook(workshop, current_language())
    response = Response(data, mimetype=XLSX_MIMETYPE,
                        headers={"Content-Disposition": f'attachment; filename="{workshop.slug}-scores.xlsx"'})
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _download(text: str | bytes, mimetype: str, filename: str) -> Response:
    return Response(text, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- the live session (assembled in screen.py) ------------------------------------------------


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/workshops/<slug>/live")
def live_screen(slug: str):
    workshop = _hosted(slug)
    room = screen.room_language(workshop)
    with force_locale(room):
        return render_template("workshops/live.html", workshop=workshop, room=room, live_messages=live_messages)


@bp.get("/workshops/<slug>/live.json")
def live_data(slug: str):
    workshop = _hosted(slug)
    return _no_store(jsonify(screen.data(workshop, screen.room_language(workshop))))


def _following(slug: str) -> Workshop:
    workshop = queries.workshop_or_404(slug)
    ensure(permissions.can_follow_live(current_user, workshop))
    return workshop


@bp.get("/workshops/<slug>/live/view")
def live_view(slug: str):
    """The live screen on one's own device: read-only, in the reader's language."""
    workshop = _following(slug)
    return render_template("workshops/live_view.html", workshop=workshop, live_messages=live_messages)


@bp.get("/workshops/<slug>/live/view.json")
def live_view_data(slug: str):
    workshop = _following(slug)
    return _no_store(jsonify(screen.data(workshop, current_language())))


@bp.post("/workshops/<slug>/live/reveal")
def live_reveal(slug: str):
    workshop = _hosted(slug)
    workshop.live_revealed = request.form.get("revealed") == "1"
    audit.record("workshop.reveal" if workshop.live_revealed else "workshop.hide", workshop, current_user)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(revealed=workshop.live_revealed)
    return redirect(url_for("workshops.live_screen", slug=slug))  # the room's language is in the session


# --- a region's results -----------------------------------------------------------------------


def _results(slug: str, code: str):
    workshop = queries.workshop_or_404(slug)
    region = queries.hot_seat_region(workshop, code) or abort(404)
    ensure(permissions.can_see_peer_scores(current_user, workshop, region.id))
    question_ids = queries.scored_question_ids(workshop.questionnaire_id)
    keys_by_id = {i: k for k, i in question_ids.items()}
    reviews = queries.visible_reviews(current_user, workshop, region.id, keys_by_id)
    return workshop, region, reviews, question_ids


@bp.get("/workshops/<slug>/results/<code>")
def results(slug: str, code: str):
    workshop, region, reviews, question_ids = _results(slug, code)
    definition = definition_of(workshop.questionnaire)
    assessment = queries.region_assessment(workshop, region.id)
    answers = {a.question_id: a for a in assessment.answers} if assessment else {}
    counted = assessment is not None and assessment.status == AssessmentStatus.SUBMITTED
    self_scores = {key: answers[i].score for key, i in question_ids.items() if i in answers and counted}
    peer_scores = {n: {key: s.score for key, s in r.scores.items()} for n, r in enumerate(reviews)}
    rows = benchmark(structure_for(workshop.questionnaire), [RegionScores(region.code, self_scores, peer_scores)])
    return render_template("workshops/results.html", workshop=workshop, region=region, reviews=reviews,
                           definition=definition, answers=answers, question_ids=question_ids,
                           rows={(r.level, r.key): r for r in rows})


@bp.get("/workshops/<slug>/results/<code>.<any(csv, json, xlsx):fmt>")
def results_export(slug: str, code: str, fmt: str):
    workshop, region, reviews, question_ids = _results(slug, code)
    filename = f"{workshop.slug}-{region.code}-reviews.{fmt}"
    if fmt == "json":
        data = {"workshop": workshop.slug, "region": region.code, "reviews": [
            {"reviewer": r.label, "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
             "scores": {key: {"score": s.score, "not_applicable": s.not_applicable, "comment": s.comment}
                        for key, s in r.scores.items()},
             "strengths": r.strengths, "weaknesses": r.weaknesses, "recommendations": r.recommendations}
            for r in reviews]}
        response = jsonify(data)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    columns = ["reviewer", "question", "score", "comment"]
    rows = []
    for review in reviews:
        for key in question_ids:
            score = review.scores.get(key)
            if score is not None:
                rows.append([review.label, key, "N/A" if score.not_applicable else score.score, score.comment])
        for name in ("strengths", "weaknesses", "recommendations"):
            rows.append([review.label, name, "", getattr(review, name)])
    if fmt == "xlsx":
        return _download(table_workbook("reviews", columns, rows), XLSX_MIMETYPE, filename)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(csv_row(row) for row in rows)
    return _download(out.getvalue(), "text/csv", filename)


from . import review_views  # noqa: E402,F401  the reviewer's routes, on this blueprint
