"""The questionnaire file format: parsing, defaults, round trip and every problem with its line."""

import json
from pathlib import Path

import pytest

from eis_toolkit.questionnaires.schema import (
    QUESTION_TYPES,
    DimensionDef,
    Option,
    Problem,
    QuestionDef,
    QuestionnaireDef,
    QuestionnaireError,
    Scale,
    load_questionnaire_file,
    parse_questionnaire,
)

CORE_FILE = Path(__file__).resolve().parent.parent / "questionnaires" / "eis-core-v1.yaml"

# Line numbers matter: the malformed cases below name lines of this text.
VALID = """\
key: mini
version: 2
title: {en: Mini, it: Mini IT}
description:
  en: A small questionnaire.
scale:
  min: 1
  max: 3
  labels:
    1: {en: Low}
    2: {en: Medium}
    3: {en: High}
  not_applicable: true
dimensions:
  - key: strategy
    title: {en: Strategy}
    weight: 2
    questions:
      - key: strategy.vision
        type: scale
        text: {en: "Is there a vision?"}
        help: {en: Look at the plan.}
        weight: 1.5
        required: true
      - key: strategy.lead_body
        type: choice
        text: {en: "Who leads?"}
        options:
          - region
          - {key: chamber, label: {en: Chamber of commerce, de: Handelskammer}}
      - key: strategy.budget
        type: number
        text: {en: Budget}
        unit: {en: EUR per year}
        min: 0
  - key: outreach
    title: {en: Outreach}
    questions:
      - key: outreach.digital
        type: scale
        text: {en: "Digital channels?"}
      - key: outreach.evidence
        type: evidence
        text: {en: Upload evidence}
"""


def problems_of(text, filename="mini-v2.yaml"):
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(text, filename)
    return info.value.problems


def edit(old, new):
    """VALID with one unique piece of text replaced (or unchanged when ``old`` is empty)."""
    if not old:
        return VALID
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def test_valid_file_parses_into_definitions():
    q = parse_questionnaire(VALID, "questionnaires/mini-v2.yaml")

    assert (q.key, q.version, q.ref) == ("mini", 2, "mini@2")
    assert q.title == {"en": "Mini", "it": "Mini IT"}
    assert q.description == {"en": "A small questionnaire."}
    assert q.scale == Scale(1, 3, {1: {"en": "Low"}, 2: {"en": "Medium"}, 3: {"en": "High"}}, True)
    assert [(d.key, d.weight, d.position) for d in q.dimensions] == [
        ("strategy", 2.0, 0),
        ("outreach", 1.0, 1),
    ]
    assert [(x.key, x.dimension, x.position) for x in q.questions()] == [
        ("strategy.vision", "strategy", 0),
        ("strategy.lead_body", "strategy", 1),
        ("strategy.budget", "strategy", 2),
        ("outreach.digital", "outreach", 0),
        ("outreach.evidence", "outreach", 1),
    ]
    assert [x.key for x in q.scored_questions()] == ["strategy.vision", "outreach.digital"]


def test_question_fields_and_defaults():
    q = parse_questionnaire(VALID, "mini.yaml")

    vision = q.question("strategy.vision")
    assert (vision.type, vision.weight, vision.required) == ("scale", 1.5, True)
    assert vision.help == {"en": "Look at the plan."}
    digital = q.question("outreach.digital")
    assert (digital.weight, digital.required, digital.help) == (1.0, False, {})
    lead = q.question("strategy.lead_body")
    assert (lead.weight, lead.scored) == (None, False)
    assert lead.options == (
        Option("region", {"en": "region"}),
        Option("chamber", {"en": "Chamber of commerce", "de": "Handelskammer"}),
    )
    budget = q.question("strategy.budget")
    assert (budget.unit, budget.min, budget.max) == ({"en": "EUR per year"}, 0.0, None)
    assert q.question("outreach.evidence") == QuestionDef(
        "outreach.evidence", "outreach", "evidence", {"en": "Upload evidence"}, position=1
    )
    with pytest.raises(KeyError):
        q.question("strategy.nope")


def test_optional_fields_default():
    text = edit("description:\n  en: A small questionnaire.\n", "").replace(
        "  not_applicable: true\n", ""
    )
    q = parse_questionnaire(text, "mini.yaml")
    assert q.description == {}
    assert q.scale.not_applicable is False
    assert isinstance(q.dimensions[1], DimensionDef)


def test_to_dict_round_trips_through_json():
    q = parse_questionnaire(VALID, "mini-v2.yaml")
    data = q.to_dict()

    assert QuestionnaireDef.from_dict(data) == q
    assert QuestionnaireDef.from_dict(json.loads(json.dumps(data))) == q
    assert json.loads(json.dumps(data)) == data
    assert data["scale"]["labels"]["2"] == {"en": "Medium"}
    assert data["dimensions"][0]["questions"][1]["options"][0] == {
        "key": "region",
        "label": {"en": "region"},
    }


def test_to_dict_ignores_formatting_but_not_content():
    reformatted = edit("title: {en: Mini, it: Mini IT}", "title:\n  it: Mini IT\n  en: 'Mini'")
    assert parse_questionnaire(reformatted, "x.yaml").to_dict() == (
        parse_questionnaire(VALID, "x.yaml").to_dict()
    )
    changed = edit("weight: 1.5", "weight: 2")
    assert parse_questionnaire(changed, "x.yaml").to_dict() != (
        parse_questionnaire(VALID, "x.yaml").to_dict()
    )


def case(id, old, new, line, word, filename="mini.yaml"):
    """One malformed variant of VALID: the problem expected at ``line`` mentions ``word``."""
    return pytest.param(edit(old, new), filename, line, word, id=id)


MALFORMED = [
    case("syntax", "  max: 3\n", "  max: [3\n", 9, "syntax error"),
    case("duplicate-key", "    weight: 2\n", "    weight: 2\n    title: {en: Again}\n", 18,
         "duplicate key 'title' (first at line 16)"),
    case("missing-en", "{en: Mini, it: Mini IT}", "{it: Mini IT}", 3, "'en'"),
    case("bad-language", "  en: A small", "  EN: A small", 5, "language code"),
    case("unknown-field", "        help:", "        hlep:", 22, "unknown field 'hlep'"),
    case("unknown-field-hint", "  not_applicable", "  not_aplicable", 13,
         "did you mean 'not_applicable'"),
    case("question-key-prefix", "key: outreach.digital", "key: strategy.digital", 39,
         "must start with 'outreach.'"),
    case("question-key-name", "key: outreach.digital", "key: outreach.Digital", 39,
         "<dimension>.<name>"),
    case("duplicate-question-key", "key: outreach.evidence", "key: outreach.digital", 42,
         "duplicate question key 'outreach.digital' (first at line 39)"),
    case("duplicate-dimension-key", "\n  - key: outreach\n", "\n  - key: strategy\n", 36,
         "duplicate dimension key"),
    case("label-missing", "    3: {en: High}\n", "", 9, "no label for 3"),
    case("label-outside-scale", "    3: {en: High}", "    4: {en: Hi}", 12, "outside the scale"),
    case("weight-on-text", "type: evidence", "type: text\n        weight: 1", 44,
         "weight: only allowed on scale"),
    case("options-on-number", "        min: 0\n", "        min: 0\n        options: [a]\n", 36,
         "only allowed on choice and multi"),
    case("options-missing", "type: evidence", "type: choice", 42, "missing field 'options'"),
    case("duplicate-option", "          - region\n", "          - region\n          - region\n", 30,
         "duplicate option key 'region'"),
    case("bool-weight", "weight: 1.5", "weight: true", 23, "must be a number, not true"),
    case("zero-weight", "    weight: 2", "    weight: 0", 17, "greater than 0"),
    case("scale-min-max", "  max: 3", "  max: 1", 8, "max: must be greater than min (1)"),
    case("number-min-max", "        min: 0\n", "        min: 10\n        max: 5\n", 36,
         "max: must be greater than min (10)"),
    case("version", "version: 2", "version: 0", 2, "at least 1"),
    case("key", "key: mini", "key: Mini", 1, "lower-case"),
    case("unknown-type", "type: evidence", "type: essay", 43, "not one of"),
    case("empty-questions", "    questions:\n      - key: outreach.digital",
         "    questions: []\n    extra:\n      - key: outreach.digital", 38, "must not be empty"),
    case("missing-field", "    title: {en: Outreach}\n", "", 36, "missing field 'title'"),
    case("not-bool", "required: true", "required: yes please", 24, "true or false"),
    case("file-name-key", "", "", 1, "does not match the file name", "other-v2.yaml"),
    case("file-name-version", "", "", 2, "does not match the file name", "dir/mini-v3.yaml"),
    pytest.param("- just\n- a list\n", "mini.yaml", 1, "mapping", id="not-a-mapping"),
    pytest.param("", "mini.yaml", 1, "mapping", id="empty-file"),
    pytest.param(VALID + "---\nkey: again\n", "mini.yaml", 45, "single document",
                 id="two-documents"),
]


@pytest.mark.parametrize(("text", "filename", "line", "word"), MALFORMED)
def test_malformed_file_reports_line_and_reason(text, filename, line, word):
    problems = problems_of(text, filename)
    assert any(p.line == line and word in p.message for p in problems), problems
    assert all(p.file == filename for p in problems)


def test_message_names_the_field_path():
    [problem] = problems_of(edit("key: outreach.digital", "key: strategy.x"))
    assert str(problem) == (
        "mini-v2.yaml:39: dimensions[1].questions[0].key: 'strategy.x' must start with 'outreach.'"
    )


def test_other_file_names_are_not_checked():
    assert parse_questionnaire(VALID, "questionnaires/anything.yaml").key == "mini"
    assert parse_questionnaire(VALID, "mini-v2.yml").version == 2


def test_every_problem_is_reported_in_line_order():
    text = (
        edit("version: 2", "version: two")
        .replace("  en: A small", "  xx: A small")
        .replace("weight: 1.5", "weight: -1")
        .replace("type: evidence", "type: text\n        options: [a, b]")
        .replace("key: outreach.digital", "key: outreach.vision\n        colour: blue")
    )
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(text, "mini-v2.yaml")

    problems = info.value.problems
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (2, "version"),
        (4, "description"),
        (23, "dimensions[0].questions[0].weight"),
        (40, "dimensions[1].questions[0]"),
        (45, "dimensions[1].questions[1].options"),
    ]
    assert "unknown field 'colour'" in problems[3].message
    assert str(info.value) == "\n".join(str(p) for p in problems)
    first = str(info.value).splitlines()[0]
    assert first == "mini-v2.yaml:2: version: must be an integer, not 'two'"


def test_problem_format():
    assert str(Problem("q.yaml", 7, "boom")) == "q.yaml:7: boom"
    assert str(QuestionnaireError([Problem("a", 1, "x"), Problem("a", 2, "y")])) == "a:1: x\na:2: y"


def test_load_file(tmp_path):
    path = tmp_path / "mini-v2.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load_questionnaire_file(path).ref == "mini@2"


def test_load_file_checks_its_name(tmp_path):
    path = tmp_path / "mini-v3.yaml"
    path.write_text(VALID, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire_file(path)
    assert [(p.file, p.line) for p in info.value.problems] == [(str(path), 2)]


@pytest.mark.parametrize("name", ["missing-v1.yaml", "."])
def test_unreadable_file_is_a_problem(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire_file(path)
    [problem] = info.value.problems
    assert (problem.file, problem.line) == (str(path), 1)
    assert "cannot read" in problem.message


def test_non_utf8_file_is_a_problem(tmp_path):
    path = tmp_path / "mini-v2.yaml"
    path.write_bytes(VALID.replace("Budget", "Caf\xe9").encode("latin-1"))
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire_file(path)
    [problem] = info.value.problems
    assert problem.line == 1
    assert "UTF-8" in problem.message and "line 33" in problem.message


def test_question_types():
    assert QUESTION_TYPES == ("scale", "choice", "multi", "number", "text", "evidence")


def test_core_questionnaire_is_valid_and_translated():
    q = load_questionnaire_file(CORE_FILE)

    assert q.ref == "eis-core@1"
    assert len(q.dimensions) >= 8
    assert len(q.scored_questions()) >= 30
    assert (q.scale.min, q.scale.max) == (1, 5)
    for where, text in _texts(q):
        assert {"en", "it", "da", "de"} <= set(text), f"{where} lacks a language: {sorted(text)}"


def _texts(q):
    """Every translated text of a questionnaire, with where it is."""
    yield "title", q.title
    if q.description:
        yield "description", q.description
    for point, label in q.scale.labels.items():
        yield f"scale label {point}", label
    for dimension in q.dimensions:
        yield dimension.key, dimension.title
        if dimension.description:
            yield f"{dimension.key} description", dimension.description
        for question in dimension.questions:
            yield question.key, question.text
            if question.help:
                yield f"{question.key} help", question.help
            if question.unit:
                yield f"{question.key} unit", question.unit
            for option in question.options:
                yield f"{question.key} option {option.key}", option.label
