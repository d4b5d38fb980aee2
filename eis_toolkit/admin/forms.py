"""Admin forms for programmes and their partner regions."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from ..accounts.forms import REQUIRED, TOO_LONG, strip


def lower(value):
    return value.lower() if isinstance(value, str) else value


class ProgrammeForm(FlaskForm):
    slug = StringField(_l("Address name"), filters=[strip, lower], validators=[
        InputRequired(message=REQUIRED), Length(max=64, message=TOO_LONG),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and '-'."))],
        description=_l("Used in the programme's web address and in bundles, e.g. eis."))
    title = StringField(_l("Title"), filters=[strip], validators=[
        InputRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Length(max=5000, message=TOO_LONG)])
    starts = DateField(_l("Starts"), validators=[Optional()])
    ends = DateField(_l("Ends"), validators=[Optional()])


class PartnerForm(FlaskForm):
    region_id = SelectField(_l("Region"), coerce=int)


class ConfirmForm(FlaskForm):
    """A confirmation page's form: only the CSRF token, and whether the person confirmed."""

    confirmed = BooleanField(default=False)
