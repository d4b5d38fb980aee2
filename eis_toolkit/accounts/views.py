"""Log in and log out (docs/security.md: log-ins, throttling)."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..columns import utcnow
from ..extensions import db, limiter, login_manager
from ..models import User
from .forms import LoginForm
from .services import authenticate, normalise_email
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
