"""Log in and log out (docs/security.md: log-ins, throttling); change and reset a password (docs/mail.md)."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..columns import utcnow
from ..extensions import db, limiter, login_manager
from ..models import User
from . import passwords
from .forms import LoginForm, PasswordChangeForm, PasswordForgotForm, PasswordResetForm
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
    """The same answer whether or not the address has an account."""
    form = PasswordForgotForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data)
        db.session.commit()
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
