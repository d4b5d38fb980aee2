"""Downloads of the PDF reports, under the same predicates as the pages they come from.

| address | who | gives |
| --- | --- | --- |
| ``/reports/workshops/<slug>/regions/<code>.pdf`` | :func:`permissions.can_view_scorecard` | the region report |
| ``/reports/workshops/<slug>.pdf`` | :func:`permissions.can_view_benchmark` | the workshop report |
| ``/reports/practices.pdf?...`` | anyone (published practices only) | the catalogue report of the catalogue's filters |
| ``/reports/action-plans/<slug>/<code>.pdf`` | :func:`permissions.can_view_action_plan` | the region's action plan |

``?lang=en|it|da|de`` picks the report's language (else the person's language, as for pages).
The bytes are the ones ``eis report`` writes for the same data, language and reader.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import permissions
from ..access import ensure
from ..extensions import db
from ..i18n import current_language
from ..models import Workshop
from ..workshops.queries import hot_seat_region
from .action_plan import action_plan_report_context, page_timeline
from .region import region_report_context
from .workshop import workshop_report_context

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_global(page_timeline, "action_plan_timeline")  # the plan page's timeline chart


def load_workshop(slug: str) -> Workshop | None:
    """A workshop with what the reports and the predicates read."""
    return db.session.scalar(
        select(Workshop).where(Workshop.slug == slug)
        .options(joinedload(Workshop.questionnaire), joinedload(Workshop.programme),
                 joinedload(Workshop.host_region)))


def _pdf(kind: str, context: dict, filename: str) -> Response:
    """The report rendered (or read from the cache) as a download. WeasyPrint (about 1.5 s to
    import) loads with the first report, not with the app: gunicorn's master loads it before the
    workers fork (gunicorn.conf.py), and commands that print nothing never load it."""
    from .render import report_pdf

    return Response(report_pdf(kind, context).pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@bp.get("/workshops/<slug>/regions/<code>.pdf")
def region_report(slug: str, code: str):
    workshop = load_workshop(slug) or abort(404)
    region = hot_seat_region(workshop, code) or abort(404)
    ensure(permissions.can_view_scorecard(current_user, workshop, region.id))
    language = current_language()
    return _pdf("region", region_report_context(workshop, region, current_user, language),
                f"{workshop.slug}-{region.code}-report-{language}.pdf")


@bp.get("/workshops/<slug>.pdf")
def workshop_report(slug: str):
    workshop = load_workshop(slug) or abort(404)
    ensure(permissions.can_view_benchmark(current_user, workshop))
    language = current_language()
    return _pdf("workshop", workshop_report_context(workshop, current_user, language),
                f"{workshop.slug}-report-{language}.pdf")


@bp.get("/action-plans/<slug>/<code>.pdf")
def action_plan_report(slug: str, code: str):
    workshop = load_workshop(slug) or abort(404)
    region = hot_seat_region(workshop, code) or abort(404)
    ensure(permissions.can_view_action_plan(current_user, workshop, region.id))
    language = current_language()
    context = action_plan_report_context(workshop, region, language) or abort(404)
    return _pdf("action-plan", context, f"{workshop.slug}-{region.code}-action-plan-{language}.pdf")


@bp.get("/practices.pdf")
def catalogue_report():
    """The catalogue's current selection (the page's own query parameters) as a PDF: public."""
    from ..catalogue.selection import CatalogueQueryError
    from .catalogue import selected_catalogue_context

    language = current_language()
    try:
        context = selected_catalogue_context(request.args, language)
    except CatalogueQueryError as error:
        return Response(str(error) + "\n", status=400, mimetype="text/plain")
    return _pdf("catalogue", context, f"practices-{language}.pdf")
