"""Checking a parsed bundle, with no database: every problem named by its field path.

The caller gathers what is already known (questionnaires, regions and people in the database,
taxonomy keys) into a :class:`Known`; what the bundle itself defines is added to it here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..catalogue.ratings import CRITERIA as RATING_CRITERIA
from ..questionnaires.schema import QuestionnaireDef
from ..questionnaires.types import MAX_TEXT_LENGTH, InvalidAnswer, parse_answer, parse_score

ROLES = ("admin", "host", "region", "reviewer")
WORKSHOP_STATUSES = ("planned", "open", "closed", "published")
DRAFT_SUBMITTED = ("draft", "submitted")
PRACTICE_STATUSES = ("draft", "in_review", "published")
PRACTICE_VOCABULARIES = {"instruments": "instrument", "sectors": "sector", "markets": "market",
                         "stages": "stage", "dimensions": "dimension"}
PRACTICE_TEXTS = ("organisation", "summary", "description", "resources", "timescale", "evidence",
                  "transferability", "difficulties", "contact", "title_en", "summary_en")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Person:
    region: str | None
    roles: frozenset[str]


@dataclass
class Known:
    """What exists before the bundle: questionnaires by ref, region codes, people by e-mail,
    taxonomy keys by vocabulary (``instrument``, ``sector``, ``market``, ``stage``)."""

    questionnaires: dict[str, QuestionnaireDef] = field(default_factory=dict)
    regions: set[str] = field(default_factory=set)
    people: dict[str, Person] = field(default_factory=dict)
    terms: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class BundleError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Checker:
    """Walks the bundle, collecting problems; each ``_x`` method checks one kind of entry."""

    def __init__(self, known: Known):
        self.known = known
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- generic shapes -------------------------------------------------------------------------
    def mapping(self, value, path: str, required=(), optional=()) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping, not {_kind(value)}")
            return None
        for name in required:
            if value.get(name) in (None, ""):
                self.problem(_join(path, name), "is required")
        for name in value:
            if name not in required and name not in optional:
                self.problem(_join(path, str(name)), "unknown field")
        return value

    def items(self, value, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"must be a list, not {_kind(value)}")
            return []
        return value

    def text(self, entry: dict, name: str, path: str, max_length: int | None = None) -> None:
        value = entry.get(name)
        if value is None:
            return
        if not isinstance(value, str):
            self.problem(_join(path, name), f"must be text, not {_kind(value)}")
        elif max_length and len(value) > max_length:
            self.problem(_join(path, name), f"is longer than {max_length} characters")

    def choice(self, entry: dict, name: str, path: str, allowed) -> None:
        value = entry.get(name)
        if value is not None and value not in allowed:
            self.problem(_join(path, name), f"{value!r} is not one of {', '.join(map(str, allowed))}")

    def date(self, entry: dict, name: str, path: str) -> date | None:
        value = entry.get(name)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if value is not None:
            self.problem(_join(path, name), f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def region(self, entry: dict, name: str, path: str) -> None:
        self.region_code(entry.get(name), _join(path, name))

    def region_code(self, code, path: str) -> None:
        if code is None:
            return
        if not isinstance(code, str):
            self.problem(path, f"must be a region code such as DK04, not {_kind(code)}")
        elif code not in self.known.regions:
            self.problem(path, f"unknown region {code!r}")

    def unique(self, entries: list, name: str, path: str) -> None:
        seen = set()
        for i, entry in enumerate(entries):
            value = entry.get(name) if isinstance(entry, dict) else None
            if not isinstance(value, str | int):  # other shapes are refused where they stand
                continue
            if value in seen:
                self.problem(f"{path}[{i}].{name}", f"{value!r} appears twice")
            seen.add(value)

    # -- sections -------------------------------------------------------------------------------
    def bundle(self, data) -> None:
        data = self.mapping(data, "", optional=("programme", "regions", "people", "workshops", "practices"))
        if data is None:
            return
        if "programme" in data:
            self.programme(data["programme"], "programme")
        elif data.get("workshops"):
            self.problem("programme", "is required when the bundle has workshops")
        regions = self.items(data.get("regions"), "regions")
        self.unique(regions, "code", "regions")
        for i, entry in enumerate(regions):
            self.region_entry(entry, f"regions[{i}]")
        people = self.items(data.get("people"), "people")
        self.unique(people, "email", "people")
        for i, entry in enumerate(people):
            self.person(entry, f"people[{i}]")
        workshops = self.items(data.get("workshops"), "workshops")
        self.unique(workshops, "slug", "workshops")
        for i, entry in enumerate(workshops):
            self.workshop(entry, f"workshops[{i}]")
        practices = self.items(data.get("practices"), "practices")
        self.unique(practices, "slug", "practices")
        for i, entry in enumerate(practices):
            self.practice(entry, f"practices[{i}]")

    def programme(self, entry, path: str) -> None:
        entry = self.mapping(entry, path, ("slug", "title"), ("description", "starts", "ends"))
        if entry is None:
            return
        self.slug(entry, path)
        self.text(entry, "title", path, 200)
        self.text(entry, "description", path)
        self.date(entry, "starts", path)
        self.date(entry, "ends", path)

    def slug(self, entry: dict, path: str) -> None:
        slug = entry.get("slug")
        if slug is not None and not (isinstance(slug, str) and SLUG.match(slug)):
            self.problem(_join(path, "slug"), f"{slug!r} must be lower-case letters, digits and '-'")

    def region_entry(self, entry, path: str) -> None:
        entry = self.mapping(entry, path, ("code", "name", "country"), ("language",))
        if entry is None:
            return
        code, country = entry.get("code"), entry.get("country")
        if code is not None and not (isinstance(code, str) and re.match(r"^[A-Z0-9-]{2,16}$", code)):
            self.problem(_join(path, "code"), f"{code!r} must be an upper-case code such as DK04")
        if country is not None and not (isinstance(country, str) and re.match(r"^[A-Z]{2}$", country)):
            self.problem(_join(path, "country"), f"{country!r} must be a two-letter country code")
        self.text(entry, "name", path, 200)
        self.choice(entry, "language", path, ("en", "it", "da", "de"))
        if isinstance(code, str):
            self.known.regions.add(code)

    def person(self, entry, path: str) -> None:
        entry = self.mapping(entry, path, ("email", "name", "roles"), ("region", "password", "language", "active"))
        if entry is None:
            return
        email = entry.get("email")
        if email is not None and not (isinstance(email, str) and EMAIL.match(email)):
            self.problem(_join(path, "email"), f"{email!r} is not an e-mail address")
        self.text(entry, "name", path, 200)
        self.region(entry, "region", path)
        roles = self.items(entry.get("roles"), _join(path, "roles"))
        for j, role in enumerate(roles):
            if role not in ROLES:
                self.problem(f"{path}.roles[{j}]", f"{role!r} is not one of {', '.join(ROLES)}")
        stored = self.known.people.get(email.lower()) if isinstance(email, str) else None
        region = entry["region"] if "region" in entry else stored.region if stored else None
        if set(roles) & {"region", "reviewer", "host"} and not region:
            self.problem(_join(path, "region"), "is required for a region member, reviewer or host")
        password = entry.get("password")
        if password is not None and not (isinstance(password, str) and len(password) >= 8):
            self.problem(_join(path, "password"), "must be text of at least 8 characters")
        self.choice(entry, "language", path, ("en", "it", "da", "de"))
        if isinstance(email, str):
            self.known.people[email.lower()] = Person(region, frozenset(map(str, roles)))

    def workshop(self, entry, path: str) -> None:
        entry = self.mapping(
            entry, path, ("slug", "title", "questionnaire", "host", "starts", "ends", "hot_seat"),
            ("description", "place", "status", "show_reviewer_names", "site_visits", "assessments", "reviews",
             "action_plans"))
        if entry is None:
            return
        self.slug(entry, path)
        self.text(entry, "title", path, 200)
        self.text(entry, "description", path)
        self.text(entry, "place", path, 200)
        self.region(entry, "host", path)
        self.choice(entry, "status", path, WORKSHOP_STATUSES)
        starts, ends = self.date(entry, "starts", path), self.date(entry, "ends", path)
        if starts and ends and ends < starts:
            self.problem(_join(path, "ends"), "is before the start")
        if "show_reviewer_names" in entry and not isinstance(entry["show_reviewer_names"], bool):
            self.problem(_join(path, "show_reviewer_names"), "must be true or false")
        hot_seat = self.items(entry.get("hot_seat"), _join(path, "hot_seat"))
        for j, code in enumerate(hot_seat):
            self.region_code(code, f"{path}.hot_seat[{j}]")
            if isinstance(code, str) and code in hot_seat[:j]:
                self.problem(f"{path}.hot_seat[{j}]", f"{code!r} appears twice")
        ref = entry.get("questionnaire")
        questionnaire = self.known.questionnaires.get(ref) if isinstance(ref, str) else None
        if ref is not None and questionnaire is None:
            self.problem(_join(path, "questionnaire"),
                         f"unknown questionnaire {ref!r}: load it first with 'eis questionnaire load'")
        for j, visit in enumerate(self.items(entry.get("site_visits"), _join(path, "site_visits"))):
            visit_path = f"{path}.site_visits[{j}]"
            if self.mapping(visit, visit_path, ("firm",), ("what", "story")) is not None:
                for name in ("firm", "what", "story"):
                    self.text(visit, name, visit_path)
        assessments = self.items(entry.get("assessments"), _join(path, "assessments"))
        self.unique(assessments, "region", _join(path, "assessments"))
        for j, assessment in enumerate(assessments):
            self.assessment(assessment, f"{path}.assessments[{j}]", hot_seat, questionnaire)
        reviews = self.items(entry.get("reviews"), _join(path, "reviews"))
        for j, review in enumerate(reviews):
            self.review(review, f"{path}.reviews[{j}]", hot_seat, questionnaire)
        pairs = [(r.get("reviewer", "").lower(), r.get("region")) for r in reviews if isinstance(r, dict)
                 and isinstance(r.get("reviewer"), str)]
        for j, pair in enumerate(pairs):
            if pair in pairs[:j]:
                self.problem(f"{path}.reviews[{j}]", f"{pair[0]} reviews {pair[1]} twice")
        if "action_plans" in entry:
            from ..actions import bundle as action_plans
            action_plans.check(self, entry["action_plans"], _join(path, "action_plans"), hot_seat, questionnaire,
                               entry.get("status"))

    def assessment(self, entry, path: str, hot_seat: list, questionnaire: QuestionnaireDef | None) -> None:
        entry = self.mapping(entry, path, ("region",), ("status", "answers"))
        if entry is None:
            return
        region = entry.get("region")
        if region is not None and region not in hot_seat:
            self.problem(_join(path, "region"), f"{region!r} is not in the hot seat of this workshop")
        self.choice(entry, "status", path, DRAFT_SUBMITTED)
        answers = entry.get("answers") or {}
        if not isinstance(answers, dict):
            self.problem(_join(path, "answers"), f"must be a mapping, not {_kind(answers)}")
            return
        for key, answer in answers.items():
            answer_path = f"{path}.answers.{key}"
            question = _question(questionnaire, key)
            if questionnaire is not None and question is None:
                self.problem(answer_path, f"{questionnaire.ref} has no question {key!r}")
                continue
            if self.mapping(answer, answer_path, optional=("score", "value", "comment")) is None:
                continue
            self.text(answer, "comment", answer_path, MAX_TEXT_LENGTH)
            if question is None:
                continue
            if question.scored:
                if "value" in answer:
                    self.problem(_join(answer_path, "value"), "a scale question takes a score, not a value")
                self.score(answer, answer_path, questionnaire)
            else:
                if "score" in answer:
                    self.problem(_join(answer_path, "score"), f"a {question.type} question takes a value, not a score")
                self.value(answer.get("value"), _join(answer_path, "value"), question, questionnaire.scale)

    def score(self, entry: dict, path: str, questionnaire: QuestionnaireDef) -> None:
        """``null`` is N/A; anything else is read by the question-type registry, as a typed score."""
        if "score" not in entry:
            return
        score, scale = entry["score"], questionnaire.scale
        if score is None:
            if not scale.not_applicable:
                self.problem(_join(path, "score"), f"{questionnaire.ref} does not allow N/A (null)")
            return
        try:
            parsed = parse_score(score, scale)
        except InvalidAnswer as error:
            self.problem(_join(path, "score"), str(error))
            return
        if parsed.empty:
            self.problem(_join(path, "score"), "is empty: give a level, or null for N/A")

    def value(self, value, path: str, question, scale) -> None:
        """Read by the question-type registry, as the same answer typed in a form or a cell."""
        if value is None:
            return
        if question.type == "evidence":
            self.problem(path, "evidence files cannot be loaded from a bundle; upload them in the app")
            return
        try:
            parse_answer(question, scale, value)
        except InvalidAnswer as error:
            self.problem(path, str(error))

    def review(self, entry, path: str, hot_seat: list, questionnaire: QuestionnaireDef | None) -> None:
        entry = self.mapping(entry, path, ("reviewer", "region"),
                             ("status", "scores", "strengths", "weaknesses", "recommendations", "nominations"))
        if entry is None:
            return
        region, email = entry.get("region"), entry.get("reviewer")
        if region is not None and region not in hot_seat:
            self.problem(_join(path, "region"), f"{region!r} is not in the hot seat of this workshop")
        person = self.known.people.get(email.lower()) if isinstance(email, str) else None
        if email is not None and person is None:
            self.problem(_join(path, "reviewer"), f"unknown person {email!r}")
        elif person is not None:
            if "reviewer" not in person.roles:
                self.problem(_join(path, "reviewer"), f"{email} does not have the reviewer role")
            if region is not None and person.region == region:
                self.problem(_join(path, "reviewer"), f"{email} cannot review their own region {region}")
        self.choice(entry, "status", path, DRAFT_SUBMITTED)
        for name in ("strengths", "weaknesses", "recommendations"):
            self.text(entry, name, path, MAX_TEXT_LENGTH)
        scores = entry.get("scores") or {}
        if not isinstance(scores, dict):
            self.problem(_join(path, "scores"), f"must be a mapping, not {_kind(scores)}")
            scores = {}
        for key, score in scores.items():
            score_path = f"{path}.scores.{key}"
            question = _question(questionnaire, key)
            if questionnaire is not None and (question is None or not question.scored):
                self.problem(score_path, f"{questionnaire.ref} has no scored question {key!r}")
                continue
            if self.mapping(score, score_path, optional=("score", "comment")) is not None:
                self.text(score, "comment", score_path, MAX_TEXT_LENGTH)
                if questionnaire is not None:
                    self.score(score, score_path, questionnaire)
        dimensions = {d.key for d in questionnaire.dimensions} if questionnaire else None
        for j, nomination in enumerate(self.items(entry.get("nominations"), _join(path, "nominations"))):
            nomination_path = f"{path}.nominations[{j}]"
            if self.mapping(nomination, nomination_path, ("title", "dimension"), ("description", "why")) is None:
                continue
            for name in ("title", "description", "why"):
                self.text(nomination, name, nomination_path)
            dimension = nomination.get("dimension")
            if dimensions is not None and dimension is not None and dimension not in dimensions:
                self.problem(_join(nomination_path, "dimension"), f"{questionnaire.ref} has no dimension {dimension!r}")

    def practice(self, entry, path: str) -> None:
        entry = self.mapping(entry, path, ("slug", "title"),
                             ("region", "status", "links", "language", "ratings", "editions", *PRACTICE_TEXTS,
                              *PRACTICE_VOCABULARIES))
        if entry is None:
            return
        self.text(entry, "title_en", path, 200)
        editions = self.items(entry.get("editions"), _join(path, "editions"))
        self.unique(editions, "title", _join(path, "editions"))
        for j, edition in enumerate(editions):
            edition_path = f"{path}.editions[{j}]"
            edition = self.mapping(edition, edition_path, ("title",),
                                   ("deadline", "starts", "ends", "place", "eligibility"))
            if edition is None:
                continue
            self.text(edition, "title", edition_path, 200)
            self.text(edition, "place", edition_path, 200)
            self.text(edition, "eligibility", edition_path, 300)
            self.date(edition, "deadline", edition_path)
            starts, ends = self.date(edition, "starts", edition_path), self.date(edition, "ends", edition_path)
            if starts and ends and ends < starts:
                self.problem(_join(edition_path, "ends"), "ends before it starts")
        self.slug(entry, path)
        self.text(entry, "title", path, 200)
        for name in PRACTICE_TEXTS:
            self.text(entry, name, path)
        self.region(entry, "region", path)
        self.choice(entry, "status", path, PRACTICE_STATUSES)
        self.choice(entry, "language", path, ("en", "it", "da", "de"))
        for j, link in enumerate(self.items(entry.get("links"), _join(path, "links"))):
            if not (isinstance(link, str) and re.match(r"^https?://\S+$", link)):
                self.problem(f"{path}.links[{j}]", f"{link!r} is not an http(s) address")
        dimension_keys = {d.key for q in self.known.questionnaires.values() for d in q.dimensions}
        for name, vocabulary in PRACTICE_VOCABULARIES.items():
            allowed = dimension_keys if vocabulary == "dimension" else self.known.terms.get(vocabulary, set())
            for j, key in enumerate(self.items(entry.get(name), _join(path, name))):
                if key not in allowed:
                    self.problem(f"{path}.{name}[{j}]", f"unknown {vocabulary} {key!r}")
        for j, rating in enumerate(self.items(entry.get("ratings"), _join(path, "ratings"))):
            rating_path = f"{path}.ratings[{j}]"
            if self.mapping(rating, rating_path, ("rater", *RATING_CRITERIA)) is None:
                continue
            rater = rating.get("rater")
            if isinstance(rater, str) and rater.lower() not in self.known.people:
                self.problem(_join(rating_path, "rater"), f"unknown person {rater!r}")
            for criterion in RATING_CRITERIA:
                value = rating.get(criterion)
                if value is not None and (isinstance(value, bool) or value not in range(1, 6)):
                    self.problem(_join(rating_path, criterion), f"{value!r} is not a whole number from 1 to 5")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "empty"}.get(type(value), type(value).__name__)


def _question(questionnaire: QuestionnaireDef | None, key: str):
    if questionnaire is None:
        return None
    try:
        return questionnaire.question(key)
    except KeyError:
        return None


def validate_bundle(data, known: Known) -> list[Problem]:
    """Every problem of the bundle, in document order; an empty list when it is valid.

    ``known`` is extended with the regions and people the bundle defines.
    """
    checker = _Checker(known)
    checker.bundle(data)
    return checker.problems
