"""Forms of the workshop pages. A review page's score inputs are built from the questionnaire by
the question-type registry (:func:`review_score_fields`) and read by
:func:`.reviews.parse_review_input`."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from ..accounts.forms import CheckboxesField, strip
from ..questionnaires.schema import QuestionDef, Scale
from ..questionnaires.types import question_type


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[InputRequired(), Length(max=200)])
    slug = StringField(_l("Address name"), filters=[strip], validators=[
        Optional(), Length(max=64), Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and '-'."))],
        description=_l("Used in the workshop's web address, e.g. aarhus-2017. Left empty, it is made from the title."))
    programme_id = SelectField(_l("Programme"), coerce=int)
    host_region_id = SelectField(_l("Host region"), coerce=int)
    place = StringField(_l("Place"), filters=[strip], validators=[Length(max=200)])
    starts = DateField(_l("Starts"), validators=[InputRequired()])
    ends = DateField(_l("Ends"), validators=[InputRequired()])
    questionnaire_id = SelectField(_l("Questionnaire version"), coerce=int,
                                   description=_l("Fixed once the review round opens."))
    hot_seat = CheckboxesField(_l("Hot-seat regions"), coerce=int,
                               description=_l("The regions reviewed at this workshop. Each gets a self-assessment to fill in."))
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Length(max=5000)])
    show_reviewer_names = BooleanField(_l("Show the reviewers' names to the reviewed regions once published"))


class SiteVisitForm(FlaskForm):
    firm = StringField(_l("Firm"), filters=[strip], validators=[InputRequired(), Length(max=200)])
    what = TextAreaField(_l("What it does"), filters=[strip], validators=[Length(max=5000)])
    story = TextAreaField(_l("What it told the group"), filters=[strip], validators=[Length(max=10000)])


class AssignmentForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int)
    region_id = SelectField(_l("Reviews"), coerce=int)


class NominationForm(FlaskForm):
    title = StringField(_l("Practice"), filters=[strip], validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What it is"), filters=[strip], validators=[Length(max=5000)])
    dimension_key = SelectField(_l("Dimension it strengthens"))
    why = TextAreaField(_l("Why other regions should copy it"), filters=[strip], validators=[Length(max=5000)])


class TransitionForm(FlaskForm):
    confirmed = BooleanField(_l("I understand that the reviews not submitted will be left out"))


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet"), validators=[
        FileRequired(_l("Choose a file.")), FileAllowed(["xlsx", "csv"], _l("Upload an .xlsx or a .csv file."))],
        description=_l("Columns: reviewer (e-mail), region (code), question (key), score (a number or N/A), comment."))


#: The form classes of the review pages, built once per process for each set of questions, scale
#: and language (:func:`review_score_fields`): ``key → (the objects it was built from, class)``.
_SCORE_FORMS: dict[tuple, tuple[tuple, type[Form]]] = {}
#: A process keeps at most this many (tests parse many questionnaires; a server a few).
_SCORE_FORMS_KEPT = 256


def review_score_fields(questions: list[QuestionDef], scale: Scale, language: str, formdata=None,
                        data: dict[str, str] | None = None) -> Form:
    """The score inputs of a review page, built by the question-type registry (as the
    self-assessment's pages are): one field per question, named ``score.<key>``, its id
    ``score-<key with dashes>``. With ``formdata`` it shows what was posted, else ``data``.

    The form's class is built the first time a process shows these questions in this language
    (the definitions are parsed once per process, ``questionnaires.services.definition_of``): a
    request only binds it. The class is keyed by the objects themselves, and kept with them so
    that their ids are never reused while it lives."""
    built_from = (scale, *questions)
    key = (language, *map(id, built_from))
    known = _SCORE_FORMS.get(key)
    if known is None or any(a is not b for a, b in zip(known[0], built_from)):
        fields = {}
        for question in questions:
            unbound = question_type(question).field(question, scale, language)
            unbound.kwargs["id"] = field_anchor(f"score.{question.key}")
            fields[f"score.{question.key}"] = unbound
        if len(_SCORE_FORMS) >= _SCORE_FORMS_KEPT:
            _SCORE_FORMS.clear()
        known = _SCORE_FORMS[key] = built_from, type("ReviewScoreFields", (Form,), fields)
    return known[1](formdata=formdata, data=data or {})


def field_anchor(name: str) -> str:
    """The id of the element of a review form field (``score.<key>``, ``comment.<key>``, a text):
    a link target, so no dots (``score.strategy.vision`` → ``score-strategy-vision``)."""
    kind, __, key = name.partition(".")
    return f"{kind}-{key.replace('.', '-')}" if key else name


class SubmitReviewForm(FlaskForm):
    """The confirmation page's button, with its CSRF token."""


class DeleteWorkshopForm(FlaskForm):
    """Nothing to fill in: the button, with its CSRF token."""
