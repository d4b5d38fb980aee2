"""Log-in and admin forms for people and regions."""
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField,
                     StringField, SubmitField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import LANGUAGE_NAMES
from ..models import Role

LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("E-mail", filters=[strip], validators=[InputRequired(), Email()])
    password = PasswordField("Password", validators=[InputRequired()])
    remember = BooleanField("Keep me logged in on this computer")
    submit = SubmitField("Log in")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    email = EmailField("E-mail", filters=[strip], validators=[InputRequired(), Email(), Length(max=254)])
    region_id = SelectField("Region", coerce=int, description="The partner region this person works for.")
    roles = CheckboxesField("Roles", choices=[SelectChoice(r.value, r.label) for r in Role])
    language = SelectField("Language", choices=LANGUAGE_CHOICES)
    active = BooleanField("Active (may log in)", default=True)
    password = PasswordField("Password", validators=[Optional(), Length(min=8, max=200, message="The password must have at least 8 characters.")],
                             description="At least 8 characters. Leave empty to keep the current one.")
    submit = SubmitField("Save")


class RegionForm(FlaskForm):
    code = StringField("Code", validators=[InputRequired(), Length(max=16), Regexp(r"^[A-Za-z0-9-]+$")],
                       description="The NUTS code where there is one, e.g. DK04 or ITC4.")
    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    country = StringField("Country", validators=[InputRequired(), Regexp(r"^[A-Za-z]{2}$")],
                          description="Two-letter country code, e.g. DK.")
    language = SelectField("Language", choices=LANGUAGE_CHOICES)
    submit = SubmitField("Save")
