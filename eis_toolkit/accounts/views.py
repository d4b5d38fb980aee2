"""Log in and log out (docs/security.md: log-ins, throttling); change and reset a password; invite
people and accept an invitation (docs/mail.md)."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..access import ensure
from ..columns import utcnow
from ..extensions import db, limiter, login_manager
from ..mail.outbox import deliver_after_response
from ..models import Region, User
from ..permissions import HOST_INVITABLE_ROLES, can_invite_people, can_invite_to, invitable_region_ids
from . import invitations, passwords
from .forms import (InvitationAcceptForm, InviteCsvForm, InviteListForm, InviteOneForm, LoginForm,
                    PasswordChangeForm, PasswordForgotForm, PasswordResetForm)
from .services import AccountError, authenticate, normalise_email
from .sessions import end_session, load_session, start_session

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return load_session(token)


def _failed(response) -> bool:
    """Only refused log-ins count towards the limits (a success redirects)."""
    return response.status_code != 302


def _account() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def safe_next(target: str | None) -> str:
    """Only a path on this site, never another host."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["EIS_LOGIN_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["EIS_LOGIN_LIMIT_ACCOUNT"], methods=["POST"], deduct_when=_failed,
               key_func=_account)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            days = current_app.config["EIS_SESSION_DAYS"]
            start_session(user, remember=form.remember.data, days=days)
            login_user(user, remember=form.remember.data, duration=timedelta(days=days))
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        flash(_("E-mail address or password is not right, or the account is disabled."), "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    form = PasswordChangeForm()
    form.email_for_rule = current_user.email
    if form.validate_on_submit():
        try:
            passwords.change_password(current_user, form.current_password.data, form.new_password.data,
                                      keep_session=current_user.session_token)
        except AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your password is changed. Your log-ins on other computers have ended."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("accounts/password_change.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["EIS_LOGIN_LIMIT_ADDRESS"], methods=["POST"])
def password_forgot():
    """The same answer whether or not the address has an account, in about the same time: the
    reset e-mail leaves after the answer (``deliver_after_response``)."""
    form = PasswordForgotForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data)
        db.session.commit()
        deliver_after_response()  # no SMTP connection while answering, for a known address either
        return render_template("accounts/password_forgot_sent.html",
                               hours=f"{current_app.config['EIS_PASSWORD_RESET_HOURS']:g}")
    return render_template("accounts/password_forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    user = passwords.user_for_token(token)
    if user is None:
        return render_template("accounts/password_reset_invalid.html"), 400
    form = PasswordResetForm()
    form.email_for_rule = user.email
    if form.validate_on_submit():
        passwords.set_new_password(user, form.new_password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password is set. Log in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset.html", form=form, person=user)


# --- invitations (accounts/invitations.py, docs/mail.md) --------------------------------------------


def _invite_forms():
    """The three forms of the invitation page; a host chooses among their regions and roles only."""
    allowed = invitable_region_ids(current_user)
    statement = select(Region).order_by(Region.code)
    if allowed is not None:
        statement = statement.where(Region.id.in_(allowed))
    regions = [SelectChoice(r.id, f"{r.code} – {r.name}") for r in db.session.scalars(statement)]
    forms = {"one": InviteOneForm(prefix="one"), "list": InviteListForm(prefix="list"),
             "csv": InviteCsvForm(prefix="csv")}
    for form in (forms["one"], forms["list"]):
        form.region_id.choices = ([SelectChoice(0, _("— none —"))] if allowed is None else []) + regions
        if allowed is not None:
            form.roles.choices = [c for c in form.roles.choices if c.value in HOST_INVITABLE_ROLES]
    return forms


@bp.route("/people/invite", methods=["GET", "POST"])
@login_required
def invite():
    """Invite one person, a pasted list or a CSV file; nothing is written unless every line is good."""
    from ..access import ensure
    ensure(can_invite_people(current_user))
    forms = _invite_forms()
    problems, outcome = [], None
    chosen = next((how for how, form in forms.items() if form.submit.data), None)
    if chosen and forms[chosen].validate():
        form = forms[chosen]
        try:
            if chosen == "csv":
                entries = invitations.parse_csv(form.file.data.read())
            else:
                region = db.session.get(Region, form.region_id.data) if form.region_id.data else None
                choices = {"region": region.code if region else "", "roles": tuple(form.roles.data or ()),
                           "language": form.language.data}
                entries = ([invitations.Entry(1, form.name.data, form.email.data, **choices)] if chosen == "one"
                           else invitations.parse_pasted(form.people.data, **choices))
            outcome = invitations.invite(invitations.check(entries, current_user), current_user)
        except invitations.InvitationError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
    status = 422 if problems else 200
    return render_template("accounts/invite.html", forms=forms, problems=problems, outcome=outcome,
                           chosen=chosen), status


@bp.post("/people/<int:user_id>/invite")
@login_required
def reinvite(user_id: int):
    """Send a person who has not accepted yet a new link (the older one stops working)."""

    person = db.get_or_404(User, user_id)
    ensure(can_invite_to(current_user, person.region_id, [r.value for r in person.roles]))
    try:
        invitations.send_invitation(person, current_user)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("A new invitation went to %(email)s; the earlier link no longer works.", email=person.email),
              "success")
    return redirect(request.referrer if safe_next(request.referrer) == request.referrer
                    else url_for("accounts.invite"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """The invited person chooses a password and language, and is logged in."""

    person = invitations.person_for_invitation(token)
    if person is None:
        return render_template("accounts/password_reset_invalid.html"), 400
    form = InvitationAcceptForm(language=person.language)
    form.email_for_rule = person.email
    if form.validate_on_submit():
        invitations.accept(person, form.new_password.data, form.language.data)
        if current_user.is_authenticated:
            logout_user()
        days = current_app.config["EIS_SESSION_DAYS"]
        start_session(person, remember=False, days=days)
        login_user(person, duration=timedelta(days=days))
        person.last_login_at = utcnow()
        db.session.commit()
        flash(_("Welcome, %(name)s: your password is set and you are logged in.", name=person.name), "success")
        return redirect(url_for("main.dashboard"))
    return render_template("accounts/invitation.html", form=form, person=person)
