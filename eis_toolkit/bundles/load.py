"""Reading a bundle file and writing it to the database: all or nothing, idempotent.

Entries are matched by their natural keys (programme and workshop slug, region code, e-mail,
practice slug, question key), created when new and updated when changed. What a bundle does not
name is left alone: an optional field a reloaded entry leaves out keeps its stored value (a new
entry gets the default), and a list that belongs to one entry (site visits) is replaced only when
the entry gives it. Required lists (hot seat, a person's roles) are set to what the bundle gives.
The caller commits; on error nothing has been written.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select

from ..datafiles import Limits, LimitError, check_size, load_json, safe_load_yaml
from ..catalogue.taxonomies import ensure_terms, taxonomy_keys
from ..columns import utcnow
from ..extensions import db
from ..models import (Answer, Assessment, AssessmentStatus, Nomination, Practice, PracticeEdition, PracticeRating,
                      PracticeStatus, Programme, Question, Questionnaire, Region, Review,
                      ReviewerAssignment, ReviewScore, ReviewStatus, Role, SiteVisit, Term, User,
                      Vocabulary, Workshop, WorkshopStatus)
from ..questionnaires.services import definition_of
from ..questionnaires.schema import QuestionnaireDef, Scale
from ..questionnaires.types import parse_answer, parse_score
from .validate import PRACTICE_TEXTS, PRACTICE_VOCABULARIES, BundleError, Known, Person, Problem, validate_bundle


def read_bundle(path: str | Path, limits: Limits = Limits()):
    """The parsed content of a YAML or JSON bundle file within ``limits``; a problem names the line."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, limits)
        text = path.read_text(encoding="utf-8")
    except LimitError as error:
        raise BundleError([Problem("", f"{path}:{error.line}: {error.message}")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BundleError([Problem("", f"{path}: cannot read the file: {error}")]) from error
    try:
        if path.suffix.lower() == ".json":
            return load_json(text, limits)
        return safe_load_yaml(text, limits)
    except LimitError as error:
        raise BundleError([Problem("", f"{path}:{error.line}: {error.message}")]) from None
    except json.JSONDecodeError as error:
        raise BundleError([Problem("", f"{path}:{error.lineno}: {error.msg}")]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise BundleError([Problem("", f"{path}:{line}: {getattr(error, 'problem', None) or error}")]) from error


def known_from_database() -> Known:
    """The questionnaires, regions, people and taxonomy keys already stored."""
    known = Known()
    for questionnaire in db.session.scalars(select(Questionnaire)):
        known.questionnaires[questionnaire.ref] = QuestionnaireDef.from_dict(questionnaire.definition)
    known.regions = set(db.session.scalars(select(Region.code)))
    region_codes = dict(db.session.execute(select(Region.id, Region.code)).all())
    for user in db.session.scalars(select(User)):
        known.people[user.email.lower()] = Person(region_codes.get(user.region_id),
                                                  frozenset(r.value for r in user.roles))
    known.terms = {vocabulary: set(keys) for vocabulary, keys in taxonomy_keys().items()}
    return known


def load_bundle(data) -> Counter:
    """Validate ``data`` and write it; returns how many entries were created or updated per kind.

    Raises :class:`BundleError` listing every problem, before anything is written.
    """
    problems = validate_bundle(data, known_from_database())
    if problems:
        raise BundleError(problems)
    return _Writer().write(data)


class _Writer:
    def __init__(self):
        self.counts: Counter = Counter()
        ensure_terms()
        self.regions = {r.code: r for r in db.session.scalars(select(Region))}
        self.people = {u.email.lower(): u for u in db.session.scalars(select(User))}

    def _set(self, obj, kind: str, **values) -> None:
        """Assign values, counting the object as created or updated only if something changed."""
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        if obj.id is None:
            db.session.add(obj)
            self.counts[f"{kind} created"] += 1
        elif changed:
            self.counts[f"{kind} updated"] += 1

    @staticmethod
    def _optional(entry: dict, new: bool, convert: dict | None = None, **defaults) -> dict:
        """The optional fields ``entry`` names (converted), and on a new object the defaults of the rest."""
        convert = convert or {}
        values = {}
        for name, default in defaults.items():
            if name in entry:
                values[name] = convert[name](entry[name]) if name in convert else entry[name]
            elif new:
                values[name] = default
        return values

    def write(self, data: dict) -> Counter:
        programme = self.programme(data["programme"]) if "programme" in data else None
        for entry in data.get("regions") or []:
            self.region(entry, programme)
        db.session.flush()
        for entry in data.get("people") or []:
            self.person(entry)
        db.session.flush()
        for entry in data.get("workshops") or []:
            self.workshop(entry, programme)
        for entry in data.get("practices") or []:
            self.practice(entry)
        db.session.flush()
        return self.counts

    def programme(self, entry: dict) -> Programme:
        programme = db.session.scalar(select(Programme).where(Programme.slug == entry["slug"])) or Programme()
        self._set(programme, "programme", slug=entry["slug"], title=entry["title"],
                  **self._optional(entry, programme.id is None, {"starts": _date, "ends": _date},
                                   description="", starts=None, ends=None))
        return programme

    def region(self, entry: dict, programme: Programme | None) -> None:
        region = self.regions.get(entry["code"]) or Region()
        self._set(region, "region", code=entry["code"], name=entry["name"], country=entry["country"],
                  **self._optional(entry, region.id is None, language="en"))
        self.regions[region.code] = region
        if programme is not None and region not in programme.regions:
            programme.regions.append(region)

    def person(self, entry: dict) -> None:
        email = entry["email"].lower()
        user = self.people.get(email) or User(password_hash="")
        self._set(user, "person", email=email, name=entry["name"],
                  **self._optional(entry, user.id is None, {"region": lambda code: self.regions.get(code or "")},
                                   region=None, language="en", active=True))
        roles = {Role(r) for r in entry["roles"]}
        if user.roles != roles:
            user.roles = roles
        password = entry.get("password")
        if password and not (user.password_hash and user.check_password(password)):
            user.set_password(password)
        if not user.password_hash:  # no password given: the account cannot log in until one is set
            user.password_hash = "!"
        self.people[email] = user

    def workshop(self, entry: dict, programme: Programme) -> None:
        workshop = db.session.scalar(select(Workshop).where(Workshop.slug == entry["slug"])) or Workshop()
        key, version = entry["questionnaire"].split("@")
        questionnaire = db.session.scalar(
            select(Questionnaire).where(Questionnaire.key == key, Questionnaire.version == int(version)))
        self._set(workshop, "workshop", slug=entry["slug"], title=entry["title"], programme=programme,
                  host_region=self.regions[entry["host"]], starts=_date(entry["starts"]),
                  ends=_date(entry["ends"]), questionnaire=questionnaire,
                  **self._optional(entry, workshop.id is None, {"status": WorkshopStatus}, description="",
                                   place="", status=WorkshopStatus.PLANNED, show_reviewer_names=False))
        hot_seat = [self.regions[code] for code in entry["hot_seat"]]
        if workshop.hot_seat != hot_seat:
            workshop.hot_seat = hot_seat
        if "site_visits" in entry:
            visits = entry["site_visits"] or []
            for position, visit in enumerate(visits):
                existing = workshop.site_visits[position] if position < len(workshop.site_visits) else SiteVisit()
                self._set(existing, "site visit", workshop=workshop, position=position, firm=visit["firm"],
                          **self._optional(visit, existing.id is None, what="", story=""))
            del workshop.site_visits[len(visits):]
        db.session.flush()
        questions = {q.key: q for q in db.session.scalars(
            select(Question).where(Question.questionnaire_id == questionnaire.id))}
        definition = definition_of(questionnaire)
        for assessment in entry.get("assessments") or []:
            self.assessment(workshop, assessment, questions, definition)
        for review in entry.get("reviews") or []:
            self.review(workshop, review, questions, definition.scale)
        if entry.get("action_plans"):
            from ..actions import bundle as action_plans
            db.session.flush()
            action_plans.write(self, workshop, entry["action_plans"])

    def assessment(self, workshop: Workshop, entry: dict, questions: dict, definition: QuestionnaireDef) -> None:
        region = self.regions[entry["region"]]
        assessment = next((a for a in workshop.assessments if a.region_id == region.id), None) or Assessment()
        self._set(assessment, "assessment", workshop=workshop, region=region,
                  questionnaire_id=workshop.questionnaire_id,
                  **self._optional(entry, assessment.id is None, {"status": AssessmentStatus},
                                   status=AssessmentStatus.DRAFT))
        if assessment.status == AssessmentStatus.SUBMITTED and assessment.submitted_at is None:
            assessment.submitted_at = utcnow()
        existing = {a.question.key: a for a in assessment.answers}
        for key, given in (entry.get("answers") or {}).items():
            answer = existing.get(key) or Answer(question=questions[key])
            new = answer.id is None
            question = definition.question(key)
            read = {"value": lambda raw: parse_answer(question, definition.scale, raw).value}  # validated before
            self._set(answer, "answer", assessment=assessment, **_score_values(given, new, definition.scale),
                      **self._optional(given, new, read, value=None, comment=""))

    def review(self, workshop: Workshop, entry: dict, questions: dict, scale: Scale) -> None:
        reviewer, region = self.people[entry["reviewer"].lower()], self.regions[entry["region"]]
        assignment = next((a for a in workshop.assignments
                           if a.reviewer is reviewer and a.region is region), None)
        if assignment is None:
            assignment = ReviewerAssignment(workshop=workshop, reviewer=reviewer, region=region)
            db.session.add(assignment)
            self.counts["assignment created"] += 1
        review = assignment.review or Review()
        self._set(review, "review", assignment=assignment,
                  **self._optional(entry, review.id is None, {"status": ReviewStatus}, status=ReviewStatus.DRAFT,
                                   strengths="", weaknesses="", recommendations=""))
        if review.status == ReviewStatus.SUBMITTED and review.submitted_at is None:
            review.submitted_at = utcnow()
        existing = {s.question.key: s for s in review.scores}
        for key, given in (entry.get("scores") or {}).items():
            score = existing.get(key) or ReviewScore(question=questions[key])
            new = score.id is None
            self._set(score, "score", review=review, **_score_values(given, new, scale),
                      **self._optional(given, new, comment=""))
        nominations = {n.title: n for n in review.nominations}
        for given in entry.get("nominations") or []:
            nomination = nominations.get(given["title"]) or Nomination()
            self._set(nomination, "nomination", review=review, title=given["title"],
                      dimension_key=given["dimension"],
                      **self._optional(given, nomination.id is None, description="", why=""))

    def practice(self, entry: dict) -> None:
        practice = db.session.scalar(select(Practice).where(Practice.slug == entry["slug"])) or Practice()
        new = practice.id is None
        self._set(practice, "practice", slug=entry["slug"], title=entry["title"],
                  **self._optional(entry, new, {"status": PracticeStatus,
                                                "region": lambda code: self.regions.get(code or ""),
                                                "links": lambda links: list(links or []),
                                                **{name: lambda text: text or "" for name in PRACTICE_TEXTS}},
                                   status=PracticeStatus.DRAFT, region=None, links=[], language="en",
                                   **{name: "" for name in PRACTICE_TEXTS}))
        if practice.status == PracticeStatus.PUBLISHED and practice.published_at is None:
            practice.published_at = utcnow()
        if new or any(name in entry for name in PRACTICE_VOCABULARIES):
            # the terms of the vocabularies the entry names; the others as they are
            named = {PRACTICE_VOCABULARIES[name] for name in PRACTICE_VOCABULARIES if name in entry}
            kept = [(t.vocabulary, t.key) for t in practice.terms if t.vocabulary.value not in named] if not new else []
            wanted = kept + [(Vocabulary(vocabulary), key) for name, vocabulary in PRACTICE_VOCABULARIES.items()
                             for key in entry.get(name) or []]
            terms = _terms(wanted)
            if {t.id for t in practice.terms} != {t.id for t in terms}:
                practice.terms = terms
        editions = {e.title: e for e in practice.editions} if practice.id else {}
        for given in entry.get("editions") or []:
            edition = editions.pop(given["title"], None) or PracticeEdition()
            self._set(edition, "edition", practice=practice, title=given["title"],
                      **self._optional(given, edition.id is None,
                                       {"deadline": _date, "starts": _date, "ends": _date,
                                        "place": lambda text: text or "", "eligibility": lambda text: text or ""},
                                       deadline=None, starts=None, ends=None, place="", eligibility=""))
        if "editions" in entry:
            for stale in editions.values():  # the bundle lists the practice's editions in full
                practice.editions.remove(stale)
                self.counts["edition deleted"] += 1
        ratings = {r.rater_id: r for r in practice.ratings} if practice.id else {}
        for given in entry.get("ratings") or []:
            rater = self.people[given["rater"].lower()]
            rating = ratings.get(rater.id) or PracticeRating()
            self._set(rating, "rating", practice=practice, rater=rater, evidence=given["evidence"],
                      transferability=given["transferability"], usefulness=given["usefulness"])


def _score_values(given: dict, new: bool, scale: Scale) -> dict:
    """``score: null`` is N/A, else the registry reads it (validated before); a score left out
    keeps the stored one (none on a new answer)."""
    if "score" in given:
        if given["score"] is None:
            return {"score": None, "not_applicable": True}
        parsed = parse_score(given["score"], scale)
        return {"score": parsed.score, "not_applicable": parsed.not_applicable}
    return {"score": None, "not_applicable": False} if new else {}


def _terms(wanted: list[tuple[Vocabulary, str]]) -> list[Term]:
    """The stored terms for validated (vocabulary, key) pairs, in one query."""
    if not wanted:
        return []
    found = {(t.vocabulary, t.key): t for t in db.session.scalars(
        select(Term).where(Term.vocabulary.in_({v for v, _ in wanted}), Term.key.in_({k for _, k in wanted})))}
    return [found[pair] for pair in wanted]


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
