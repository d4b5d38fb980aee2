"""The reviewer's routes of the workshops blueprint (``workshops.review`` and so on): the inbox, a
review's overview, one page per dimension, the general part, the confirmation before submitting,
autosave, nominations and practice ratings.

| URL | who | what |
| --- | --- | --- |
| ``/reviews``, ``/reviews/<id>`` | reviewers | inbox; a review's overview (progress per dimension) |
| ``/reviews/<id>/<dimension>``, ``/general`` | reviewers | one dimension's questions; the general part |
| ``/reviews/<id>/submit`` | reviewers | what will be sent, then submit (POST from that page only) |
| ``/reviews/<id>/autosave``, ``nominations``, ``ratings`` | reviewers | autosave, nominations, ratings |

Every page loads a :class:`_ReviewContext`; the pages only read (the draft is created by the first
save, ``services.draft_to_save``).
"""
from __future__ import annotations

from functools import cached_property

from flask import current_app, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from .. import permissions
from ..access import ensure
from ..questionnaires.services import definition_of
from ..extensions import db
from ..i18n import current_language, translate
from ..mail.outbox import deliver_after_response
from ..questionnaires.types import NOT_APPLICABLE, AnswerData, show_answer
from ..models import ReviewerAssignment
from . import queries
from .forms import NominationForm, SubmitReviewForm, field_anchor, review_score_fields
from .scripts import review_messages
from .reviews import (GENERAL, RATING_CRITERIA, TEXT_LABELS, ReviewConflict, ReviewIncomplete, ReviewInputError,
                      add_nomination, delete_nomination, missing_scores, page_questions, parse_review_input,
                      rate_practice, review_pages, review_progress, save_review, submit_review)
from .services import WorkshopError, draft_to_save, ensure_review
from .views import _attempt, _refused, bp


@bp.get("/reviews")
def inbox():
    ensure(permissions.is_reviewer(current_user))
    return render_template("workshops/inbox.html", items=queries.inbox(current_user))


def _assignment(assignment_id: int, nominations: bool = True) -> ReviewerAssignment:
    user = current_user._get_current_object()  # first: the assignment's reviewer is then found in the session
    assignment = queries.assignment_or_404(assignment_id, nominations)
    ensure(permissions.can_view_review_page(user, assignment))
    return assignment


def _form_values() -> dict[str, str]:
    return {key: request.form.get(key, "") for key in request.form}


class _ReviewContext:
    """What every page of a review loads: the assignment, the definition, who may edit; the
    review's nominations only for the pages that show them (``nominations``)."""

    def __init__(self, assignment_id: int, nominations: bool = False):
        self.assignment_id = assignment_id
        self.assignment = _assignment(assignment_id, nominations)
        self.editable = permissions.can_edit_review(current_user, self.assignment)
        self.workshop = self.assignment.workshop
        self.definition = definition_of(self.workshop.questionnaire)
        self.ids = queries.question_ids_of(self.workshop.questionnaire)
        self.question_ids = self.ids.scored

    @property
    def own(self) -> dict:
        keys_by_id = self.ids.keys
        review = self.assignment.review
        return {keys_by_id[s.question_id]: s for s in review.scores if s.question_id in keys_by_id} if review else {}

    def progress(self):
        return review_progress(self.definition, self.own)

    @cached_property
    def assessment(self):
        """The reviewed region's self-assessment (the row: every page shows its state; a
        dimension's page reads its answers with ``queries.answers_to``)."""
        return queries.region_assessment(self.workshop, self.assignment.region_id, answers=False)

    def dimension(self, key: str):
        page = next((d for d in self.definition.dimensions if d.key == key), None)
        if page is None or not page_questions(self.definition, key):
            abort(404)
        return page


def _save_page(context: _ReviewContext, page: str | None):
    """Save one page of the review from the posted form: (saved, errors, values)."""
    ensure(context.editable)
    values = _form_values()
    try:
        parsed = parse_review_input(values, context.definition, current_language(), page)
        review, version = draft_to_save(context.assignment, request.form.get("version", type=int) or 0)
        save_review(review, parsed, version, context.question_ids)
    except ReviewInputError as error:
        db.session.rollback()  # the page lists the errors, each linking to its field
        return False, error.errors, values
    except WorkshopError as error:
        _refused(error)
        return False, {}, values
    db.session.commit()
    flash(_("Your draft is saved."), "success")
    return True, {}, values


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
def review(assignment_id: int):
    """The overview: progress per dimension, links to each page, the way to submit. A POST of the
    whole review (the former single page) still saves it, and "submit" leads to the confirmation."""
    context = _ReviewContext(assignment_id)
    if request.method == "POST":
        saved, errors, values = _save_page(context, None)
        if saved:
            return redirect(url_for("workshops.review_submit" if request.form.get("action") == "submit"
                                    else "workshops.review", assignment_id=assignment_id))
        if errors:
            flash(_("Some answers need correcting; nothing was saved."), "error")
            flash(" ".join(errors.values()), "error")
        context = _ReviewContext(assignment_id)
    return _review_page(context, "workshops/review_overview.html", progress=context.progress())


def _review_page(context: _ReviewContext, template: str, status: int = 200, **extra):
    assignment, workshop = context.assignment, context.workshop
    review = assignment.review
    peers = queries.visible_reviews(current_user, workshop, assignment.region_id, context.ids.keys,
                                    exclude_reviewer_id=assignment.reviewer_id, known=assignment)
    return render_template(
        template, assignment=assignment, workshop=workshop, definition=context.definition, review=review,
        own=context.own, peers=peers, editable=context.editable, review_messages=review_messages,
        assessment=context.assessment, general=GENERAL, field_anchor=field_anchor,
        missing=missing_scores(review, context.question_ids) if review else list(context.question_ids),
        **extra), status


@bp.route("/reviews/<int:assignment_id>/<dimension_key>", methods=["GET", "POST"])
def review_dimension(assignment_id: int, dimension_key: str):
    """One dimension's questions beside the region's answers; Save, or Save and go on."""
    context = _ReviewContext(assignment_id)
    page = context.dimension(dimension_key)
    values, errors, status = None, {}, 200
    if request.method == "POST":
        saved, errors, values = _save_page(context, page.key)
        if saved:
            return redirect(_after_review_save(context, page.key, request.form.get("action")))
        context, status = _ReviewContext(assignment_id), 422 if errors else 409
    progress = context.progress()
    keys = [p.dimension.key for p in progress]
    position = keys.index(page.key)
    answers = {}
    if context.assessment is not None:
        all_ids = context.ids.all
        by_id = queries.answers_to(context.assessment, [all_ids[q.key] for q in page.questions if q.key in all_ids])
        answers = {q.key: by_id[all_ids[q.key]] for q in page.questions if all_ids.get(q.key) in by_id}
    language = current_language()
    scored = page_questions(context.definition, page.key)
    if values is not None:
        fields = review_score_fields(scored, context.definition.scale, language, formdata=request.form)
    else:
        own = context.own
        fields = review_score_fields(scored, context.definition.scale, language, data={
            f"score.{q.key}": _stored_value(own.get(q.key)) for q in scored})
    return _review_page(
        context, "workshops/review_dimension.html", status, page=page, progress=progress, position=position,
        previous=progress[position - 1].dimension if position else None,
        next=progress[position + 1].dimension if position + 1 < len(progress) else None,
        answers=answers, values=values, errors=errors, fields=fields,
        show_answer=lambda question, answer: show_answer(question, context.definition.scale, AnswerData.of(answer), language),
        evidence_endpoint="assessments.evidence" if "assessments.evidence" in current_app.view_functions else None)


def _stored_value(row) -> str:
    """A stored score as its form value: the point, ``na``, or empty."""
    if row is None:
        return ""
    return NOT_APPLICABLE if row.not_applicable else ("" if row.score is None else str(row.score))


def _after_review_save(context: _ReviewContext, page: str, action: str | None) -> str:
    """Where a saved page leads; from the definition alone (after the commit, nothing is read again)."""
    keys = review_pages(context.definition)
    position = keys.index(page)
    if action == "next" and position + 1 < len(keys):
        return url_for("workshops.review_general" if keys[position + 1] == GENERAL else "workshops.review_dimension",
                       assignment_id=context.assignment_id,
                       **({} if keys[position + 1] == GENERAL else {"dimension_key": keys[position + 1]}))
    if action == "submit":
        return url_for("workshops.review_submit", assignment_id=context.assignment_id)
    if page == GENERAL:
        return url_for("workshops.review_general", assignment_id=context.assignment_id)
    return url_for("workshops.review_dimension", assignment_id=context.assignment_id, dimension_key=page)


@bp.route("/reviews/<int:assignment_id>/general", methods=["GET", "POST"])
def review_general(assignment_id: int):
    """The general part: strengths, weaknesses, recommendations; nominations and ratings."""
    context = _ReviewContext(assignment_id, nominations=True)
    values, errors, status = None, {}, 200
    if request.method == "POST":
        saved, errors, values = _save_page(context, GENERAL)
        if saved:
            return redirect(_after_review_save(context, GENERAL, request.form.get("action")))
        context, status = _ReviewContext(assignment_id, nominations=True), 422 if errors else 409
    workshop = context.workshop
    practices = queries.nominated_practices(workshop)
    nomination_form = NominationForm()
    language = current_language()
    nomination_form.dimension_key.choices = [SelectChoice(d.key, translate(d.title, language))
                                             for d in context.definition.dimensions]
    can_rate = (permissions.can_rate_practices(current_user, workshop)
                and context.assignment.reviewer_id == current_user.id)
    return _review_page(
        context, "workshops/review_general.html", status, values=values, errors=errors, practices=practices,
        ratings=queries.ratings_by(current_user, practices), can_rate=can_rate, nomination_form=nomination_form,
        criteria=RATING_CRITERIA, text_labels=TEXT_LABELS, progress=context.progress())


@bp.route("/reviews/<int:assignment_id>/submit", methods=["GET", "POST"])
def review_submit(assignment_id: int):
    """What will be sent, and that it cannot change after; only this page's POST submits (which
    reads no nominations: only the page shows them, and a refused submission's page loads them)."""
    context = _ReviewContext(assignment_id, nominations=request.method == "GET")
    ensure(context.editable)
    form = SubmitReviewForm()
    status = 200
    if form.validate_on_submit():
        try:
            submit_review(context.assignment.review, context.question_ids, current_user)
        except ReviewIncomplete as error:
            db.session.rollback()
            flash(str(error), "error")
            status = 422
        except WorkshopError as error:
            _refused(error)
            status = 409
        else:
            db.session.commit()
            deliver_after_response()  # the hosts' e-mails leave after the answer: no SMTP while the reviewer waits
            flash(_("Your review is submitted: you can now see the other reviewers' scores."), "success")
            return redirect(url_for("workshops.review", assignment_id=assignment_id))
    elif request.method == "POST":
        flash(_("The form had expired; nothing was submitted. Check the review and submit again."), "error")
        status = 400
    return _review_page(context, "workshops/review_submit.html", status, progress=context.progress(), form=form,
                        text_labels=TEXT_LABELS)


@bp.post("/reviews/<int:assignment_id>/autosave")
def autosave(assignment_id: int):
    """Save a draft from the page's script: ``{"version": n, "fields": {name: value}}`` →
    ``{"version": n + 1, "missing": k}``; 409 when the review changed meanwhile, 401 when the
    session has ended (a script gets JSON, not the log-in page)."""
    if not current_user.is_authenticated:
        return jsonify(error=_("You are logged out. Log in again in another tab, then save.")), 401
    assignment = _assignment(assignment_id)
    ensure(permissions.can_edit_review(current_user, assignment))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("fields"), dict) or not isinstance(body.get("version"), int):
        return jsonify(error="Expected {\"version\": number, \"fields\": {...}}."), 400
    definition = definition_of(assignment.workshop.questionnaire)
    question_ids = queries.question_ids_of(assignment.workshop.questionnaire).scored
    review, version = draft_to_save(assignment, body["version"])
    try:
        page = body.get("page") if isinstance(body.get("page"), str) else None
        save_review(review, parse_review_input(body["fields"], definition, current_language(), page), version,
                    question_ids)
    except ReviewConflict as error:
        db.session.rollback()
        return jsonify(error=str(error)), 409
    except ReviewInputError as error:
        db.session.rollback()
        return jsonify(error=str(error), fields=error.errors), 400
    except WorkshopError as error:
        db.session.rollback()
        return jsonify(error=str(error)), 409
    db.session.commit()
    return jsonify(version=review.version, missing=len(missing_scores(review, question_ids)),
                   saved_at=review.updated_at.isoformat() + "Z")


@bp.post("/reviews/<int:assignment_id>/nominations")
def nomination_add(assignment_id: int):
    assignment = _assignment(assignment_id)
    ensure(permissions.can_edit_review(current_user, assignment))
    form = NominationForm()
    definition = definition_of(assignment.workshop.questionnaire)
    form.dimension_key.choices = [SelectChoice(d.key, d.key) for d in definition.dimensions]
    if form.validate_on_submit():
        try:
            add_nomination(ensure_review(assignment), definition, title=form.title.data,
                           dimension_key=form.dimension_key.data, description=form.description.data,
                           why=form.why.data)
        except WorkshopError as error:
            _refused(error)
        else:
            db.session.commit()
            flash(_("Nominated “%(title)s”.", title=form.title.data), "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors) or _("Check the nomination."), "error")
    return redirect(url_for("workshops.review_general", assignment_id=assignment_id, _anchor="nominations"))


@bp.post("/reviews/<int:assignment_id>/nominations/<int:nomination_id>/delete")
def nomination_delete(assignment_id: int, nomination_id: int):
    assignment = _assignment(assignment_id)
    ensure(permissions.can_edit_review(current_user, assignment))
    nomination = next((n for n in assignment.review.nominations if n.id == nomination_id), None) if assignment.review else None
    if nomination is None:
        abort(404)
    _attempt(lambda: delete_nomination(nomination), _("Withdrew “%(title)s”.", title=nomination.title))
    return redirect(url_for("workshops.review_general", assignment_id=assignment_id, _anchor="nominations"))


@bp.post("/reviews/<int:assignment_id>/ratings")
def ratings(assignment_id: int):
    assignment = _assignment(assignment_id)
    workshop = assignment.workshop
    ensure(assignment.reviewer_id == current_user.id and permissions.can_rate_practices(current_user, workshop))

    def rate_all() -> int:
        saved = 0
        for practice in queries.nominated_practices(workshop):
            given = {c: request.form.get(f"rating.{practice.id}.{c}", type=int) for c in RATING_CRITERIA}
            if all(v is None for v in given.values()) or practice.region_id == current_user.region_id:
                continue
            rate_practice(practice, current_user, workshop, **given)
            saved += 1
        return saved

    _attempt(rate_all, lambda saved: ngettext("Saved %(num)d rating.", "Saved %(num)d ratings.", saved))
    return redirect(url_for("workshops.review_general", assignment_id=assignment_id, _anchor="ratings"))
