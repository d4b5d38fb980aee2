"""Home page, dashboard, the language switch and error pages."""
from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from ..accounts.services import set_language
from ..accounts.views import safe_next
from ..assessments.queries import summaries
from ..extensions import db
from ..i18n import remember, supported_language
from ..models import Role
from . import queries

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    user = current_user
    return render_template(
        "main/dashboard.html",
        summaries=summaries(queries.region_assessments(user)) if user.has_role(Role.REGION) else [],
        assignments=queries.review_assignments(user) if user.has_role(Role.REVIEWER) else [],
        workshops=queries.hosted_workshops(user) if user.has_role(Role.HOST) or user.has_role(Role.ADMIN) else [],
    )


@bp.route("/language", methods=["GET", "POST"])
def language():
    """The header's language switch, back to the page it was pressed on. Logged in, a POST (with its
    CSRF token) remembered in the session and saved as the person's language; a visitor's is a GET,
    whose ``?lang=`` the session remembers as on any page (``i18n``), so that a visitor's pages
    hold no token and start no session (docs/languages.md). A GET writes nothing to the database."""
    if request.method == "GET":
        if supported_language(request.args.get("lang")) is None:
            abort(400)
        return redirect(safe_next(request.args.get("next")))
    chosen = supported_language(request.form.get("lang"))
    if not FlaskForm().validate_on_submit() or chosen is None:
        abort(400)
    remember(chosen)
    if current_user.is_authenticated and current_user.language != chosen:
        set_language(current_user, chosen)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.app_errorhandler(403)
def forbidden(error):
    return render_template("errors/error.html", code=403, title=_("Not allowed"),
                           message=_("You do not have permission to see this page.")), 403


@bp.app_errorhandler(404)
def not_found(error):
    return render_template("errors/error.html", code=404, title=_("Not found"),
                           message=_("There is nothing at this address.")), 404


@bp.app_errorhandler(429)
def too_many_requests(error):
    return render_template("errors/error.html", code=429, title=_("Too many attempts"),
                           message=_("Too many log-in attempts from here or for this account. Wait a few "
                                     "minutes, then try again.")), 429


@bp.app_errorhandler(400)
def bad_request(error):
    message = (_("The form had expired or came from another page. Go back, reload the page and try again.")
               if isinstance(error, CSRFError) else _("The request was not understood."))
    return render_template("errors/error.html", code=400, title=_("Bad request"), message=message), 400
