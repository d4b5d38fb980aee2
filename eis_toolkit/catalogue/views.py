"""The practice catalogue and the SME self-check (blueprint ``catalogue``).

| address | who | what |
| --- | --- | --- |
| ``GET /practices/`` | anyone | search box, facets with counts, results, pagination |
| ``GET /practices.json`` / ``.csv`` | anyone | the selection as JSON (one page) or CSV (all of it) |
| ``GET /practices/deadlines.ics`` | anyone | dated editions of the selection, as iCalendar |
| ``GET /practices/<slug>`` | anyone (published); region members and moderators (others) | one practice |
| ``GET /self-check``, ``/self-check/results[.json]`` | anyone | the SME self-check, nothing stored |
| ``GET /practices/manage`` | region members, moderators | drafts and practices in review |
| ``GET|POST /practices/new[?nomination=ID]`` | region members (own region), moderators | a new draft |
| ``GET|POST /practices/<slug>/edit`` | region members (own region), moderators | edit, kept in the history |
| ``POST /practices/<slug>/<submit|publish|return>`` | see permissions.py | moderation |
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import cache, permissions
from ..access import ensure
from ..accounts.models import Region
from ..extensions import db
from ..pagecache import cached_page
from ..spreadsheets import XLSX_MIMETYPE, csv_cell, table_workbook
from ..workshops.models import Nomination
from . import pages, recommend, services
from .forms import PracticeForm, ReturnForm, editions_text
from .models import Practice, PracticeStatus
from .ratings import peer_rating
from .selection import (FACETS, FILTERS, CatalogueQueryError, catalogue_selection, parse_catalogue_args,
                        parse_filter, result_object, upcoming_editions)
from .taxonomies import needs

bp = Blueprint("catalogue", __name__)

CSV_COLUMNS = ("slug", "title", "region", "region_name", "organisation", "summary", "instruments", "sectors",
               "markets", "stages", "dimensions", "rating", "rating_n", "published_at", "url")
#: The self-check's needs (DESIGN.md's one ``need`` parameter), asked as three short questions:
#: what to find, what gets the firm ready, which steps abroad (their wording is in the template).
SELF_CHECK_NEEDS = (("information", "partners"), ("training", "finance"), ("events", "follow_up"))


def _query_or_400(fmt: str = "html"):
    try:
        return parse_catalogue_args(request.args)
    except CatalogueQueryError as error:
        abort(_bad_request(str(error), fmt))


def _bad_request(message: str, fmt: str) -> Response:
    if fmt == "json":
        response = jsonify({"error": message})
    elif fmt in ("csv", "ics"):
        response = Response(message + "\n", mimetype="text/plain")
    else:
        response = Response(render_template("errors/error.html", code=400, title=_("Bad request"),
                                            message=message))
    response.status_code = 400
    return response


def _practice_url(practice: Practice) -> str:
    return url_for("catalogue.practice", slug=practice.slug, _external=True)


# --- public catalogue --------------------------------------------------------------------------


@bp.get("/practices/")
@cached_page(cache.CATALOGUE)
def index():
    """The results part (facets, list, pages) is rendered once per catalogue version, query and
    language (``_results.html`` depends on nothing else): a public page, and a new version is a new key."""
    query = _query_or_400()
    language, today = _current_language(), pages.today()
    linked_lang = query.lang if request.args.get("lang") else ""
    parts = (language, today.isoformat(), linked_lang, sorted(query.args().items()), query.lang, query.sort)
    results = cache.cached("catalogue-results", parts, lambda: Markup(_results(query, language, today)),
                           row=cache.CATALOGUE, store=cache.pages)
    return render_template("catalogue/index.html", query=query, results=results)


def _results(query, language: str, today) -> str:
    selection = catalogue_selection(query)
    ahead = upcoming_editions(selection, today) if query.page == 1 else []
    return render_template("catalogue/_results.html", selection=selection, query=query,
                           labels=pages.Labels(language), facet_names=FACETS, facet_title=pages.facet_title,
                           facet_link=pages.FacetLinks(url_for("catalogue.index"), query),
                           today=today, upcoming=services.upcoming, ahead=ahead)


def _current_language() -> str:
    from ..i18n import current_language

    return current_language()


@bp.get("/practices.json")
def index_json():
    query = _query_or_400("json")
    selection = catalogue_selection(query)
    return jsonify({"total": selection.total, "page": query.page, "per_page": query.per_page,
                    "results": [result_object(i, _practice_url(i.practice)) for i in selection.items],
                    "facets": selection.facets})


def _csv_cell(value) -> str:
    """Lists joined with "; "; text through :func:`spreadsheets.csv_cell` (no formulas)."""
    if isinstance(value, list):
        value = "; ".join(value)
    return "" if value is None else csv_cell(value if isinstance(value, str) else str(value))


def _export_rows(fmt: str):
    """The whole selection (page and per_page ignored) as rows of ``CSV_COLUMNS``."""
    selection = catalogue_selection(_query_or_400(fmt), whole=True, facets=False)
    for item in selection.items:
        row = result_object(item, _practice_url(item.practice))
        yield [row[column] for column in CSV_COLUMNS]


@bp.get("/practices.csv")
def index_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows([_csv_cell(value) for value in row] for row in _export_rows("csv"))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=practices.csv"})


@bp.get("/practices.xlsx")
def index_xlsx():
    """The CSV's table as a workbook: the rating a number, as a spreadsheet in any language reads it."""
    rows = ([("; ".join(value) if isinstance(value, list) else value) for value in row] for row in _export_rows("csv"))
    return Response(table_workbook("practices", CSV_COLUMNS, list(rows)), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": "attachment; filename=practices.xlsx"})


@bp.get("/practices/deadlines.ics")
def deadlines_ics():
    """Every dated edition of the selected practices: an all-day event on each application
    deadline, and one for the edition's own dates."""
    from icalendar import Calendar, Event

    query = _query_or_400("ics")
    selection = catalogue_selection(query, whole=True, facets=False)
    calendar = Calendar()
    calendar.add("prodid", "-//EIS Toolkit//practice catalogue//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "EIS Toolkit: practice deadlines")
    host = request.host.split(":")[0]
    for item in selection.items:
        practice = item.practice
        url = _practice_url(practice)
        for edition in practice.editions:
            base = f"{practice.slug}-{edition.id}"
            if edition.deadline:
                event = Event()
                event.add("uid", f"{base}-deadline@{host}")
                event.add("summary", _("Deadline: %(title)s", title=f"{practice.title} — {edition.title}"))
                event.add("dtstart", edition.deadline)
                event.add("dtend", edition.deadline + timedelta(days=1))
                event.add("dtstamp", practice.updated_at or practice.created_at)
                event.add("url", url)
                event.add("description", "\n".join(filter(None, [edition.eligibility, url])))
                calendar.add_component(event)
            if edition.starts:
                event = Event()
                event.add("uid", f"{base}@{host}")
                event.add("summary", f"{practice.title} — {edition.title}")
                event.add("dtstart", edition.starts)
                event.add("dtend", (edition.ends or edition.starts) + timedelta(days=1))
                event.add("dtstamp", practice.updated_at or practice.created_at)
                if edition.place:
                    event.add("location", edition.place)
                event.add("url", url)
                event.add("description", "\n".join(filter(None, [edition.eligibility, url])))
                calendar.add_component(event)
    return Response(calendar.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": "inline; filename=deadlines.ics"})


@bp.get("/practices/<slug>")
@cached_page()
def practice(slug: str):
    item = pages.load_practice(slug)
    if item is None or not permissions.can_view_practice(current_user, item):
        abort(404)
    rating = peer_rating(item.ratings)
    events = services.history(item) if permissions.can_see_practice_history(current_user, item) else []
    open_now, later = services.upcoming(item.editions, pages.today())
    return render_template(
        "catalogue/practice.html", practice=item, rating=rating.mean, rating_n=rating.n,
        labels=pages.Labels(_current_language()), filters=FILTERS, open_now=open_now, later=later,
        nominations=pages.nominations_of(item, current_user),
        evidence=pages.region_evidence(item, current_user), history=events,
        return_reason=services.return_reason(events, item) if events else None,
        return_form=ReturnForm(), today=pages.today(), blocks=pages.blocks)


# --- SME self-check ----------------------------------------------------------------------------


def _self_check_answers(fmt: str):
    """The answers in the query, checked like the catalogue's filters (400 on unknown values)."""
    args = request.args
    try:
        sector = parse_filter(args, "sector")
        markets = parse_filter(args, "market")
        stage = parse_filter(args, "stage")
        asked_needs = [v for v in args.getlist("need") if v.strip()]
        unknown = [v for v in asked_needs if v not in needs()]
        if unknown:
            raise CatalogueQueryError(_("Unknown %(name)s: %(values)s.", name="need",
                                        values=", ".join(repr(v) for v in unknown)))
        if len(sector) > 1 or len(stage) > 1:
            raise CatalogueQueryError(_("Give one sector and one stage at most."))
        lang = args.get("lang") or None
        if lang is not None and lang not in ("en", "it", "da", "de"):
            raise CatalogueQueryError(_("Unknown lang: %(value)r (use one of %(allowed)s).", value=lang,
                                        allowed="en, it, da, de"))
    except CatalogueQueryError as error:
        abort(_bad_request(str(error), fmt))
    return recommend.Answers(sector=sector[0] if sector else None, markets=markets,
                             stage=stage[0] if stage else None, needs=tuple(dict.fromkeys(asked_needs)))


def _recommendations(answers: recommend.Answers):
    from .selection import CatalogueQuery

    selection = catalogue_selection(CatalogueQuery(), whole=True, facets=False)
    by_slug = {i.practice.slug: i for i in selection.items}
    ranked = recommend.rank(answers, pages.candidates(selection), pages.today(), pages.need_instruments())
    return [(r, by_slug[r.slug]) for r in ranked]


def _self_check_labels() -> pages.Labels:
    return pages.Labels(_current_language())


@bp.get("/self-check")
@cached_page(cache.CATALOGUE)
def self_check():
    labels = _self_check_labels()
    answers = _self_check_answers("html") if request.args else recommend.Answers()
    return render_template("catalogue/self_check.html", labels=labels, answers=answers,
                           market_options=labels.options("market"), need_groups=SELF_CHECK_NEEDS,
                           common_markets=_common_markets())


def _common_markets() -> list[str]:
    """Markets the published practices name, for the self-check's quick choices."""
    from .selection import CatalogueQuery

    return list(catalogue_selection(CatalogueQuery(), whole=False, facets=True).facets["market"])[:12]


@bp.get("/self-check/results")
@cached_page(cache.CATALOGUE)
def self_check_results():
    answers = _self_check_answers("html")
    labels = _self_check_labels()
    results = _recommendations(answers)
    return render_template("catalogue/self_check_results.html", answers=answers, labels=labels,
                           results=results, reason_text=pages.reason_text)


@bp.get("/self-check/results.json")
def self_check_results_json():
    answers = _self_check_answers("json")
    labels = _self_check_labels()
    out = []
    for recommendation, item in _recommendations(answers):
        obj = result_object(item, _practice_url(item.practice))
        obj["score"] = recommendation.score
        obj["reasons"] = [pages.reason_text(r, labels) for r in recommendation.reasons]
        out.append(obj)
    return jsonify({"total": len(out), "results": out})


# --- writing and moderating --------------------------------------------------------------------


@bp.get("/practices/manage")
def manage():
    ensure(permissions.can_create_practice(current_user))
    statement = (select(Practice).where(Practice.status != PracticeStatus.PUBLISHED)
                 .options(joinedload(Practice.region)).order_by(Practice.status, Practice.title))
    if not permissions.can_moderate_practices(current_user):
        statement = statement.where(Practice.region_id == current_user.region_id)
    own = []
    if current_user.region_id is not None:
        own = list(db.session.scalars(select(Practice).where(
            Practice.region_id == current_user.region_id, Practice.status == PracticeStatus.PUBLISHED)
            .order_by(Practice.title)))
    return render_template("catalogue/manage.html", practices=list(db.session.scalars(statement)),
                           published=own)


def _fill_choices(form: PracticeForm, labels: pages.Labels) -> None:
    for name in ("instrument", "sector", "market", "stage", "dimension"):
        getattr(form, name + "s").choices = [SelectChoice(k, v) for k, v in labels.options(name)]
    if permissions.can_moderate_practices(current_user):
        regions = db.session.scalars(select(Region).order_by(Region.name))
        form.region_id.choices = [SelectChoice(0, _("No region (European or national body)"))] + [
            SelectChoice(r.id, f"{r.name} ({r.code})") for r in regions]
    else:
        region = current_user.region
        form.region_id.choices = [SelectChoice(region.id, f"{region.name} ({region.code})")]


def _region_for(form: PracticeForm):
    region = db.session.get(Region, form.region_id.data) if form.region_id.data else None
    if not permissions.can_create_practice(current_user, region.id if region else None):
        abort(403)
    return region


@bp.route("/practices/new", methods=["GET", "POST"])
def new():
    ensure(permissions.can_create_practice(current_user))
    nomination = None
    nomination_id = request.values.get("nomination", type=int)
    if nomination_id:
        nomination = db.get_or_404(Nomination, nomination_id)
        ensure(permissions.can_start_practice_from(current_user, nomination))
    form = PracticeForm()
    _fill_choices(form, pages.Labels(_current_language()))
    if request.method == "GET":
        form.region_id.data = current_user.region_id or 0
        if nomination is not None:
            form.title.data = nomination.title
            form.summary.data = nomination.description
            form.transferability.data = nomination.why
            form.region_id.data = nomination.review.assignment.region_id
            form.dimensions.data = [nomination.dimension_key]
    if form.validate_on_submit():
        try:
            practice = services.create_practice(form.data_for_service(_region_for(form)), current_user, nomination)
        except services.PracticeError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The draft is saved. Send it for review when it is ready."), "success")
            return redirect(url_for("catalogue.practice", slug=practice.slug))
    return render_template("catalogue/form.html", form=form, practice=None, nomination=nomination)


def _editable(slug: str) -> Practice:
    practice = pages.load_practice(slug)
    if practice is None or not permissions.can_view_practice(current_user, practice):
        abort(404)
    return practice


@bp.route("/practices/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    practice = _editable(slug)
    ensure(permissions.can_edit_practice(current_user, practice))
    form = PracticeForm(obj=practice) if request.method == "GET" else PracticeForm()
    _fill_choices(form, pages.Labels(_current_language()))
    if request.method == "GET":
        for name, vocabulary in FILTERS.items():
            getattr(form, name + "s").data = practice.keys(vocabulary)
        form.links.data = "\n".join(practice.links or [])
        form.editions.data = editions_text(practice.editions)
        form.region_id.data = practice.region_id or 0
        if not permissions.can_moderate_practices(current_user):
            form.region_id.choices = [SelectChoice(practice.region.id,
                                                   f"{practice.region.name} ({practice.region.code})")]
    if form.validate_on_submit():
        region = _region_for(form) if permissions.can_moderate_practices(current_user) else practice.region
        try:
            changes = services.update_practice(practice, form.data_for_service(region), current_user)
        except services.PracticeError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("catalogue.practice", slug=practice.slug))
    return render_template("catalogue/form.html", form=form, practice=practice, nomination=None)


@bp.post("/practices/<slug>/<any(submit, publish, return):action>")
def moderate(slug: str, action: str):
    practice = _editable(slug)
    allowed = {"submit": permissions.can_submit_practice, "publish": permissions.can_publish_practice,
               "return": permissions.can_return_practice}[action]
    ensure(allowed(current_user, practice))
    try:
        if action == "submit":
            services.submit_practice(practice, current_user)
            message = _("Sent for review.")
        elif action == "publish":
            services.publish_practice(practice, current_user)
            message = _("Published: the practice is in the public catalogue.")
        else:
            form = ReturnForm()
            if not form.validate_on_submit():
                raise services.PracticeError(_("Say why the practice goes back to draft."))
            services.return_practice(practice, form.reason.data, current_user)
            message = _("Sent back to draft; the authors see your reason.")
    except services.PracticeError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("catalogue.practice", slug=practice.slug))


def init_app(app) -> None:
    """The catalogue's part of the app: its blueprint and the search document's upkeep."""
    from .indexing import register

    register()
    app.register_blueprint(bp)
