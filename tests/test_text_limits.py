"""A text answer or comment has a length limit everywhere it comes in (#13).

Before, a 20 MB answer was stored, and every page showing it weighed 20 MB.
"""
import pytest

from eis_toolkit.questionnaires.types import InvalidAnswer, MAX_TEXT_LENGTH, parse_answer
from tests.assessment_fixtures import draft, drafted  # noqa: F401


def _text_question(core_definition):
    return next(q for q in core_definition.questions() if q.type == "text")


def _scale_question(core_definition):
    return core_definition.scored_questions()[0]


def test_a_text_answer_at_the_limit_is_kept_and_one_over_is_refused(app, core_definition):
    question = _text_question(core_definition)
    assert parse_answer(question, core_definition.scale, "x" * MAX_TEXT_LENGTH).value == "x" * MAX_TEXT_LENGTH
    with pytest.raises(InvalidAnswer, match="the answer has 20,001 characters; at most 20,000"):
        parse_answer(question, core_definition.scale, "x" * (MAX_TEXT_LENGTH + 1))


def test_a_comment_over_the_limit_is_refused_whatever_the_question(app, core_definition):
    with pytest.raises(InvalidAnswer, match="the comment has"):
        parse_answer(_scale_question(core_definition), core_definition.scale, "3", "y" * (MAX_TEXT_LENGTH + 1))


def test_the_limit_follows_the_setting(app, core_definition):
    app.config["EIS_MAX_TEXT_CHARS"] = 10
    with pytest.raises(InvalidAnswer, match="at most 10 are accepted"):
        parse_answer(_text_question(core_definition), core_definition.scale, "eleven char")


def test_a_bundle_comment_over_the_limit_is_a_problem(app, core_questionnaire, bundle):
    from eis_toolkit.bundles.load import load_bundle
    from eis_toolkit.bundles.validate import BundleError

    bundle["workshops"][0]["reviews"][0]["strengths"] = "z" * (MAX_TEXT_LENGTH + 1)
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle)
    assert any("strengths: is longer than 20000" in str(p) for p in refused.value.problems)


def test_a_huge_comment_is_refused_on_the_page_and_not_stored(client, login, draft):
    from sqlalchemy import select

    from eis_toolkit.extensions import db
    from eis_toolkit.models import Answer, Question

    assessment = draft
    login("dk@example.org")
    page = client.get(f"/assessments/{assessment.id}/questions/strategy")
    assert page.status_code == 200
    key = "strategy.vision"
    response = client.post(f"/assessments/{assessment.id}/questions/strategy",
                           data={f"{key}-answer": "4", f"{key}-comment": "c" * (MAX_TEXT_LENGTH + 5),
                                 f"{key}-version": "1"})
    assert response.status_code in (200, 422)
    page = response.get_data(as_text=True)
    assert f'id="{key}-comment-error">The comment has 20,005 characters; at most 20,000 are accepted' in page
    stored = db.session.scalar(select(Answer.comment).join(Question)
                               .where(Question.key == key, Answer.assessment_id == assessment.id))
    assert stored is None or len(stored) < 100
