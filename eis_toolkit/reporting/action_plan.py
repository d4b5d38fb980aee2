"""The action plan report and the plan's timeline chart: what they print, as plain data.

The report follows the Interreg Europe action plan template: Part I general information (the
region, the partner, the workshop, the plan's status and date of submission), Part II the policy
context, Part III the actions (each with its background, what, who, when, costs, funding, the
dimension it should improve, its indicator from baseline to target with the latest value, its
status and every progress report), and the timeline. The plan's comments stay out: they are the
internal exchange between the region, the host and the peers.

The plan comes from ``actions.pages.load_plan`` and the statuses and timing from
``actions.domain``, as on the plan page; the chart is ``benchmark.charts.timeline``, shared with
the page. The reader is whoever passed ``permissions.can_view_action_plan``: every such reader
sees the same plan, so the context does not depend on who asks.
"""
from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from ..actions import domain
from ..actions.pages import ActionView, load_plan
from ..benchmark import builders, charts
from ..i18n import current_language
from ..models import Region, Workshop
from .region import workshop_data


def timeline_words(language: str | None = None) -> charts.TimelineWords:
    """The words of the timeline chart in ``language`` (the reader's by default)."""
    with force_locale(language or current_language()):
        return charts.TimelineWords(planned=_("Planned"), started=_("Started"), done=_("Done"), dropped=_("Dropped"),
                                    late=_("late"), today=_("Today"), no_dates=_("no dates"),
                                    title=_("%(region)s: timeline of the action plan"))


def _timeline_items(views: list[ActionView]) -> tuple[charts.TimelineItem, ...]:
    return tuple(charts.TimelineItem(f"{v.number}. {v.action.title}", v.action.starts, v.action.ends, v.status,
                                     v.timing == "late") for v in views)


def timeline_svg(views: list[ActionView], region_code: str, today: date, language: str | None = None) -> str | None:
    """The plan's timeline chart (SVG text) for its actions as the plan page lists them; None
    when the plan has no action."""
    if not views:
        return None
    words = timeline_words(language)
    return charts.timeline(_timeline_items(views), today, words.title % {"region": region_code}, words)


def page_timeline(page, region: Region, today: date | None = None) -> dict | None:
    """The timeline of the plan page (``actions.pages.PlanPage``): the chart as a ``data:`` URL for
    an ``<img>`` (the pages' CSP allows images in ``data:`` URLs) and its text alternative; drawn
    from the actions the page already loaded (no query)."""
    from .render import svg_data_url

    svg = timeline_svg(page.actions, region.code, today or date.today())
    if svg is None:
        return None
    return {"src": svg_data_url(svg), "alt": charts.timeline_description(_timeline_items(page.actions),
                                                                         timeline_words())}


def plan_views(plan, today: date) -> list[ActionView]:
    """The plan's actions with their status (the latest report's) and timing as of ``today``."""
    views = []
    for number, action in enumerate(plan.actions if plan else [], start=1):
        status = domain.current_status(str(r.status) for r in action.reports)
        views.append(ActionView(action, number, status, domain.timing(status, action.starts, action.ends, today),
                                action.reports[-1] if action.reports else None))
    return views


def _latest_value(action) -> float | None:
    """The indicator's latest reading: the most recent report that gives one."""
    values = [r.current_value for r in action.reports if r.current_value is not None]
    return values[-1] if values else None


def action_plan_report_context(workshop: Workshop, region: Region, language: str,
                               today: date | None = None) -> dict | None:
    """Everything the action plan report of ``region`` after ``workshop`` prints; None when the
    region has no plan yet. The caller checks :func:`permissions.can_view_action_plan`."""
    plan = load_plan(workshop, region)
    if plan is None:
        return None
    today = today or date.today()
    titles = builders.titles_for(workshop.questionnaire, language)
    views = plan_views(plan, today)
    overview = domain.overview(((v.status, v.action.starts, v.action.ends) for v in views), today)
    actions = []
    for view in views:
        a = view.action
        actions.append({
            "number": view.number, "title": a.title, "background_kind": str(a.background_kind or ""),
            "background": a.background, "description": a.description, "players": a.players,
            "starts": a.starts, "ends": a.ends, "costs": a.costs, "funding": a.funding,
            "dimension": titles.get(a.dimension_key, a.dimension_key), "indicator": a.indicator,
            "baseline": a.baseline, "target": a.target, "unit": a.unit, "latest_value": _latest_value(a),
            "status": view.status, "timing": view.timing,
            "reports": [{"reported_on": r.reported_on, "status": str(r.status), "current_value": r.current_value,
                         "note": r.note, "reason": r.reason} for r in a.reports],
        })
    return {
        "kind": "action-plan",
        "language": language,
        "today": today,
        "workshop": workshop_data(workshop, language),
        "region": {"code": region.code, "name": region.name, "country": region.country},
        "plan": {"status": str(plan.status), "submitted_on": plan.submitted_at.date() if plan.submitted_at else None,
                 "policy_context": plan.policy_context.strip()},
        "overview": {"on_time": overview.on_time, "late": overview.late, "done": overview.done,
                     "dropped": overview.dropped},
        "actions": actions,
        "timeline": timeline_svg(views, region.code, today, language),
    }
