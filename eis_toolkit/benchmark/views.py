"""Routes of the benchmark blueprint: scorecards, workshop and programme pages, charts, exports.

Every route loads, asks a predicate of ``permissions.py``, then computes from the database in a
constant number of queries (``queries.py``). Charts are separate SVG routes under the same
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
from ..extensions import db
from ..i18n import current_language, translate
from ..models import Assessment, Programme, Questionnaire, Region, Workshop, WorkshopStatus
from ..questionnaires.services import find_questionnaire
from . import charts, export, pages
from .numbers import Row
from .queries import (definition_for, programme_benchmark, programme_workshops, published_practices,
                      reviewer_calibration, structure_for, workshop_benchmark)

bp = Blueprint("benchmark", __name__, url_prefix="/benchmark")

#: The programme page draws its heatmap up to this many regions (the ranking table shows all).
HEATMAP_MAX_REGIONS = 60


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
    region = next((r for r in workshop.hot_seat if r.code == code), None)
    if region is None:
        abort(404)
    return region


def _titles(questionnaire: Questionnaire) -> dict[str, str]:
    language = current_language()
    return {d.key: translate(d.title, language) for d in definition_for(questionnaire).dimensions}


@bp.get("/workshops/<slug>")
def workshop_page(slug):
    workshop = _workshop(slug)
    ensure(permissions.can_view_benchmark(current_user, workshop))
    rows = workshop_benchmark(workshop)
    structure = structure_for(workshop.questionnaire)
    titles = _titles(workshop.questionnaire)
    heatmap = pages.heatmap_args(rows, structure, titles, f"Peer mean per dimension: {workshop.title}")
    calibration = (reviewer_calibration(workshop) if permissions.can_see_calibration(current_user, workshop)
                   else None)
    return render_template(
        "benchmark/workshop.html", workshop=workshop, structure=structure, titles=titles,
        regions={r.code: r for r in workshop.hot_seat}, rows=rows, by_region=pages.rows_by_region(rows),
        agreement=pages.agreement, heatmap=heatmap, heatmap_key=charts.chart_key(*heatmap), calibration=calibration)


@bp.get("/workshops/<slug>/regions/<code>")
def scorecard(slug, code):
    workshop = _workshop(slug)
    region = _hot_seat_region(workshop, code)
    ensure(permissions.can_view_scorecard(current_user, workshop, region.id))
    rows = workshop_benchmark(workshop)
    mine = pages.rows_by_region(rows)[code]
    structure = structure_for(workshop.questionnaire)
    titles = _titles(workshop.questionnaire)
    self_status = db.session.scalar(
        select(Assessment.status).where(Assessment.workshop_id == workshop.id, Assessment.region_id == region.id))
    bars = pages.bars_args(mine, structure, titles, code)
    radar = pages.radar_args(mine, structure, titles, code)
    return render_template(
        "benchmark/scorecard.html", workshop=workshop, region=region, structure=structure,
        definition=definition_for(workshop.questionnaire), titles=titles, rows=mine,
        overall=mine[("overall", "overall")], self_status=self_status,
        agreement=pages.agreement(mine[("overall", "overall")].alpha),
        blind_spots=pages.blind_spots(mine.values()), is_blind_spot=pages.is_blind_spot,
        group_index=pages.group_index, learn_from=_learn_from(workshop, code, mine, titles),
        bars_key=charts.chart_key(*bars), radar_key=charts.chart_key(*radar) if radar else None,
        can_see_workshop=permissions.can_view_benchmark(current_user, workshop))


def _learn_from(workshop: Workshop, code: str, mine: dict, titles: dict[str, str]) -> list[dict]:
    """For the region's weakest dimensions: regions of the programme with a better peer mean there
    (each region's latest workshop with this questionnaire that the person may see) and their
    published practices for the dimension, then other published practices for it."""
    weak = pages.weakest_dimensions(mine.values())
    if not weak:
        return []
    visible = [w.id for w in programme_workshops(workshop.programme_id, workshop.questionnaire_id)
               if permissions.counts_in_programme_benchmark(current_user, w)]
    comparison = programme_benchmark(workshop.programme, workshop.questionnaire, visible + [workshop.id]).rows
    practices = published_practices(row.key for row in weak)
    names = _region_names({r.region for r in comparison})
    result = []
    for row in weak:
        better = pages.leaders(comparison, row.key, row.peer_mean, exclude=code)
        leading = {r.region for r in better}
        result.append({
            "row": row, "title": titles.get(row.key, row.key),
            "leaders": [{"row": r, "name": names.get(r.region, r.region),
                         "practices": [p for p in practices[row.key] if p.region and p.region.code == r.region]}
                        for r in better],
            "others": [p for p in practices[row.key]
                       if not (p.region and p.region.code in leading | {code})][:pages.OTHER_PRACTICES],
        })
    return result


def _region_names(codes) -> dict[str, str]:
    if not codes:
        return {}
    return dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(list(codes)))).tuples().all())


# --- exports -------------------------------------------------------------------------------------


def _download(rows: list[Row], fmt: str, name: str) -> Response:
    return Response(export.render(rows, fmt), mimetype=export.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                             "Cache-Control": "private, no-store"})


@bp.get("/workshops/<slug>/benchmark.<any(csv, json):fmt>")
def workshop_export(slug, fmt):
    workshop = _workshop(slug)
    ensure(permissions.can_view_benchmark(current_user, workshop))
    return _download(workshop_benchmark(workshop), fmt, f"{workshop.slug}-benchmark")


@bp.get("/workshops/<slug>/regions/<code>/benchmark.<any(csv, json):fmt>")
def scorecard_export(slug, code, fmt):
    workshop = _workshop(slug)
    region = _hot_seat_region(workshop, code)
    ensure(permissions.can_view_scorecard(current_user, workshop, region.id))
    rows = [r for r in workshop_benchmark(workshop) if r.region == code]
    return _download(rows, fmt, f"{workshop.slug}-{code}-benchmark")


# --- charts --------------------------------------------------------------------------------------


def _svg(draw, args: tuple) -> Response:
    """A chart response: rendered only when not cached; the browser keeps it when the address
    carries the digest of its numbers (``v``), and revalidates it otherwise."""
    key = charts.chart_key(*args)
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
    rows = workshop_benchmark(workshop)
    return _svg(charts.heatmap, pages.heatmap_args(rows, structure_for(workshop.questionnaire),
                                                   _titles(workshop.questionnaire),
                                                   f"Peer mean per dimension: {workshop.title}"))


@bp.get("/workshops/<slug>/regions/<code>/<any(bars, radar):chart>.svg")
def scorecard_chart(slug, code, chart):
    workshop = _workshop(slug)
    region = _hot_seat_region(workshop, code)
    ensure(permissions.can_view_scorecard(current_user, workshop, region.id))
    mine = pages.rows_by_region(workshop_benchmark(workshop))[code]
    structure, titles = structure_for(workshop.questionnaire), _titles(workshop.questionnaire)
    if chart == "bars":
        return _svg(charts.dimension_bars, pages.bars_args(mine, structure, titles, code))
    args = pages.radar_args(mine, structure, titles, code)
    if args is None:
        abort(404)
    return _svg(charts.radar, args)


# --- a programme ---------------------------------------------------------------------------------


def _programme_benchmark(slug: str, ref: str):
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    questionnaire = find_questionnaire(ref)
    if programme is None or questionnaire is None:
        abort(404)
    workshops = [w for w in programme_workshops(programme.id, questionnaire.id)
                 if permissions.counts_in_programme_benchmark(current_user, w)]
    result = programme_benchmark(programme, questionnaire, [w.id for w in workshops])
    return programme, questionnaire, workshops, result


@bp.get("/programmes/<slug>/<ref>")
def programme_page(slug, ref):
    ensure(permissions.can_view_programme_benchmark(current_user))
    programme, questionnaire, workshops, result = _programme_benchmark(slug, ref)
    structure = structure_for(questionnaire)
    titles = _titles(questionnaire)
    dimension = request.args.get("dimension", "overall")
    if dimension != "overall" and dimension not in titles:
        abort(404)
    level = "overall" if dimension == "overall" else "dimension"
    heatmap = None
    if 0 < len(result.sources) <= HEATMAP_MAX_REGIONS:
        heatmap = pages.heatmap_args(result.rows, structure, titles, f"Peer mean per dimension: {programme.title}")
    return render_template(
        "benchmark/programme.html", programme=programme, questionnaire=questionnaire, structure=structure,
        titles=titles, sources=result.sources, dimension=dimension,
        ranking=pages.ranking(result.rows, level, dimension), names=_region_names(result.sources),
        viewable={w.id for w in workshops if permissions.can_view_benchmark(current_user, w)},
        heatmap=heatmap, heatmap_key=charts.chart_key(*heatmap) if heatmap else None)


@bp.get("/programmes/<slug>/<ref>/heatmap.svg")
def programme_heatmap(slug, ref):
    ensure(permissions.can_view_programme_benchmark(current_user))
    programme, questionnaire, _, result = _programme_benchmark(slug, ref)
    if not 0 < len(result.sources) <= HEATMAP_MAX_REGIONS:
        abort(404)
    return _svg(charts.heatmap, pages.heatmap_args(result.rows, structure_for(questionnaire),
                                                   _titles(questionnaire),
                                                   f"Peer mean per dimension: {programme.title}"))


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
