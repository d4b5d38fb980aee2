"""The region benchmark report: what it prints, as plain data.

:func:`region_report_context` is the one place the report's content is assembled; the template
(``templates/reports/region.html``) only lays it out, and the cache key is a digest of it. The
figures come from the benchmark's own functions (``benchmark/queries.py`` for the rows,
``benchmark/pages.py`` for blind spots, agreement, weakest dimensions and chart arguments,
``benchmark/charts.py`` for the SVG), the reviews from ``workshops/queries.visible_reviews``,
which applies the blind and anonymity rules of ``permissions.py`` for the reader. When the
page builder of issue #9 lands, this function should take its figures from there.
"""
from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from .. import permissions
from ..benchmark import builders, charts, pages
from ..benchmark.numbers import Row
from ..benchmark.queries import structure_for
from ..questionnaires.services import definition_of
from ..extensions import db
from ..i18n import translate
from ..models import Assessment, Region, Workshop
from ..workshops.queries import scored_question_ids, visible_reviews

#: How many dimensions the summary names as strongest and as weakest.
SUMMARY_DIMENSIONS = 3


def row_data(row: Row | None) -> dict | None:
    return row.as_dict() if row is not None else None


def workshop_data(workshop: Workshop, language: str) -> dict:
    """The workshop as the cover and the running header print it."""
    definition = definition_of(workshop.questionnaire)
    return {"slug": workshop.slug, "title": workshop.title, "place": workshop.place,
            "starts": workshop.starts, "ends": workshop.ends,
            "status": str(workshop.status), "host": workshop.host_region.name if workshop.host_region else "",
            "programme": workshop.programme.title if workshop.programme else "",
            "questionnaire": {"ref": definition.ref, "title": translate(definition.title, language)}}


def strongest_dimensions(rows, count: int = SUMMARY_DIMENSIONS) -> list[Row]:
    """The dimension rows with the highest peer mean (questionnaire order breaks ties)."""
    dimensions = [r for r in rows if r.level == "dimension" and r.peer_mean is not None]
    return sorted(dimensions, key=lambda r: -r.peer_mean)[:count]


def region_report_context(workshop: Workshop, region: Region, viewer, language: str) -> dict:
    """Everything the region report of ``region`` at ``workshop`` prints for ``viewer``.

    The caller checks :func:`permissions.can_view_scorecard` first; reviews and reviewer names
    are included exactly as far as the reader may see them on the pages.
    """
    definition = definition_of(workshop.questionnaire)
    structure = structure_for(workshop.questionnaire)
    titles = builders.titles_for(workshop.questionnaire, language)
    words = builders.chart_words(language)
    mine = builders.region_rows(workshop, region.code)  # cached by the data version, as on the scorecard
    overall = mine.get(("overall", "overall"))
    self_status = db.session.scalar(
        select(Assessment.status).where(Assessment.workshop_id == workshop.id, Assessment.region_id == region.id))

    question_ids = scored_question_ids(workshop.questionnaire_id)
    reviews = visible_reviews(viewer, workshop, region.id, {i: k for k, i in question_ids.items()})
    with force_locale(language):  # "Reviewer A" in the report's language
        labels = [review.shown_label for review in reviews]
    numbers = {}  # question key → "2.3": dimension number, question number
    dimensions = []
    scored_dimensions = [d for d in definition.dimensions if any(q.scored for q in d.questions)]
    for d_number, d in enumerate(scored_dimensions, start=1):
        questions = []
        for q_number, q in enumerate((q for q in d.questions if q.scored), start=1):
            numbers[q.key] = f"{d_number}.{q_number}"
            comments = []
            for review, label in zip(reviews, labels):
                score = review.scores.get(q.key)
                if score is not None and (score.comment or "").strip():
                    comments.append({"label": label, "comment": score.comment.strip(),
                                     "score": None if score.not_applicable else score.score})
            questions.append({"key": q.key, "number": numbers[q.key], "text": translate(q.text, language),
                              "row": row_data(mine.get(("question", q.key))), "comments": comments})
        bars = _question_bars(mine, questions, structure, titles.get(d.key, d.key), region.code, words)
        dimensions.append({"key": d.key, "number": d_number, "title": titles.get(d.key, d.key),
                           "description": translate(d.description, language),
                           "row": row_data(mine.get(("dimension", d.key))), "questions": questions,
                           "chart": charts.dimension_bars(*bars) if bars else None})

    bars = pages.bars_args(mine, structure, titles, region.code, words)
    radar = pages.radar_args(mine, structure, titles, region.code, words)
    alpha = overall.alpha if overall else None
    return {
        "kind": "region",
        "language": language,
        "workshop": workshop_data(workshop, language),
        "region": {"code": region.code, "name": region.name},
        "scale": {"min": structure.scale_min, "max": structure.scale_max},
        "self_status": str(self_status) if self_status else None,
        "overall": row_data(overall),
        "agreement": {"alpha": alpha, "level": pages.agreement(alpha).level},
        "strongest": [_dimension_summary(r, titles) for r in strongest_dimensions(mine.values())],
        "weakest": [_dimension_summary(r, titles) for r in pages.weakest_dimensions(mine.values())],
        "blind_spots": [{"key": r.key, "number": numbers.get(r.key, ""),
                         "text": translate(definition.question(r.key).text, language), "row": row_data(r)}
                        for r in pages.blind_spots(mine.values())],
        "charts": {"bars": charts.dimension_bars(*bars), "radar": charts.radar(*radar) if radar else None},
        "dimensions": dimensions,
        "reviews_visible": permissions.can_see_peer_scores(viewer, workshop, region.id),
        "reviewer_names": bool(reviews) and reviews[0].reviewer is not None,
        "reviews": [{"label": label, "strengths": r.strengths.strip(), "weaknesses": r.weaknesses.strip(),
                     "recommendations": r.recommendations.strip()} for r, label in zip(reviews, labels)],
        "learn_from": _learn_from(builders.learn_from(workshop, region.code, mine, titles, viewer)),
    }


def _dimension_summary(row: Row, titles: dict[str, str]) -> dict:
    return {"key": row.key, "title": titles.get(row.key, row.key), "row": row_data(row)}


def _question_bars(mine, questions: list[dict], structure, title: str, code: str, words) -> tuple | None:
    """Arguments of ``charts.dimension_bars`` for one dimension's questions (labelled by number):
    self-assessment and peer mean, the two figures the question table compares."""
    if not questions:
        return None
    series = pages.series_of([mine.get(("question", q["key"])) for q in questions], ("self", "peer_mean"))
    return (tuple(q["number"] for q in questions), series, (structure.scale_min, structure.scale_max),
            words.questions_title % {"region": code, "dimension": title}, words)


def _learn_from(learned: list[dict]) -> list[dict]:
    """The scorecard's "learn from" (``builders.learn_from``) as the report prints it."""
    return [{"key": item["row"].key, "title": item["title"], "row": row_data(item["row"]),
             "leaders": [{"code": leader["row"].region, "name": leader["name"], "row": row_data(leader["row"]),
                          "practices": [_practice(p) for p in leader["practices"]]} for leader in item["leaders"]],
             "others": [_practice(p) for p in item["others"]]}
            for item in learned]


def _practice(practice) -> dict:
    return {"slug": practice.slug, "title": practice.title, "summary": practice.summary,
            "organisation": practice.organisation, "region": practice.region.name if practice.region else ""}
