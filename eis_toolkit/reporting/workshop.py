"""The workshop report: what it prints, as plain data (see ``region.py`` for the approach).

Hot-seat regions side by side with their agreement, the heatmap of regions × dimensions with its
numbers, the site visits with the firms' stories, the practices nominated in submitted reviews
and the ones accepted into the catalogue. Reviewer names never appear: the report goes to every
partner. A nominated practice that is not published yet is named only to the workshop's hosts.
"""
from __future__ import annotations

from .. import permissions
from ..benchmark import charts, pages
from ..benchmark import builders
from ..benchmark.queries import structure_for
from ..models import PracticeStatus, ReviewStatus, Workshop
from ..workshops.queries import workshop_nominations
from .region import row_data, workshop_data


def workshop_report_context(workshop: Workshop, viewer, language: str) -> dict:
    """Everything the workshop report prints for ``viewer`` (who passed
    :func:`permissions.can_view_benchmark`)."""
    structure = structure_for(workshop.questionnaire)
    titles = builders.titles_for(workshop.questionnaire, language)
    rows = builders.workshop_rows(workshop)  # cached by the data version, as on the pages
    by_region = pages.rows_by_region(rows)
    names = {r.code: r.name for r in workshop.hot_seat}
    host = permissions.can_host(viewer, workshop)
    words = builders.chart_words(language)
    heatmap = pages.heatmap_args(rows, structure, titles, builders.heatmap_title(words, workshop.title), words)

    regions = []
    for code, mine in by_region.items():
        overall = mine.get(("overall", "overall"))
        alpha = overall.alpha if overall else None
        regions.append({"code": code, "name": names.get(code, code), "overall": row_data(overall),
                        "agreement": {"alpha": alpha, "level": pages.agreement(alpha).level},
                        "dimensions": [row_data(mine.get(("dimension", d.key))) for d in structure.dimensions]})

    nominations, accepted = [], {}
    for nomination in workshop_nominations(workshop):
        review = nomination.review
        if review.status != ReviewStatus.SUBMITTED:
            continue
        practice = nomination.practice
        shown = practice is not None and (practice.status == PracticeStatus.PUBLISHED or host)
        item = {"title": nomination.title, "description": nomination.description.strip(),
                "why": nomination.why.strip(), "region": review.assignment.region.code,
                "dimension": titles.get(nomination.dimension_key, nomination.dimension_key),
                "practice": ({"slug": practice.slug, "title": practice.title, "status": str(practice.status)}
                             if shown else None)}
        nominations.append(item)
        if shown:
            accepted[practice.slug] = {
                "slug": practice.slug, "title": practice.title, "status": str(practice.status),
                "region": practice.region.name if practice.region else "", "organisation": practice.organisation,
                "summary": practice.summary}

    return {
        "kind": "workshop",
        "language": language,
        "workshop": workshop_data(workshop, language),
        "scale": {"min": structure.scale_min, "max": structure.scale_max},
        "dimension_titles": [titles.get(d.key, d.key) for d in structure.dimensions],
        "regions": regions,
        "heatmap": charts.heatmap(*heatmap) if regions else None,
        "site_visits": [{"firm": v.firm, "what": v.what.strip(), "story": v.story.strip()}
                        for v in workshop.site_visits],
        "nominations": nominations,
        "accepted": sorted(accepted.values(), key=lambda p: p["title"].lower()),
    }
