"""The question-type registry: each type's form field and how it reads what people give."""
import pytest
from wtforms import Form, RadioField, StringField, TextAreaField

from eis_toolkit.questionnaires.schema import QUESTION_TYPES, Option, QuestionDef, Scale
from eis_toolkit.questionnaires.types import (QUESTION_TYPES as REGISTRY, AnswerData, CheckboxesField, InvalidAnswer,
                                              is_answered, parse_answer, question_type, show_answer)

SCALE = Scale(1, 5, {p: {"en": f"{p} – Level {p}: wording {p}", "it": f"{p} – Livello {p}"} for p in range(1, 6)},
              not_applicable=True)
NO_NA = Scale(1, 5, SCALE.labels, not_applicable=False)
OPTIONS = (Option("region", {"en": "Regional authority", "it": "Amministrazione regionale"}),
           Option("chamber", {"en": "Chamber of commerce"}))


def question(kind, **settings):
    return QuestionDef(key=f"d.{kind}", dimension="d", type=kind,
                       text={"en": "Question in English", "it": "Domanda in italiano"},
                       help={"en": "Some help"}, **settings)


SCALE_Q = question("scale", weight=1)
CHOICE_Q = question("choice", options=OPTIONS)
MULTI_Q = question("multi", options=OPTIONS)
NUMBER_Q = question("number", min=0, max=1000000, unit={"en": "EUR"})
TEXT_Q = question("text")
EVIDENCE_Q = question("evidence")


def test_every_type_of_the_file_format_has_a_registered_type():
    assert set(REGISTRY) == set(QUESTION_TYPES)


@pytest.mark.parametrize("q, field_class", [(SCALE_Q, RadioField), (CHOICE_Q, RadioField),
                                            (MULTI_Q, CheckboxesField), (NUMBER_Q, StringField),
                                            (TEXT_Q, TextAreaField)])
def test_each_type_builds_its_field_in_the_persons_language(q, field_class):
    unbound = question_type(q).field(q, SCALE, "it")
    form = type("F", (Form,), {"answer": unbound})()
    assert isinstance(form.answer, field_class)
    assert form.answer.label.text == "Domanda in italiano"


def test_a_language_without_a_translation_falls_back_to_english():
    form = type("F", (Form,), {"answer": question_type(SCALE_Q).field(SCALE_Q, SCALE, "da")})()
    assert form.answer.label.text == "Question in English"
    assert form.answer.description == "Some help"


def test_scale_questions_offer_every_level_with_its_wording_then_na():
    form = type("F", (Form,), {"answer": question_type(SCALE_Q).field(SCALE_Q, SCALE, "en")})()
    assert [(o._value(), o.label.text) for o in form.answer] == [
        ("1", "1 – Level 1: wording 1"), ("2", "2 – Level 2: wording 2"), ("3", "3 – Level 3: wording 3"),
        ("4", "4 – Level 4: wording 4"), ("5", "5 – Level 5: wording 5"), ("na", "N/A – not applicable")]
    without = type("F", (Form,), {"answer": question_type(SCALE_Q).field(SCALE_Q, NO_NA, "en")})()
    assert "na" not in [o._value() for o in without.answer]


def test_evidence_questions_take_files_only():
    assert question_type(EVIDENCE_Q).field(EVIDENCE_Q, SCALE, "en") is None
    assert parse_answer(EVIDENCE_Q, SCALE, "anything", "a note") == AnswerData(comment="a note")


@pytest.mark.parametrize("q, raw, expected", [
    (SCALE_Q, "3", AnswerData(score=3)),
    (SCALE_Q, 4, AnswerData(score=4)),
    (SCALE_Q, 5.0, AnswerData(score=5)),
    (SCALE_Q, "2 – Level 2: wording 2", AnswerData(score=2)),
    (SCALE_Q, "na", AnswerData(not_applicable=True)),
    (SCALE_Q, "N/A – not applicable", AnswerData(not_applicable=True)),
    (SCALE_Q, "", AnswerData()),
    (CHOICE_Q, "chamber", AnswerData(value="chamber")),
    (CHOICE_Q, "Amministrazione regionale", AnswerData(value="region")),
    (CHOICE_Q, "chamber of COMMERCE", AnswerData(value="chamber")),
    (MULTI_Q, ["chamber", "region"], AnswerData(value=["region", "chamber"])),
    (MULTI_Q, "Chamber of commerce; Regional authority", AnswerData(value=["region", "chamber"])),
    (MULTI_Q, [], AnswerData()),
    (NUMBER_Q, "540000", AnswerData(value=540000)),
    (NUMBER_Q, "540 000", AnswerData(value=540000)),
    (NUMBER_Q, "1234,5", AnswerData(value=1234.5)),
    (NUMBER_Q, "12.25", AnswerData(value=12.25)),
    (NUMBER_Q, 7.0, AnswerData(value=7)),
    (NUMBER_Q, "  ", AnswerData()),
    (TEXT_Q, "  Two\r\nlines  ", AnswerData(value="Two\nlines")),
    (TEXT_Q, "", AnswerData()),
])
def test_answers_are_read_from_form_values_and_cells(q, raw, expected):
    assert parse_answer(q, SCALE, raw, "") == expected


@pytest.mark.parametrize("q, scale, raw, message", [
    (SCALE_Q, SCALE, "6", "not a level from 1 to 5 or N/A"),
    (SCALE_Q, SCALE, "3.5", "not a level"),
    (SCALE_Q, SCALE, 2.5, "not a level"),
    (SCALE_Q, SCALE, "good", "not a level"),
    (SCALE_Q, NO_NA, "na", "N/A is not allowed"),
    (CHOICE_Q, SCALE, "agency", "'agency' is not one of the options"),
    (MULTI_Q, SCALE, "region; nowhere", "'nowhere' is not one of the options"),
    (NUMBER_Q, SCALE, "lots", "'lots' is not a number"),
    (NUMBER_Q, SCALE, "-1", "must be at least 0"),
    (NUMBER_Q, SCALE, "2000000", "must be at most 1,000,000"),
    (NUMBER_Q, SCALE, "nan", "not a number"),
])
def test_impossible_answers_are_refused_with_a_reason(q, scale, raw, message):
    with pytest.raises(InvalidAnswer, match=message):
        parse_answer(q, scale, raw, "")


def test_comments_are_kept_without_outer_space_and_with_plain_line_ends():
    assert parse_answer(TEXT_Q, SCALE, "x", " a\r\nb ").comment == "a\nb"


@pytest.mark.parametrize("q, data, evidence, answered", [
    (SCALE_Q, AnswerData(score=1), 0, True), (SCALE_Q, AnswerData(not_applicable=True), 0, True),
    (SCALE_Q, AnswerData(comment="only a comment"), 0, False), (MULTI_Q, AnswerData(value=[]), 0, False),
    (TEXT_Q, AnswerData(value="x"), 0, True), (NUMBER_Q, AnswerData(value=0), 0, True),
    (EVIDENCE_Q, AnswerData(), 0, False), (EVIDENCE_Q, AnswerData(), 2, True),
])
def test_what_counts_as_answered(q, data, evidence, answered):
    assert is_answered(q, data, evidence) is answered


@pytest.mark.parametrize("q, data, language, shown", [
    (SCALE_Q, AnswerData(score=2), "en", "2 – Level 2: wording 2"),
    (SCALE_Q, AnswerData(not_applicable=True), "en", "N/A – not applicable"),
    (CHOICE_Q, AnswerData(value="region"), "it", "Amministrazione regionale"),
    (MULTI_Q, AnswerData(value=["region", "chamber"]), "en", "Regional authority; Chamber of commerce"),
    (NUMBER_Q, AnswerData(value=540000), "en", "540,000 EUR"),
    (NUMBER_Q, AnswerData(value=540000), "da", "540.000 EUR"),
    (TEXT_Q, AnswerData(), "en", ""),
])
def test_answers_are_shown_as_text(q, data, language, shown):
    assert show_answer(q, SCALE, data, language) == shown


def test_the_fingerprint_changes_with_the_content_only():
    assert AnswerData(score=3, comment="x").digest() == AnswerData(score=3, comment="x").digest()
    assert AnswerData(score=3).digest() != AnswerData(score=4).digest()
    assert AnswerData(score=3).digest() != AnswerData(score=3, comment="x").digest()
    assert len(AnswerData().digest()) == 16
