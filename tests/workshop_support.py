"""Fixtures and helpers shared by the workshop tests (import the fixtures you use by name).

``workshop_bundle`` extends conftest's small bundle: a fourth region (DE21, another country), two
more reviewers, both hot-seat regions' self-assessments submitted and five draft reviews:

| reviewer | region | reviews |
| --- | --- | --- |
| it@example.org (ITC4) | | DK04 (nominating “Company visits”), IE04 |
| ie@example.org (IE04) | | DK04 |
| de@example.org (DE21) | | DK04, IE04 |
| it2@example.org (ITC4) | | (none: free for assignment tests) |
"""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from eis_toolkit.extensions import db
from eis_toolkit.models import Region, ReviewerAssignment, Workshop
from eis_toolkit.questionnaires.schema import QuestionnaireDef
from eis_toolkit.workshops import reviews as review_services
from eis_toolkit.workshops.queries import scored_question_ids
from tests.conftest import SMALL_BUNDLE, person

PASSWORD = "review-pass"
SLUG = "aarhus-2017"


@pytest.fixture
def workshop_bundle():
    """The small bundle with an open workshop ready for reviewing (change it before loading)."""
    return reviewing_bundle()


def reviewing_bundle() -> dict:
    """A fresh copy of the small bundle with an open workshop ready for reviewing."""
    bundle = copy.deepcopy(SMALL_BUNDLE)
    bundle["regions"].append({"code": "DE21", "name": "Upper Bavaria", "country": "DE", "language": "de"})
    bundle["people"] += [
        {"email": "it2@example.org", "name": "Ugo Reviewer", "region": "ITC4", "roles": ["reviewer"],
         "password": PASSWORD},
        {"email": "de@example.org", "name": "Dora Reviewer", "region": "DE21", "roles": ["region", "reviewer"],
         "password": PASSWORD},
    ]
    workshop = bundle["workshops"][0]
    workshop["status"] = "open"
    workshop["assessments"] = [
        {"region": "DK04", "status": "submitted",
         "answers": {"strategy.vision": {"score": 4, "comment": "Written strategy"},
                     "strategy.coordination": {"score": 2}, "strategy.budget": {"value": 540000}}},
        {"region": "IE04", "status": "submitted", "answers": {"strategy.vision": {"score": 3}}},
    ]
    workshop["reviews"] = [
        {"reviewer": email, "region": region, "status": "draft"}
        for email, region in [("it@example.org", "DK04"), ("ie@example.org", "DK04"), ("de@example.org", "DK04"),
                              ("it@example.org", "IE04"), ("de@example.org", "IE04")]
    ]
    workshop["reviews"][0]["nominations"] = [{"title": "Company visits", "dimension": "outreach",
                                              "description": "Firms host visiting firms"}]
    return bundle


@pytest.fixture
def open_workshop(load, workshop_bundle) -> Workshop:
    load(workshop_bundle)
    return workshop()


def workshop(slug: str = SLUG) -> Workshop:
    return db.session.scalar(select(Workshop).where(Workshop.slug == slug))


def region(code: str) -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


def assignment_of(email: str, code: str, slug: str = SLUG) -> ReviewerAssignment:
    return db.session.scalar(
        select(ReviewerAssignment).join(ReviewerAssignment.workshop)
        .where(Workshop.slug == slug, ReviewerAssignment.reviewer_id == person(email).id,
               ReviewerAssignment.region_id == region(code).id))


def definition(w: Workshop | None = None) -> QuestionnaireDef:
    return QuestionnaireDef.from_dict((w or workshop()).questionnaire.definition)


def score_fields(value: int | str = 3, overrides: dict | None = None, comment: str = "") -> dict[str, str]:
    """Review form fields scoring every scored question ``value`` (``"na"`` for N/A)."""
    fields = {f"score.{q.key}": str(value) for q in definition().scored_questions()}
    if comment:
        fields.update({f"comment.{q.key}": comment for q in definition().scored_questions()})
    for key, given in (overrides or {}).items():
        fields[f"score.{key}"] = str(given)
    return fields


def submit_as(email: str, code: str, value: int | str = 3, overrides: dict | None = None, commit: bool = True):
    """Score every question and submit, through the services (as the review page does)."""
    a = assignment_of(email, code)
    w = a.workshop
    ids = scored_question_ids(w.questionnaire_id)
    values = review_services.parse_review_input(score_fields(value, overrides), definition(w))
    review_services.save_review(a.review, values, a.review.version, ids)
    review_services.submit_review(a.review, ids, person(email))
    if commit:
        db.session.commit()
    return a.review


@pytest.fixture
def login_as(client, login):
    """Log in as someone else, whoever is logged in now (``login`` alone keeps the first person)."""

    def switch(email: str):
        client.post("/logout")
        return login(email)

    return switch
