"""Generating a large programme straight into the database (bulk inserts, explicit ids).

Two programmes share 300 regions and their people:

- ``one-workshop``: one workshop with all 300 regions in the hot seat;
- ``thirty-workshops``: 30 workshops of 10 hot-seat regions each (a programme over years).

Each hot-seat region has a submitted self-assessment and 8 submitted reviews, each scoring the
40 scale questions of a bench questionnaire (8 dimensions × 5 questions): 96,000 peer scores per
programme, about 3 % of them N/A. One extra *draft* review per region must not count.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select, text

from eis_toolkit.extensions import db
from eis_toolkit.models import (Answer, Assessment, Programme, Question, Region, Review, ReviewerAssignment,
                                ReviewScore, User, UserRole, Workshop, programme_region, workshop_hot_seat)
from eis_toolkit.questionnaires.schema import parse_questionnaire
from eis_toolkit.questionnaires.services import register

REGIONS, REVIEWERS, DIMENSIONS, QUESTIONS_PER_DIMENSION = 300, 8, 8, 5
NA_SHARE = 0.03
WORKSHOPS_IN_SECOND_PROGRAMME = 30
BATCH = 20_000


@dataclass
class Generated:
    one_workshop_id: int
    programme_ids: dict[str, int]
    questionnaire_id: int
    peer_scores: int


def questionnaire_yaml() -> str:
    lines = ["key: bench", "version: 1", "title: {en: Bench questionnaire}",
             "scale: {min: 1, max: 5, not_applicable: true, labels: {1: {en: one}, 2: {en: two}, 3: {en: three}, 4: {en: four}, 5: {en: five}}}",
             "dimensions:"]
    for d in range(DIMENSIONS):
        lines += [f"  - key: dim{d}", f"    title: {{en: 'Dimension {d}'}}", f"    weight: {1 + d % 3}",
                  "    questions:"]
        for q in range(QUESTIONS_PER_DIMENSION):
            lines += [f"      - key: dim{d}.q{q}", "        type: scale", f"        weight: {1 + q % 2}",
                      "        required: true", f"        text: {{en: 'Question {q} of dimension {d}'}}"]
    return "\n".join(lines) + "\n"


def _insert(model, rows: list[dict]) -> None:
    table = getattr(model, "__table__", model)
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def generate(seed: int = 2017, regions: int = REGIONS, reviewers: int = REVIEWERS,
             workshops: int | None = WORKSHOPS_IN_SECOND_PROGRAMME) -> Generated:
    """Write the bench data (the database must be empty) and commit: ``regions`` regions, each
    reviewed by ``reviewers`` peers, in one workshop and spread over ``workshops`` workshops
    (``None``: no second programme)."""
    rng = random.Random(seed)
    questionnaire, _ = register(parse_questionnaire(questionnaire_yaml(), "bench.yaml"))
    db.session.flush()
    question_ids = list(db.session.scalars(
        select(Question.id).where(Question.questionnaire_id == questionnaire.id).order_by(Question.position)))

    _insert(Region, [{"id": i + 1, "code": f"R{i:03d}", "name": f"Region {i}", "country": "EU"}
                     for i in range(regions)])
    _insert(User, [{"id": i + 1, "email": f"reviewer{i}@example.org", "name": f"Reviewer {i}",
                    "password_hash": "!", "region_id": i + 1} for i in range(regions)])
    _insert(UserRole, [{"user_id": i + 1, "role": "reviewer"} for i in range(regions)])
    quality = [rng.uniform(1.5, 4.5) for _ in range(regions)]
    bias = [rng.gauss(0, 0.5) for _ in range(regions)]

    ids = {"workshop": 0, "assessment": 0, "answer": 0, "assignment": 0, "review": 0, "score": 0}
    programme_ids, peer_scores, one_workshop_id = {}, 0, None
    layouts = {"one-workshop": [list(range(regions))]}
    if workshops:
        layouts["thirty-workshops"] = [list(range(start, regions, workshops))
                                       for start in range(workshops)]
    for p, (slug, layout) in enumerate(layouts.items(), start=1):
        peer_scores = 0
        _insert(Programme, [{"id": p, "slug": slug, "title": slug}])
        db.session.execute(insert(programme_region), [{"programme_id": p, "region_id": r + 1} for r in range(regions)])
        rows = {name: [] for name in ("workshop", "hot_seat", "assessment", "answer", "assignment", "review", "score")}
        for w, hot_seat in enumerate(layout):
            ids["workshop"] += 1
            workshop_id = ids["workshop"]
            one_workshop_id = one_workshop_id or workshop_id
            starts = date(2017, 6, 1) + timedelta(days=60 * w)
            rows["workshop"].append({"id": workshop_id, "slug": f"{slug}-{w}", "programme_id": p,
                                     "title": f"Workshop {w}", "host_region_id": hot_seat[0] + 1,
                                     "starts": starts, "ends": starts + timedelta(days=1),
                                     "questionnaire_id": questionnaire.id, "status": "published"})
            for r in hot_seat:
                rows["hot_seat"].append({"workshop_id": workshop_id, "region_id": r + 1})
                ids["assessment"] += 1
                rows["assessment"].append({"id": ids["assessment"], "workshop_id": workshop_id, "region_id": r + 1,
                                           "questionnaire_id": questionnaire.id, "status": "submitted"})
                for question_id in question_ids:
                    ids["answer"] += 1
                    rows["answer"].append({"id": ids["answer"], "assessment_id": ids["assessment"],
                                           "question_id": question_id,
                                           "score": _score(rng, quality[r] + 0.4), "not_applicable": False})
                for j in range(reviewers + 1):  # the last review is a draft
                    reviewer = (r + 1 + j) % regions
                    ids["assignment"] += 1
                    ids["review"] += 1
                    rows["assignment"].append({"id": ids["assignment"], "workshop_id": workshop_id,
                                               "reviewer_id": reviewer + 1, "region_id": r + 1})
                    draft = j == reviewers
                    rows["review"].append({"id": ids["review"], "assignment_id": ids["assignment"],
                                           "status": "draft" if draft else "submitted"})
                    for question_id in question_ids:
                        ids["score"] += 1
                        na = rng.random() < NA_SHARE
                        rows["score"].append({"id": ids["score"], "review_id": ids["review"], "question_id": question_id,
                                              "score": None if na else _score(rng, quality[r] + bias[reviewer]),
                                              "not_applicable": na})
                        peer_scores += not draft
        _insert(Workshop, rows["workshop"])
        db.session.execute(insert(workshop_hot_seat), rows["hot_seat"])
        _insert(Assessment, rows["assessment"])
        _insert(Answer, rows["answer"])
        _insert(ReviewerAssignment, rows["assignment"])
        _insert(Review, rows["review"])
        _insert(ReviewScore, rows["score"])
        programme_ids[slug] = p
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # The ids above were explicit: move each sequence past them, so later inserts work.
        for model in (Region, User, Programme, Workshop, Assessment, Answer, ReviewerAssignment, Review, ReviewScore):
            table = model.__tablename__
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                    f"(SELECT MAX(id) FROM \"{table}\"))"))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return Generated(one_workshop_id, programme_ids, questionnaire.id, peer_scores)


def _score(rng: random.Random, centre: float) -> int:
    return min(5, max(1, round(centre + rng.gauss(0, 0.7))))
