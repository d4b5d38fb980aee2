"""Routes of the benchmark blueprint: scorecards, workshop and programme pages, charts, exports.

Every route loads, asks a predicate of ``permissions.py``, then calls a builder
(``builders.py``: the same page assembly as the exports and the PDF reports) that reads the
benchmark rows from the cache, by data version, in a constant number of queries. Charts are separate SVG routes under the same
rules, cached by the numbers they show; the page puts a digest of those numbers in each chart's
address so that the browser keeps a chart until its numbers change.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions
from ..access import ensure
from ..actions import pages as action_pages
from ..actions.transfers import transfers as action_transfers
from ..extensions import db
from ..models import Programme, Region, Workshop, WorkshopStatus
from ..pagecache import cached_page
from ..questionnaires.services import definition_of, find_questionnaire
from . import builders, charts, export, pages
from .numbers import Row
from ..workshops.queries import hot_seat_region

bp = Blueprint("benchmark", __name__, url_prefix="/benchmark")

#: Beyond this many regions the tables are paged and each heatmap drawn per page.
HEATMAP_MAX_REGIONS = builders.HEATMAP_MAX_REGIONS


@bp.get("/")
def index():
    """Benchmarks the person may open: workshops and programme comparisons."""
    ensure(permissions.can_view_programme_benchmark(current_user))
    workshops = db.session.scalars(
        select(Workshop).options(joinedload(Workshop.programme), joinedload(Workshop.questionnaire),
                                 selectinload(Workshop.hot_seat))
        .order_by(Workshop.starts.desc(), Workshop.id.desc())).all()
    comparisons = {}
    for workshop in workshops:
        if permissions.counts_in_programme_benchmark(current_user, workshop):
            comparisons.setdefault((workshop.programme, workshop.questionnaire), []).append(workshop)
    viewable = [w for w in workshops if permissions.can_view_benchmark(current_user, w)]
    return render_template("benchmark/index.html", workshops=viewable, comparisons=comparisons)


# --- a workshop ----------------------------------------------------------------------------------


def _workshop(slug: str) -> Workshop:
    workshop = db.session.scalar(
        select(Workshop).where(Workshop.slug == slug)
        .options(joinedload(Workshop.questionnaire), joinedload(Workshop.programme)))
    if workshop is None:
        abort(404)
    return workshop


def _hot_seat_region(workshop: Workshop, code: str) -> Region:
    """The hot-seat region with this code, else 404."""
    return hot_seat_region(workshop, code) or abort(404)

@bp.get("/workshops/<slug>")
@cached_page()
def workshop_page(slug):
    workshop = _workshop(slug)
    ensure(permissions.can_view_benchmark(current_user, workshop))
    built = _table_query(lambda sort, order, page: builders.workshop_page(workshop, current_user, sort, order, page))
    return render_template("benchmark/workshop.html", page=built, workshop=workshop, structure=built.structure,
                           titles=built.titles, agreement=pages.agreement)


def _table_query(build):
    """Call ``build(sort, order, page)`` with the query's values; 400 for unknown ones."""
    try:
        return build(request.args.get("sort"), request.args.get("order"), request.args.get("page"))
    except builders.BadTableQuery as error:
        abort(400, description=str(error))


@bp.get("/workshops/<slug>/regions/<code>")
@cached_page()
def scorecard(slug, code):
    workshop = _workshop(slug)
    region = _hot_seat_region(workshop, code)
    ensure(permissions.can_view_scorecard(current_user, workshop, region.id))
    card = builders.scorecard(workshop, region, current_user)
    return render_template(
        "benchmark/scorecard.html", card=card, workshop=workshop, region=region, structure=card.structure,
        definition=card.definition, titles=card.titles, rows=card.rows, overall=card.overall,
        self_status=card.self_status, agreement=card.agreement, blind_spots=card.blind_spots,
        is_blind_spot=pages.is_blind_spot, group_index=pages.group_index, learn_from=card.learn_from,
        bars_key=card.bars_key, radar_key=card.radar_key, can_see_workshop=card.can_see_workshop,
        progress=action_pages.scorecard_progress(workshop, region, current_user))


# --- exports -------------------------------------------------------------------------------------


def _download(rows: list[Row], fmt: str, name: str) -> Response:
    return Response(export.render(rows, fmt), mimetype=export.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                             "Cache-Control": "private, no-store"})


@bp.get("/workshops/<slug>/benchmark.<any(csv, json, xlsx):fmt>")
def workshop_export(slug, fmt):
    workshop = _workshop(slug)
    ensure(permissions.can_view_benchmark(current_user, workshop))
    return _download(builders.workshop_rows(workshop), fmt, f"{workshop.slug}-benchmark")


@bp.get("/workshops/<slug>/regions/<code>/benchmark.<any(csv, json, xlsx):fmt>")
def scorecard_export(slug, code, fmt):
    workshop = _workshop(slug)
    region = _hot_seat_region(workshop, code)
    ensure(permissions.can_view_scorecard(current_user, workshop, region.id))
    return _download(list(builders.region_rows(workshop, code).values()), fmt, f"{workshop.slug}-{code}-benchmark")


# --- charts --------------------------------------------------------------------------------------


def _svg(draw, args: tuple | None, key: str | None) -> Response:
    """A chart response: a 304 when the browser has it (no drawing, and the key needs no numbers);
    rendered only when not cached; kept a day when the address carries its key (``v``),
    revalidated otherwise."""
    if args is None:
        abort(404)
    if key in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(draw(*args), mimetype="image/svg+xml")
    response.set_etag(key)
    response.headers["Cache-Control"] = ("private, max-age=86400" if request.args.get("v") == key
                                         else "private, no-cache")
    # Our own matplotlib output, with style attributes and no script: allow exactly that.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/workshops/<slug>/heatmap.svg")
def workshop_heatmap(slug):
    workshop = _workshop(slug)
    ensure(permissions.can_view_benchmark(current_user, workshop))
    args, key = _table_query(lambda sort, order, page: builders.workshop_heatmap(workshop, sort, order, page))
    return _svg(charts.heatmap, args, key)


@bp.get("/workshops/<slug>/regions/<code>/<any(bars, radar):chart>.svg")
def scorecard_chart(slug, code, chart):
    workshop = _workshop(slug)
    region = _hot_seat_region(workshop, code)
    ensure(permissions.can_view_scorecard(current_user, workshop, region.id))
    args, key = builders.scorecard_chart(workshop, region, chart)
    return _svg(charts.dimension_bars if chart == "bars" else charts.radar, args, key)


# --- a programme ---------------------------------------------------------------------------------


def _programme_page(slug: str, ref: str) -> builders.ProgrammePage:
    ensure(permissions.can_view_programme_benchmark(current_user))
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    questionnaire = find_questionnaire(ref)
    if programme is None or questionnaire is None:
        abort(404)
    dimension = request.args.get("dimension", "overall")
    if dimension != "overall" and dimension not in {d.key for d in definition_of(questionnaire).dimensions}:
        abort(404)
    try:
        return builders.programme_page(programme, questionnaire, current_user, dimension, request.args.get("page"))
    except builders.BadTableQuery as error:
        abort(400, description=str(error))


@bp.get("/programmes/<slug>/<ref>")
def programme_page(slug, ref):
    built = _programme_page(slug, ref)
    return render_template(
        "benchmark/programme.html", page=built, programme=built.programme, questionnaire=built.questionnaire,
        structure=built.structure, titles=built.titles, sources=built.sources, dimension=built.dimension,
        ranking=built.ranking, names=built.names, viewable=built.viewable,
        heatmap=built.heatmap, heatmap_key=built.heatmap_key,
        progress=action_pages.programme_progress(built.programme, built.questionnaire, current_user),
        transfers=action_transfers(programme=built.programme))


@bp.get("/programmes/<slug>/<ref>/heatmap.svg")
def programme_heatmap(slug, ref):
    built = _programme_page(slug, ref)
    return _svg(charts.heatmap, built.heatmap, built.heatmap_key)


@bp.app_template_global("published_benchmarks")
def published_benchmarks() -> list[Workshop]:
    """Published workshops whose benchmark the person may open, newest first (for the dashboard)."""
    if not current_user.is_authenticated:
        return []
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.status == WorkshopStatus.PUBLISHED).options(selectinload(Workshop.hot_seat))
        .order_by(Workshop.starts.desc(), Workshop.id.desc()))
    return [w for w in workshops if permissions.can_view_benchmark(current_user, w)]


def chart_url(endpoint: str, key: str, **values) -> str:
    """The address of a chart, with the digest of its numbers."""
    return url_for(endpoint, v=key, **values)


bp.add_app_template_global(chart_url, "benchmark_chart_url")
