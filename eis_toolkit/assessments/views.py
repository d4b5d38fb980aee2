"""Routes of the assessments blueprint: every URL of a self-assessment, listed here together.

| route | endpoint | who |
| --- | --- | --- |
| GET /assessments/ | index | region members: their region's assessments |
| GET /assessments/<id> | overview | can_view_assessment (read-only answers unless editable) |
| GET, POST /assessments/<id>/questions/<dimension> | dimension | view: can_view; save: can_edit |
| POST /assessments/<id>/questions/<dimension>/autosave | autosave | can_edit (JSON, 401 when logged out) |
| GET /assessments/session | session_token | logged in (JSON: a fresh CSRF token for autosave) |
| POST /assessments/<id>/carry-over | carry_over | can_edit, while the draft is empty (409 otherwise) |
| GET, POST /assessments/<id>/submit | submit | can_edit |
| POST /assessments/<id>/reopen | reopen | can_reopen_assessment |
| GET /assessments/<id>/evidence/<file> | evidence | can_view |
| GET /assessments/<id>/workbook.xlsx | workbook_download | can_view |
| GET, POST /assessments/<id>/workbook | workbook_upload | can_edit |
| POST /assessments/<id>/workbook/resolve | workbook_resolve | can_edit |
| GET /assessments/<id>/print | print_view | can_view |
| GET /assessments/<id>/compare | compare | can_view (and the previous one too) |

Views load, check access (``permissions``), validate, call a service, commit once, redirect.
The two routes that take typed answers (``dimension`` POST, ``autosave``) check the CSRF token
themselves, after checking the session, so that a person whose session expired gets told so
(with their input kept) rather than a bare "bad request".
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, session, url_for)
from flask_babel import format_number, get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import permissions
from ..access import ensure
from ..extensions import csrf, db
from ..i18n import current_language, status_label, translate
from ..main.queries import region_assessments
from ..questionnaires.types import AnswerData, InvalidAnswer, parse_answer, question_type, show_answer
from . import queries, uploads
from .forms import (ConfirmSubmitForm, ReopenForm, SubmitForm, WorkbookForm, dimension_form, initial_values, read_answers,
                    show_conflicts)
from .progress import carried_count, missing_questions, progress
from .services import (AssessmentError, Base, SaveConflict, add_evidence, carry_over as carry_over_answers,
                       confirm_carried, find_evidence,
                       remove_evidence, reopen as reopen_assessment, save_answers, submit as submit_assessment)
from ..config import archive_limits
from ..spreadsheets import XLSX_CELL_LIMIT, XLSX_MIMETYPE, CellTooLong

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


# --- helpers ----------------------------------------------------------------------------------


def _load(assessment_id: int, rule=None):
    """The assessment (404 if there is none), once ``rule(current_user, assessment)`` allows it."""
    assessment = queries.load_assessment(assessment_id)
    if assessment is None:
        abort(404)
    if rule is not None:
        ensure(rule(current_user, assessment))
    return assessment


def _dimension(definition, key: str):
    dimension = next((d for d in definition.dimensions if d.key == key), None)
    if dimension is None:
        abort(404)
    return dimension


def _max_bytes() -> int:
    return int(float(current_app.config["EIS_MAX_UPLOAD_MB"]) * 1_000_000)


#: The draft a successful save made obsolete: the next page tells its script to drop it.
JUST_SAVED = "assessment_just_saved"


def _draft_key(assessment, dimension_key: str) -> str:
    """Where the page's script keeps typed answers in localStorage (per person and page)."""
    return f"eis-draft:{assessment.id}:{dimension_key}:{current_user.id}"


def _commit_or_refuse(change, success: str) -> bool:
    """Run a service call: commit and say so, or roll back and show why it was refused."""
    try:
        change()
    except AssessmentError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def _csrf_failed(form) -> bool:
    return "csrf_token" in form and bool(form.csrf_token.errors)


def _limit_request_size() -> None:
    """A page may attach several files at once: up to ten of the largest allowed size."""
    request.max_content_length = _max_bytes() * 10 + 1_000_000


def _upload_dir() -> str:
    return current_app.config["EIS_UPLOAD_DIR"]


@bp.record_once
def _template_helpers(state) -> None:
    """Helpers the assessment templates (and their macros, which see no request context) use."""
    state.app.jinja_env.globals.update(
        human_size=uploads.human_size, answer_data=AnswerData.of, autosave_messages=autosave_messages,
        answer_text=lambda question, scale, data: show_answer(question, scale, data, current_language()))


def autosave_messages() -> dict:
    """What the page's script says while saving, in the reader's language (``data-messages``):
    texts with their ``%(name)s`` placeholders left for the script, plurals as [one, other]."""
    found = get_translations()

    def ungettext(singular: str, plural: str) -> list[str]:  # named so that pybabel extracts both forms
        return [found.ungettext(singular, plural, 1), found.ungettext(singular, plural, 2)]
    return {
        "saving": found.ugettext("Saving…"),
        "unsaved": found.ugettext("Unsaved changes…"),
        "all_saved": found.ugettext("All changes saved at %(time)s."),
        "saved_except": ungettext("Saved at %(time)s, except %(num)d answer that needs correcting: %(problems)s",
                                  "Saved at %(time)s, except %(num)d answers that need correcting: %(problems)s"),
        "logged_out": found.ugettext("Not saved: you are logged out. What you typed is kept in this browser."),
        "logged_out_banner": found.ugettext(
            "Your session has ended. Log in again in a new tab, then come back here: your answers are kept in "
            "this browser and are saved as soon as you are back."),
        "conflict": found.ugettext("Not saved: someone else changed answers on this page."),
        "conflict_banner": ungettext(
            "Someone else changed %(num)d of these answers while you were typing (%(questions)s). Press Save "
            "to see both versions side by side and choose; your answers are kept in this browser.",
            "Someone else changed %(num)d of these answers while you were typing (%(questions)s). Press Save "
            "to see both versions side by side and choose; your answers are kept in this browser."),
        "not_saved": found.ugettext("Not saved."),
        "no_longer": found.ugettext("This self-assessment can no longer be changed here."),
        "server_error": found.ugettext("Not saved yet (the server answered %(status)s); kept in this browser, "
                                       "retrying."),
        "offline": found.ugettext("Not saved yet: no connection. Kept in this browser; retrying."),
        "restored": found.ugettext("Restored answers that were not saved yet; saving…"),
        "restored_saving": found.ugettext("Answers you typed on this page at %(time)s had not been saved; they "
                                          "are back in the form and are being saved now."),
        "restored_saved": found.ugettext("Answers you typed on this page at %(time)s had not been saved; they are "
                                         "back in the form and saved now."),
    }


@bp.errorhandler(413)
def too_large(error):
    message = _("The files were too large: each may have up to %(size)s, and one save up to ten times that. "
                "Nothing was saved; the answers you typed are kept in this browser.",
                size=uploads.human_size(_max_bytes()))
    return render_template("errors/error.html", code=413, title=_("Files too large"), message=message), 413


# --- lists and overview -----------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    ensure(permissions.can_see_region_assessments(current_user))
    return render_template("assessments/index.html",
                           summaries=queries.summaries(region_assessments(current_user)))


@bp.get("/<int:assessment_id>")
def overview(assessment_id: int):
    assessment = _load(assessment_id, permissions.can_view_assessment)
    return _render_overview(assessment, ReopenForm())


def _render_overview(assessment, reopen_form, status: int = 200):
    definition = queries.definition(assessment)
    answers = queries.answers_by_key(assessment)
    summary = queries.Summary(assessment, definition, progress(definition, queries.states_of(answers)), None)
    previous = queries.previous_assessment(assessment)
    editable = permissions.can_edit_assessment(current_user, assessment)
    return render_template(
        "assessments/overview.html", assessment=assessment, definition=definition, summary=summary,
        answers=answers, history=queries.history(assessment), reopen_form=reopen_form, editable=editable,
        carried=carried_count(summary.dimensions),
        carry_source=queries.carry_over_source(assessment) if editable and not answers else None,
        carry_form=SubmitForm(),
        has_previous=previous is not None and permissions.can_view_assessment(current_user, previous)), status


@bp.post("/<int:assessment_id>/carry-over")
def carry_over(assessment_id: int):
    """Start an empty draft from the region's previous self-assessment (same questionnaire key)."""
    assessment = _load(assessment_id)
    ensure(permissions.is_region_member(current_user, assessment.region_id))
    if not SubmitForm().validate_on_submit():
        abort(400)
    source = queries.carry_over_source(assessment)
    refusal = None
    if not permissions.can_edit_assessment(current_user, assessment):
        refusal = _("This self-assessment is submitted and read-only; nothing was carried over.")
    elif queries.has_answers(assessment):
        refusal = _("This self-assessment already has answers, so it cannot start from the previous one any "
                    "more; nothing was carried over.")
    elif source is None:
        refusal = _("There is no earlier self-assessment of your region with this questionnaire to start from.")
    if refusal is None:
        try:
            result = carry_over_answers(assessment, source, current_user)
        except AssessmentError as error:
            db.session.rollback()
            refusal = str(error)
    if refusal is not None:
        return render_template("errors/error.html", code=409, title=_("Nothing carried over"),
                               message=refusal), 409
    db.session.commit()
    earlier = queries.definition(source)
    return render_template("assessments/carried_over.html", assessment=assessment, result=result,
                           earlier=earlier, first=queries.definition(assessment).dimensions[0])


# --- the questionnaire pages ------------------------------------------------------------------


@bp.route("/<int:assessment_id>/questions/<dimension_key>", methods=["GET", "POST"])
@csrf.exempt  # checked by the form, after the session (see the module's docstring)
def dimension(assessment_id: int, dimension_key: str):
    if request.method == "POST":
        _limit_request_size()
    if request.method == "POST" and not current_user.is_authenticated:
        return _expired(assessment_id, dimension_key)
    assessment = _load(assessment_id, permissions.can_view_assessment)
    definition = queries.definition(assessment)
    page = _dimension(definition, dimension_key)
    answers = queries.answers_by_key(assessment)
    editable = permissions.can_edit_assessment(current_user, assessment)
    if request.method == "GET":
        form = (dimension_form(page, definition.scale, current_language(),
                               initial_values(page, queries.states_of(answers), current_language()))
                if editable else None)
        return _render_page(assessment, definition, page, answers, form)
    ensure(editable)
    form = dimension_form(page, definition.scale, current_language())
    form.validate()
    if _csrf_failed(form):
        flash(_("Your session was renewed, so nothing was saved yet. Your answers are still here: "
                "check them and press Save again."), "warning")
        return _render_page(assessment, definition, page, answers, form, status=400)
    given, bases, problems = read_answers(form, page, definition.scale, current_language())
    if problems:
        flash(ngettext("Nothing was saved: %(num)d answer needs your attention (marked below).",
                       "Nothing was saved: %(num)d answers need your attention (marked below).",
                       len(problems)), "error")
        return _render_page(assessment, definition, page, answers, form, status=422)
    with _collecting_files() as files:
        try:
            save_answers(assessment, given, bases, current_user)
        except (SaveConflict, StaleDataError, IntegrityError) as error:
            db.session.rollback()
            conflicts = error.conflicts if isinstance(error, SaveConflict) else _conflicts_now(
                assessment, given, bases)
            show_conflicts(form, conflicts)
            flash(str(error) if isinstance(error, SaveConflict) else
                  _("Someone saved at the same moment as you. Nothing was saved yet: press Save again."), "warning")
            return _render_page(assessment, queries.definition(assessment), page,
                                queries.answers_by_key(assessment), form,
                                conflicts={c.key: c for c in conflicts}, status=409)
        refused = _attach_and_remove(assessment, page, form, files)
        confirm_carried(assessment, {key: bases[key] for key in given if key in bases}, current_user)
        db.session.commit()
    flash(_("Saved."), "success")
    session[JUST_SAVED] = _draft_key(assessment, page.key)
    for message in refused:
        flash(message, "error")
    return redirect(_after_save(assessment, definition, page, form.action.data))


def _conflicts_now(assessment, given, bases):
    """After a save lost a race at flush time: the conflicts as they stand now (maybe none)."""
    try:
        save_answers(assessment, given, bases, current_user)
    except SaveConflict as error:
        return error.conflicts
    finally:
        db.session.rollback()
    return []


@contextmanager
def _collecting_files():
    """Files stored during a request are deleted again if it fails; removed ones after it commits."""
    files = {"stored": [], "removed": []}
    try:
        yield files
    except BaseException:
        db.session.rollback()
        for stored_name in files["stored"]:
            uploads.discard(stored_name, _upload_dir())
        raise
    for stored_name in files["removed"]:
        uploads.discard(stored_name, _upload_dir())


def _attach_and_remove(assessment, page, form, files) -> list[str]:
    """Remove the file whose button was pressed; attach the chosen files. Returns refusals."""
    refused = []
    if form.remove.data and form.remove.data.isdigit():
        evidence = find_evidence(assessment, int(form.remove.data))
        if evidence is not None:
            name = evidence.filename
            files["removed"].append(remove_evidence(assessment, evidence))
            flash(_("Removed %(name)s.", name=name), "info")
    for question in page.questions:
        for upload in form[question.key].form.files.data or []:
            if not getattr(upload, "filename", None):
                continue
            try:
                stored = uploads.store(upload.stream, upload.filename, _upload_dir(), _max_bytes())
            except uploads.UploadError as error:
                refused.append(_("Not attached: %(reason)s", reason=error))
                continue
            files["stored"].append(stored.stored_name)
            add_evidence(assessment, question.key, stored, current_user)
    return refused


def _after_save(assessment, definition, page, action: str | None) -> str:
    keys = [d.key for d in definition.dimensions]
    position = keys.index(page.key)
    if action == "next" and position + 1 < len(keys):
        return url_for(".dimension", assessment_id=assessment.id, dimension_key=keys[position + 1])
    if action == "previous" and position > 0:
        return url_for(".dimension", assessment_id=assessment.id, dimension_key=keys[position - 1])
    if action == "submit":
        return url_for(".submit", assessment_id=assessment.id)
    return url_for(".dimension", assessment_id=assessment.id, dimension_key=page.key)


def _render_page(assessment, definition, page, answers, form, conflicts=None, status: int = 200):
    states = queries.states_of(answers)
    keys = [d.key for d in definition.dimensions]
    position = keys.index(page.key)
    return render_template(
        "assessments/dimension.html", assessment=assessment, definition=definition, page=page,
        answers=answers, form=form, conflicts=conflicts or {}, dimensions=progress(definition, states),
        carried_from=queries.carried_sources(answers),
        position=position, previous=definition.dimensions[position - 1] if position else None,
        draft_key=_draft_key(assessment, page.key), just_saved=session.pop(JUST_SAVED, None),
        next=definition.dimensions[position + 1] if position + 1 < len(keys) else None,
        max_upload=_max_bytes(), accept=uploads.ACCEPT), status


def _expired(assessment_id: int, dimension_key: str):
    """A save posted after the session ended: nothing is saved; say so, show what was typed, and
    send the person to log in and come back (the page's script restores the typed answers)."""
    assessment = _load(assessment_id)
    definition = queries.definition(assessment)
    page = _dimension(definition, dimension_key)
    form = dimension_form(page, definition.scale, current_language(), meta={"csrf": False})
    typed = []
    for question in page.questions:
        sub = form[question.key].form
        try:
            data = parse_answer(question, definition.scale, sub.answer.data if "answer" in sub else None,
                                sub.comment.data, current_language())
        except InvalidAnswer:
            data = None
        if data is not None and data.digest() == sub.digest.data:
            continue  # not changed on the page
        shown = show_answer(question, definition.scale, data, current_language()) if data else (
            str(sub.answer.data or ""))
        if shown or (data and data.comment):
            typed.append((question, shown, data.comment if data else sub.comment.data))
    back = url_for(".dimension", assessment_id=assessment_id, dimension_key=dimension_key)
    return render_template("assessments/expired.html", typed=typed, page=page, back=back,
                           login_url=url_for("accounts.login", next=back)), 401


@bp.post("/<int:assessment_id>/questions/<dimension_key>/autosave")
@csrf.exempt  # checked by the form, after the session (see the module's docstring)
def autosave(assessment_id: int, dimension_key: str):
    """Save what the page holds now; JSON for the page's script, never a redirect."""
    back = url_for(".dimension", assessment_id=assessment_id, dimension_key=dimension_key)
    if not current_user.is_authenticated:
        return jsonify(status="logged_out", login_url=url_for("accounts.login", next=back),
                       message=_("Your session has ended. Log in again to save; what you typed is kept "
                                 "in this browser.")), 401
    assessment = _load(assessment_id)
    if not permissions.can_edit_assessment(current_user, assessment):
        if not permissions.is_region_member(current_user, assessment.region_id):
            return jsonify(status="forbidden", message=_("You may not change this self-assessment.")), 403
        return jsonify(status="read_only", message=_("This self-assessment was submitted meanwhile and is "
                                                     "read-only; your latest changes are not saved.")), 409
    definition = queries.definition(assessment)
    page = _dimension(definition, dimension_key)
    form = dimension_form(page, definition.scale, current_language())
    form.validate()
    if _csrf_failed(form):
        return jsonify(status="csrf", message=_("Your session was renewed; retrying.")), 400
    given, bases, problems = read_answers(form, page, definition.scale, current_language())
    try:
        _save_settling_a_race(assessment, given, bases)
    except (SaveConflict, StaleDataError, IntegrityError) as error:
        db.session.rollback()
        keys = [c.key for c in error.conflicts] if isinstance(error, SaveConflict) else sorted(given)
        language = current_language()
        return jsonify(status="conflict", questions=[translate(definition.question(k).text, language) for k in keys],
                       message=_("Someone else changed answers on this page meanwhile. Press Save to see "
                                 "both versions and choose.")), 409
    stored = queries.answers_by_key(assessment)
    return jsonify(status="saved", problems=problems,
                   answers={key: {"version": stored[key].version, "digest": data.digest()}
                            for key, data in given.items()
                            if key in stored and AnswerData.of(stored[key]) == data})


def _save_settling_a_race(assessment, given, bases) -> None:
    """Save and commit; a save that lost a race at flush time is tried once more against the winner.

    The usual race is the same person's same draft saved from two tabs at once: the second try
    finds those answers already so and writes nothing. A real difference is a :class:`SaveConflict`.
    """
    try:
        save_answers(assessment, given, bases, current_user)
        db.session.commit()
        return
    except (StaleDataError, IntegrityError):
        db.session.rollback()
    save_answers(assessment, given, bases, current_user)
    db.session.commit()


@bp.get("/session")
def session_token():
    """A fresh CSRF token for a page whose session was renewed (JSON; 401 when logged out)."""
    if not current_user.is_authenticated:
        return jsonify(status="logged_out", login_url=url_for("accounts.login")), 401
    return jsonify(status="ok", csrf_token=generate_csrf())


# --- submit and reopen ------------------------------------------------------------------------


@bp.route("/<int:assessment_id>/submit", methods=["GET", "POST"])
def submit(assessment_id: int):
    assessment = _load(assessment_id, permissions.can_edit_assessment)
    form = ConfirmSubmitForm()
    definition = queries.definition(assessment)
    if form.validate_on_submit() and _commit_or_refuse(
            lambda: submit_assessment(assessment, current_user, bool(form.carried_still_hold.data)),
            _("Submitted. The self-assessment is now read-only.")):
        return redirect(url_for(".overview", assessment_id=assessment.id))
    states = queries.states_of(queries.answers_by_key(assessment))
    missing = missing_questions(definition, states)
    carried = sum(state.carried for state in states.values())
    refused = request.method == "POST" and (missing or carried)
    return render_template("assessments/submit.html", assessment=assessment, definition=definition,
                           missing=missing, carried=carried, form=form,
                           just_saved=session.pop(JUST_SAVED, None)), 422 if refused else 200


@bp.post("/<int:assessment_id>/reopen")
def reopen(assessment_id: int):
    assessment = _load(assessment_id, permissions.can_reopen_assessment)
    form = ReopenForm()
    if form.validate_on_submit() and _commit_or_refuse(
            lambda: reopen_assessment(assessment, current_user, form.reason.data),
            _("Reopened: %(region)s can edit the self-assessment again.", region=assessment.region.name)):
        return redirect(url_for(".overview", assessment_id=assessment.id))
    return _render_overview(assessment, form, status=422)


# --- evidence files ---------------------------------------------------------------------------


@bp.get("/<int:assessment_id>/evidence/<int:evidence_id>")
def evidence(assessment_id: int, evidence_id: int):
    assessment = _load(assessment_id, permissions.can_view_assessment)
    found = find_evidence(assessment, evidence_id)
    if found is None:
        abort(404)
    path = uploads.path_of(found.stored_name, _upload_dir())
    if not Path(path).is_file():
        abort(404)
    response = send_file(path, mimetype=found.content_type, as_attachment=True,
                         download_name=uploads.download_name(found.filename, found.content_type),
                         max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the offline workbook ---------------------------------------------------------------------


@bp.get("/<int:assessment_id>/workbook.xlsx")
def workbook_download(assessment_id: int):
    from .workbook import ExportedAnswer, export_workbook  # openpyxl only where it is used (eis --help stays fast)

    assessment = _load(assessment_id, permissions.can_view_assessment)
    definition = queries.definition(assessment)
    answers = {key: ExportedAnswer(AnswerData.of(a), a.version, tuple(e.filename for e in a.evidence))
               for key, a in queries.answers_by_key(assessment).items()}
    heading = [(_("Region"), str(assessment.region)), (_("Workshop"), assessment.workshop.title),
               (_("Status"), status_label(assessment.status)), (_("Downloaded by"), current_user.name)]
    try:
        data = export_workbook(definition, answers, current_language(), assessment_id=assessment.id,
                               heading=heading)
    except CellTooLong as error:
        flash(_("This self-assessment does not fit in a workbook: %(where)s has %(length)s characters, more "
                "than a spreadsheet cell holds (%(limit)s). Shorten that text on its page, or use the print view.",
                where=error.where, length=format_number(error.length), limit=format_number(XLSX_CELL_LIMIT)),
              "error")
        return redirect(url_for("assessments.overview", assessment_id=assessment.id))
    name = f"self-assessment-{assessment.region.code}-{assessment.workshop.slug}.xlsx"
    response = send_file(BytesIO(data), as_attachment=True, download_name=name,
                         mimetype=XLSX_MIMETYPE)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:assessment_id>/workbook", methods=["GET", "POST"])
def workbook_upload(assessment_id: int):
    from .workbook import WorkbookError, read_workbook  # openpyxl only where it is used

    assessment = _load(assessment_id, permissions.can_edit_assessment)
    form = WorkbookForm()
    definition = queries.definition(assessment)
    if not form.validate_on_submit():
        return render_template("assessments/workbook.html", assessment=assessment, form=form)
    upload = form.workbook.data
    data = upload.stream.read(_max_bytes() + 1) if upload else b""
    if not data:
        form.workbook.errors.append(_("Choose the workbook to upload."))
        return render_template("assessments/workbook.html", assessment=assessment, form=form), 422
    if len(data) > _max_bytes():
        form.workbook.errors.append(_("The workbook is larger than %(size)s.", size=uploads.human_size(_max_bytes())))
        return render_template("assessments/workbook.html", assessment=assessment, form=form), 422
    try:
        imported = read_workbook(data, definition, assessment_id=assessment.id, language=current_language(),
                                 limits=archive_limits(current_app.config),
                                 earlier=queries.earlier_definitions(assessment))
    except WorkbookError as error:
        return render_template("assessments/workbook.html", assessment=assessment, form=form,
                               problems=error.problems), 422
    given = {key: answer.data for key, answer in imported.answers.items()}
    bases = {key: Base(answer.version, answer.digest or None) for key, answer in imported.answers.items()}
    if imported.earlier:
        flash(_("This is the workbook of an earlier self-assessment (%(ref)s): its answers were brought into "
                "this one by question key.", ref=imported.ref), "info")
    if imported.gone:
        rows = "; ".join(_("sheet '%(sheet)s', row %(row)s (%(key)s): %(reason)s", sheet=p.sheet, row=p.row,
                           key=p.question, reason=p.message) for p in imported.gone)
        flash(ngettext("%(num)d answer of that workbook was left out: %(rows)s",
                       "%(num)d answers of that workbook were left out: %(rows)s", len(imported.gone), rows=rows),
              "warning")
    return _import(assessment, definition, given, bases)


@bp.post("/<int:assessment_id>/workbook/resolve")
def workbook_resolve(assessment_id: int):
    """Choices after an upload met answers changed online: the upload's answers come back in a
    hidden field and are checked again like any input."""
    assessment = _load(assessment_id, permissions.can_edit_assessment)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    definition = queries.definition(assessment)
    try:
        payload = json.loads(request.form.get("payload", ""))
        given, bases = {}, {}
        for key, entry in payload["answers"].items():
            question = definition.question(key)
            choice = request.form.get(f"resolve-{key}")
            if key in payload["conflicts"] and choice not in ("mine", "theirs"):
                raise ValueError(_("choose which answer to keep for %(key)s", key=key))
            if choice == "theirs":
                continue
            given[key] = parse_answer(question, definition.scale, entry["answer"], entry["comment"])
            bases[key] = Base(int(entry["version"]), entry["digest"])
    except (ValueError, KeyError, TypeError, InvalidAnswer) as error:
        flash(_("The choices could not be read (%(reason)s); upload the workbook again.", reason=error), "error")
        return redirect(url_for(".workbook_upload", assessment_id=assessment.id))
    return _import(assessment, definition, given, bases)


def _import(assessment, definition, given, bases):
    try:
        saved = save_answers(assessment, given, bases, current_user)
    except SaveConflict as error:
        db.session.rollback()
        for conflict in error.conflicts:  # keeping the workbook's answer saves it over the one shown
            bases[conflict.key] = Base(conflict.version, conflict.digest)
        payload = {"conflicts": [c.key for c in error.conflicts], "answers": {
            key: {"answer": question_type(definition.question(key)).form_value(data), "comment": data.comment,
                  "version": bases[key].version, "digest": bases[key].digest} for key, data in given.items()}}
        return render_template("assessments/workbook_conflicts.html", assessment=assessment, definition=definition,
                               conflicts=error.conflicts, payload=json.dumps(payload), form=SubmitForm()), 409
    db.session.commit()
    count = len(saved)
    flash(ngettext("Workbook imported: %(num)d answer changed.", "Workbook imported: %(num)d answers changed.", count)
          if count else _("Workbook imported: no answer differs from what is saved."), "success")
    return redirect(url_for(".overview", assessment_id=assessment.id))


# --- print and compare ------------------------------------------------------------------------


@bp.get("/<int:assessment_id>/print")
def print_view(assessment_id: int):
    assessment = _load(assessment_id, permissions.can_view_assessment)
    return render_template("assessments/print.html", assessment=assessment,
                           definition=queries.definition(assessment), answers=queries.answers_by_key(assessment))


@bp.get("/<int:assessment_id>/compare")
def compare(assessment_id: int):
    assessment = _load(assessment_id, permissions.can_view_assessment)
    previous = queries.previous_assessment(assessment)
    if previous is not None and not permissions.can_view_assessment(current_user, previous):
        previous = None
    return render_template(
        "assessments/compare.html", assessment=assessment, definition=queries.definition(assessment),
        answers=queries.answers_by_key(assessment), previous=previous,
        previous_definition=queries.definition(previous) if previous else None,
        previous_answers=queries.answers_by_key(previous) if previous else {})
