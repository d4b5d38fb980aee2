"""Forms built at runtime from the questionnaire: one page per dimension, one sub-form per question.

Each question's sub-form (``<question key>-<field>`` in the page) holds the answer field its type
builds (``questionnaires.types``), a comment, files to attach, and the optimistic-locking pair
``version``/``digest`` it started from; ``conflict``/``resolve`` appear after a conflicting save.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, Form, FormField, HiddenField, MultipleFileField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from ..questionnaires.schema import DimensionDef, QuestionDef, Scale
from ..questionnaires.types import AnswerData, InvalidAnswer, check_text_length, parse_answer, question_type
from .services import Base

RESOLVE_CHOICES = [SelectChoice("mine", _l("Keep my answer")), SelectChoice("theirs", _l("Use the saved answer"))]


def _within_text_limit(form, field) -> None:
    try:
        check_text_length(field.data or "", _l("the comment"))
    except InvalidAnswer as error:
        raise ValidationError(_sentence(str(error))) from None


class QuestionForm(Form):
    comment = TextAreaField(_l("Comment"), render_kw={"rows": 2}, validators=[_within_text_limit])
    files = MultipleFileField(_l("Attach files"))
    version = HiddenField()
    digest = HiddenField()
    conflict = HiddenField()
    resolve = RadioField(_l("Which answer to keep?"), choices=RESOLVE_CHOICES, validate_choice=False)


class DimensionForm(FlaskForm):
    """The questions of one dimension; ``remove`` and ``action`` come from the page's buttons."""

    remove = HiddenField()
    action = HiddenField()


def _question_form(question: QuestionDef, scale: Scale, language: str) -> type[QuestionForm]:
    field = question_type(question).field(question, scale, language)
    attributes = {} if field is None else {"answer": field}
    return type("QuestionForm", (QuestionForm,), attributes)


def dimension_form(dimension: DimensionDef, scale: Scale, language: str,
                   initial: dict[str, dict[str, Any]] | None = None, **kwargs) -> DimensionForm:
    """The page form; ``initial`` gives each question's field values when nothing was posted."""
    fields = {question.key: FormField(_question_form(question, scale, language), separator="-")
              for question in dimension.questions}
    form_class = type("DimensionForm", (DimensionForm,), fields)
    return form_class(data=initial or {}, **kwargs)


def initial_values(dimension: DimensionDef, states: dict, language: str = "en") -> dict[str, dict[str, Any]]:
    """Field values for a page from the stored answer states (``services.AnswerState``), numbers
    written as ``language`` writes them."""
    values = {}
    for question in dimension.questions:
        state = states.get(question.key)
        data = state.data if state else AnswerData()
        values[question.key] = {
            "answer": question_type(question).form_value(data, language), "comment": data.comment,
            "version": str(state.version if state else 0), "digest": data.digest()}
    return values


def read_answers(form: DimensionForm, dimension: DimensionDef, scale: Scale, language: str = "en"):
    """What the page says, after ``form.validate()``: (answers, bases, problems by question key);
    numbers are read as ``language`` writes them.

    Questions whose input is refused get the message on their field and are left out; so are
    conflicts resolved as "use the saved answer", and questions the post does not carry (no
    ``version`` field). A conflict left unresolved is a problem.
    """
    given, bases, problems = {}, {}, {}
    for question in dimension.questions:
        sub = form[question.key].form
        if not sub.version.raw_data:
            continue  # the post did not carry this question (every page does: a partial post does not)
        if sub.conflict.data and sub.resolve.data not in ("mine", "theirs"):
            problems[question.key] = str(_l("Choose which answer to keep."))
            sub.resolve.errors.append(problems[question.key])
            continue
        if sub.resolve.data == "theirs":
            continue
        if sub.comment.errors:
            problems[question.key] = sub.comment.errors[0]
            continue
        try:
            data = parse_answer(question, scale, sub.answer.data if "answer" in sub else None, sub.comment.data,
                                language)
        except InvalidAnswer as error:
            problems[question.key] = str(error)
            sub.answer.errors.append(_sentence(str(error)))
            continue
        given[question.key] = data
        bases[question.key] = Base(_int(sub.version.data), sub.digest.data or None)
    return given, bases, problems


def _sentence(reason: str) -> str:
    """A refusal reason ("'x' is not a number") as a sentence, in any language."""
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


def _int(text: str | None) -> int:
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0


def show_conflicts(form: DimensionForm, conflicts) -> None:
    """Prepare the page to choose: the version and fingerprint become the stored answer's, so
    that keeping one's own answer saves it over exactly the answer that was shown."""
    for conflict in conflicts:
        sub = form[conflict.key].form
        sub.version.data = str(conflict.version)
        sub.digest.data = conflict.digest
        sub.conflict.data = str(conflict.version)
        sub.resolve.data = None


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Why is it reopened?"), render_kw={"rows": 3},
                           validators=[InputRequired(message=_l("Say why the self-assessment is reopened.")),
                                       Length(max=2000, message=_l("At most %(max)d characters."))],
                           description=_l("Kept in the assessment's history with your name and the time."))


class SubmitForm(FlaskForm):
    """Only the CSRF token: submitting takes no input."""


class ConfirmSubmitForm(FlaskForm):
    """Submitting: the CSRF token, and, when answers are still carried over, that they still hold."""

    carried_still_hold = BooleanField(_l("The answers carried over from the previous self-assessment still hold"))


class WorkbookForm(FlaskForm):
    workbook = FileField(_l("Filled-in workbook (.xlsx)"), render_kw={"accept": ".xlsx"})
