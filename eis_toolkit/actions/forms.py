"""Forms of the action plan pages (the dimension and background choices are filled in by the
view, in the reader's language). Drafts may be incomplete: only what is typed is checked here;
what a plan needs before submission is :func:`domain.missing_for_submit`'s business."""
from __future__ import annotations

import math
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..accounts.forms import REQUIRED, TOO_LONG, strip

NOT_A_DATE = _l("Enter a date as YYYY-MM-DD.")
NOT_A_NUMBER = _l("Enter a number, e.g. 12 or 3.5.")

class NumberField(FloatField):
    """A number (decimal point or comma); the typed text stays in the field when it is not one."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        try:
            value = float(text.replace(",", ".") if "." not in text else text)
        except ValueError:
            raise ValueError(NOT_A_NUMBER) from None
        if not math.isfinite(value):
            raise ValueError(NOT_A_NUMBER)
        self.data = value


class DayField(DateField):
    """A date as YYYY-MM-DD, with our own message (WTForms has none in Danish)."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            raise ValueError(NOT_A_DATE) from None


BACKGROUND_CHOICES = [SelectChoice("", _l("— choose —")),
                      SelectChoice("recommendation", _l("A peer recommendation")),
                      SelectChoice("dimension", _l("A weak dimension")),
                      SelectChoice("practice", _l("A practice of the catalogue"))]


#: The labels of the action's fields, shared by the form and the list of what is missing.
LABELS = {
    "background": _l("Background"), "title": _l("Action"), "description": _l("What will be done"),
    "players": _l("Players involved"), "starts": _l("Starts"), "ends": _l("Ends"), "costs": _l("Costs"),
    "funding": _l("Funding sources"), "dimension_key": _l("Dimension it should improve"),
    "indicator": _l("Indicator"), "baseline": _l("Baseline"), "target": _l("Target"), "unit": _l("Unit"),
    "dates": _l("Ends before it starts"), "actions": _l("The plan has no action yet"),
}


class ActionForm(FlaskForm):
    background_kind = SelectField(_l("Inspired by"), choices=BACKGROUND_CHOICES, validators=[Optional()])
    background_ref = StringField(_l("Reference"), filters=[strip], validators=[Length(max=200, message=TOO_LONG)],
                                 description=_l("The dimension key, the practice's address name or the review."))
    background = TextAreaField(LABELS["background"], filters=[strip],
                               description=_l("What the peers found or what the practice showed, in a few lines."))
    title = StringField(LABELS["title"], filters=[strip],
                        validators=[InputRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    description = TextAreaField(LABELS["description"], filters=[strip])
    players = TextAreaField(LABELS["players"], filters=[strip])
    starts = DayField(LABELS["starts"], validators=[Optional()], render_kw={"type": "date"})
    ends = DayField(LABELS["ends"], validators=[Optional()], render_kw={"type": "date"})
    costs = StringField(LABELS["costs"], filters=[strip], description=_l("e.g. €40,000 over two years"))
    funding = StringField(LABELS["funding"], filters=[strip])
    dimension_key = SelectField(LABELS["dimension_key"], validators=[Optional()])
    indicator = StringField(LABELS["indicator"], filters=[strip], validators=[Length(max=300, message=TOO_LONG)])
    baseline = NumberField(LABELS["baseline"], validators=[Optional()])
    target = NumberField(LABELS["target"], validators=[Optional()])
    unit = StringField(LABELS["unit"], filters=[strip], validators=[Length(max=64, message=TOO_LONG)],
                       description=_l("e.g. SMEs supported, exporters per 1,000 firms"))

    def __init__(self, *args, dimensions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension_key.choices = [SelectChoice("", _l("— choose —")),
                                      *(SelectChoice(k, t) for k, t in dimensions)]

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data < self.starts.data:
            raise ValidationError(_l("The action ends before it starts."))

    def values(self) -> dict:
        """The clean values for ``services.save_action``."""
        names = ("background_kind", "background_ref", "background", "title", "description", "players", "starts",
                 "ends", "costs", "funding", "dimension_key", "indicator", "baseline", "target", "unit")
        values = {name: getattr(self, name).data for name in names}
        values["background_kind"] = values["background_kind"] or None
        for name in ("background_ref", "background", "description", "players", "costs", "funding", "dimension_key",
                     "indicator", "unit"):
            values[name] = values[name] or ""
        return values


STATUS_CHOICES = [SelectChoice("planned", _l("Planned")), SelectChoice("started", _l("Started")),
                  SelectChoice("done", _l("Done")), SelectChoice("dropped", _l("Dropped"))]


class ProgressForm(FlaskForm):
    reported_on = DayField(_l("Date of the report"), validators=[InputRequired(message=REQUIRED)],
                            render_kw={"type": "date"})
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[InputRequired(message=REQUIRED)])
    current_value = NumberField(_l("Current value of the indicator"), validators=[Optional()])
    note = TextAreaField(_l("What happened"), filters=[strip])
    reason = TextAreaField(_l("Why it was dropped"), filters=[strip],
                           description=_l("Required when the action is dropped."))

    def validate_reason(self, field):
        if self.status.data == "dropped" and not field.data:
            raise ValidationError(_l("Say why the action is dropped."))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), filters=[strip], validators=[InputRequired(message=REQUIRED),
                                                                     Length(max=5000, message=TOO_LONG)])


class SubmitForm(FlaskForm):
    policy_context = TextAreaField(_l("Policy context"), filters=[strip],
                                   description=_l("The policy instrument the plan improves, and why."))
