"""Log-in and admin forms for people and regions."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField, ValidationError)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import LANGUAGE_NAMES
from ..models import Role

#: Each language in its own name, as people look for it.
LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


#: WTForms ships no Danish messages: every validator here says its message, in the catalogues.
REQUIRED = _l("This field is required.")
EMAIL = _l("Enter an e-mail address such as name@example.org.")
TOO_LONG = _l("At most %(max)d characters.")


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=[InputRequired(message=REQUIRED), Email(message=EMAIL)])
    password = PasswordField(_l("Password"), validators=[InputRequired(message=REQUIRED)])
    remember = BooleanField(_l("Keep me logged in on this computer"))
    submit = SubmitField(_l("Log in"))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[InputRequired(message=REQUIRED), Email(message=EMAIL), Length(max=254, message=TOO_LONG)])
    region_id = SelectField(_l("Region"), coerce=int, description=_l("The partner region this person works for."))
    roles = CheckboxesField(_l("Roles"), choices=[SelectChoice(r.value, r.label) for r in Role])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    active = BooleanField(_l("Active (may log in)"), default=True)
    password = PasswordField(_l("Password"), validators=[
        Optional(), Length(min=8, max=200, message=_l("The password must have at least %(n)d characters.", n=8))],
        description=_l("At least 8 characters. Leave empty to keep the current one."))
    submit = SubmitField(_l("Save"))

    def validate_region_id(self, field) -> None:
        """A region member fills in their region's self-assessment: they need a region."""
        if Role.REGION.value in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("A region member needs a region: choose the region this person works for."))


class RegionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[
        InputRequired(message=REQUIRED), Length(max=16, message=TOO_LONG),
        Regexp(r"^[A-Za-z0-9-]+$", message=_l("Only letters, digits and hyphens."))],
        description=_l("The NUTS code where there is one, e.g. DK04 or ITC4."))
    name = StringField(_l("Name"), validators=[InputRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    country = StringField(_l("Country"), validators=[
        InputRequired(message=REQUIRED), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, e.g. DK."))],
        description=_l("Two-letter country code, e.g. DK."))
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class _StrongPassword:
    """The strength rule (``accounts/passwords.py``) as a field validator; the form may carry the
    person's e-mail in ``email_for_rule``."""

    def __call__(self, form, field):
        from wtforms.validators import ValidationError

        from .passwords import password_problem

        problem = password_problem(field.data or "", getattr(form, "email_for_rule", None))
        if problem:
            raise ValidationError(problem)


NEW_PASSWORD_HELP = _l("At least 8 characters; not your e-mail address and not a common password.")


def _new_password_fields():
    new = PasswordField(_l("New password"), validators=[InputRequired(message=REQUIRED), Length(max=200, message=TOO_LONG),
                                                        _StrongPassword()], description=NEW_PASSWORD_HELP,
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        InputRequired(message=REQUIRED), EqualTo("new_password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})
    return new, confirm


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(message=REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"))


class PasswordForgotForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=[InputRequired(message=REQUIRED), Email(message=EMAIL)])
    submit = SubmitField(_l("Send me a link"))


class PasswordResetForm(FlaskForm):
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set password"))


# --- invitations (accounts/invitations.py) ---------------------------------------------------------


class _InviteChoices(FlaskForm):
    """Region, roles and language, chosen for one person or for a whole pasted list."""

    region_id = SelectField(_l("Region"), coerce=int, description=_l("The partner region they work for."))
    roles = CheckboxesField(_l("Roles"), choices=[SelectChoice(r.value, r.label) for r in Role])
    language = SelectField(_l("Language of the invitation"), choices=[SelectChoice("", _l("the region's language"))]
                           + LANGUAGE_CHOICES, default="")


class InviteOneForm(_InviteChoices):
    name = StringField(_l("Name"), validators=[InputRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[InputRequired(message=REQUIRED), Email(message=EMAIL),
                                                                   Length(max=254, message=TOO_LONG)])
    submit = SubmitField(_l("Send the invitation"))


class InviteListForm(_InviteChoices):
    people = TextAreaField(_l("People"), validators=[InputRequired(message=REQUIRED)],
                           description=_l("One person a line, as in the example: the name, then the e-mail address after a comma or "
                                          "in angle brackets."),
                           render_kw={"rows": 8})
    submit = SubmitField(_l("Invite the list"))


class InviteCsvForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=REQUIRED)],
                     description=_l("Columns name,email,region,roles (roles separated by “;”), and language if you "
                                    "like; the first line names them."),
                     render_kw={"accept": ".csv,text/csv"})
    submit = SubmitField(_l("Invite the file"))


class InvitationAcceptForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set password and log in"))
