"""One answer vocabulary: every place a score is typed reads it through the question-type registry.

The same inputs go to the self-assessment form, the review form, the workbook import, the paper
import and a bundle, and each must give the same verdict: the same level, N/A, or a refusal.
"""
from __future__ import annotations

import copy
import io

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from eis_toolkit.assessments import queries
from eis_toolkit.assessments.workbook import (ANSWER, COMMENT, KEY, ExportedAnswer, WorkbookError, export_workbook,
                                              read_workbook)
from eis_toolkit.bundles.validate import BundleError
from eis_toolkit.extensions import db
from eis_toolkit.models import Question, Review, ReviewScore
from eis_toolkit.questionnaires.schema import parse_questionnaire
from eis_toolkit.questionnaires.types import AnswerData
from eis_toolkit.workshops.importing import Context, Person, check_rows
from tests.assessment_fixtures import ODENSE, draft, drafted, sign_in  # noqa: F401
from tests.assessment_fixtures import assessment_of

QUESTION = "strategy.coordination"  # a scale question with no answer nor score in the fixtures
NA = "N/A"

#: (what is typed, the verdict: a level, NA, or None for refused) for eis-core@1, whose levels
#: are worded "N – Name: description" in en/it/da/de.
CASES = [
    ("3", 3), ("3,0", 3), ("3.0", 3), (" 4 ", 4),
    ("4 – Established and monitored: a service with regular monitoring of results and uptake.", None),
    ("1 – Nothing in place: no policy, service or resources exist for this topic.", 1),
    ("1 – Intet på plads: der findes ingen politik, tjenester eller ressourcer på området.", 1),
    ("1 - nothing in place", 1), ("Nothing in place", 1), ("nichts vorhanden", 1),
    ("2 – Nothing in place", None),
    ("N/A", NA), ("n/a", NA), ("na", NA), ("n.a.", NA), ("N/A – not applicable", NA),
    ("7", None), ("0", None), ("3.5", None), ("good", None), ("3/5", None),
]


def _label(core_definition, point: int, language: str = "en") -> str:
    return core_definition.scale.labels[point][language]


@pytest.fixture
def cases(core_definition):
    """CASES, with the fourth level's real wording (whatever eis-core says) in place of a guess."""
    wording = _label(core_definition, 4)
    return [(wording, 4) if raw.startswith("4 – Established") else (raw, verdict) for raw, verdict in CASES]


def verdict_of(data: AnswerData | None):
    if data is None:
        return None
    return NA if data.not_applicable else data.score


# --- the entry points: each returns the answer stored or read, or None when refused -----------

def self_assessment_form(raw, *, client, draft, sign_in, **_):
    sign_in("dk@example.org")
    response = client.post(f"/assessments/{draft.id}/questions/strategy",
                           data={f"{QUESTION}-answer": raw, f"{QUESTION}-version": "0", "action": "save"})
    stored = queries.answers_by_key(assessment_of("DK04")).get(QUESTION)
    if stored is None or (stored.score is None and not stored.not_applicable):
        assert response.status_code != 302
        return None
    return AnswerData(stored.score, stored.not_applicable)


def review_form(raw, *, client, draft, login, **_):
    login("it@example.org")
    review = next(r for r in db.session.scalars(select(Review)) if r.assignment.workshop.slug == "odense-2018")
    response = client.post(f"/reviews/{review.assignment_id}",
                           data={"version": review.version, "action": "save", f"score.{QUESTION}": raw})
    row = _review_score(review.id)
    if row is None:
        assert response.status_code == 422 or "is not a level" in response.text
        return None
    return AnswerData(row.score, row.not_applicable)


def _review_score(review_id: int) -> ReviewScore | None:
    return db.session.scalar(select(ReviewScore).join(Question)
                             .where(ReviewScore.review_id == review_id, Question.key == QUESTION))


def workbook_import(raw, *, core_definition, **_):
    book = load_workbook(io.BytesIO(export_workbook(core_definition, {}, "en", assessment_id=7, heading=[])))
    row = next(cells for sheet in book.worksheets for cells in sheet.iter_rows() if cells[KEY - 1].value == QUESTION)
    row[ANSWER - 1].value = raw
    buffer = io.BytesIO()
    book.save(buffer)
    try:
        return read_workbook(buffer.getvalue(), core_definition, assessment_id=7).answers[QUESTION].data
    except WorkbookError:
        return None


def paper_import(raw, *, core_definition, **_):
    context = Context(people={"it@example.org": Person("ITC4", True)}, hot_seat={"DK04"}, questions=[QUESTION],
                      questionnaire=core_definition.ref, scale=core_definition.scale)
    rows, problems = check_rows([(2, {"reviewer": "it@example.org", "region": "DK04", "question": QUESTION,
                                      "score": raw.strip(), "comment": ""})], context)
    if problems:
        assert [p.column for p in problems] == ["score"]
        return None
    return AnswerData(rows[0].score, rows[0].not_applicable)


def bundle_load(raw, *, load, bundle, **_):
    odense = copy.deepcopy(ODENSE)
    odense["reviews"][0]["scores"] = {QUESTION: {"score": raw}}
    bundle["workshops"].append(odense)
    try:
        load(bundle)
    except BundleError as error:
        assert f"scores.{QUESTION}.score" in str(error)
        db.session.rollback()
        return None
    review = next(r for r in db.session.scalars(select(Review)) if r.assignment.workshop.slug == "odense-2018")
    row = _review_score(review.id)
    return AnswerData(row.score, row.not_applicable)


ENTRY_POINTS = {"self-assessment form": self_assessment_form, "review form": review_form,
                "workbook import": workbook_import, "paper import": paper_import, "bundle": bundle_load}
FIXTURES = {"self-assessment form": ("client", "draft", "sign_in"), "review form": ("client", "draft", "login"),
            "workbook import": (), "paper import": (), "bundle": ("load", "bundle")}


@pytest.mark.parametrize("index", range(len(CASES)))
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_entry_point_gives_the_same_verdict(entry, index, cases, core_definition, request):
    raw, expected = cases[index]
    fixtures = {name: request.getfixturevalue(name) for name in FIXTURES[entry]}
    assert verdict_of(ENTRY_POINTS[entry](raw, core_definition=core_definition, **fixtures)) == expected, raw


# --- a questionnaire whose level wordings start with words ------------------------------------

WORDED = {
    "key": "worded", "version": 1, "title": {"en": "Worded levels"},
    "scale": {"min": 1, "max": 4, "not_applicable": True, "labels": {
        1: {"en": "Not started: nothing planned", "da": "Ikke startet: intet planlagt"},
        2: {"en": "5 – 10 staff trained", "da": "5 – 10 medarbejdere uddannet"},
        3: {"en": "Good", "da": "God"},
        4: {"en": "Excellent: a model for others", "da": "Fremragende"}}},
    "dimensions": [{"key": "d", "title": {"en": "Dimension"}, "weight": 1, "questions": [
        {"key": "d.level", "type": "scale", "text": {"en": "Level?"}, "weight": 1},
        {"key": "d.other", "type": "scale", "text": {"en": "Another level?"}, "weight": 1},
        {"key": "d.note", "type": "text", "text": {"en": "Note"}},
        {"key": "d.kinds", "type": "multi", "text": {"en": "Kinds"},
         "options": [{"key": "a", "label": {"en": "A"}}, {"key": "b", "label": {"en": "B"}}]}]}],
}


@pytest.fixture
def worded():
    return parse_questionnaire(yaml.safe_dump(WORDED, allow_unicode=True), "worded-v1.yaml")


@pytest.mark.parametrize("language", ["en", "da"])
def test_an_untouched_workbook_of_worded_levels_reads_back_its_answers(worded, language):
    answers = {"d.level": AnswerData(score=2), "d.other": AnswerData(score=1), "d.note": AnswerData(value="1/2")}
    data = export_workbook(worded, {k: ExportedAnswer(v, 1) for k, v in answers.items()}, language,
                           assessment_id=1, heading=[])
    book = load_workbook(io.BytesIO(data))
    cells = {row[KEY - 1].value: row[ANSWER - 1].value for row in book["Dimension"].iter_rows()}
    assert cells["d.level"] == WORDED["scale"]["labels"][2][language], "level 2 shown by its wording, not 5"
    imported = read_workbook(data, worded, assessment_id=1)
    assert {k: imported.answers[k].data for k in answers} == answers


@pytest.mark.parametrize("raw, expected", [
    ("5 – 10 staff trained", 2), ("5 – 10 medarbejdere uddannet", 2), ("not started", 1), ("Ikke startet", 1),
    ("3 – Good", 3), ("3 - god", 3), ("excellent", 4), ("4", 4), ("5", None), ("5 – 10 staff", None),
    ("3 – Excellent", None)])
def test_worded_levels_are_matched_by_their_wording_in_every_language(worded, raw, expected):
    book = load_workbook(io.BytesIO(export_workbook(worded, {}, "en", assessment_id=1, heading=[])))
    sheet = book["Dimension"]
    row = next(r for r in sheet.iter_rows() if r[KEY - 1].value == "d.level")
    row[ANSWER - 1].value = raw
    buffer = io.BytesIO()
    book.save(buffer)
    try:
        found = read_workbook(buffer.getvalue(), worded, assessment_id=1).answers["d.level"].data.score
    except WorkbookError:
        found = None
    assert found == expected


def test_text_comment_and_multi_cells_are_formatted_as_text(worded):
    book = load_workbook(io.BytesIO(export_workbook(worded, {}, "en", assessment_id=1, heading=[])))
    rows = {row[KEY - 1].value: row for row in book["Dimension"].iter_rows(min_row=5)}
    assert rows["d.note"][ANSWER - 1].number_format == "@"
    assert rows["d.kinds"][ANSWER - 1].number_format == "@"
    assert all(row[COMMENT - 1].number_format == "@" for row in rows.values())
    assert rows["d.level"][ANSWER - 1].number_format == "General", "levels keep their dropdown, not text"
