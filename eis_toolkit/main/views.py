"""Home page, dashboard and error pages."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..assessments.queries import summaries
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


@bp.app_errorhandler(403)
def forbidden(error):
    return render_template("errors/error.html", code=403, title="Not allowed",
                           message="You do not have permission to see this page."), 403


@bp.app_errorhandler(404)
def not_found(error):
    return render_template("errors/error.html", code=404, title="Not found",
                           message="There is nothing at this address."), 404


@bp.app_errorhandler(400)
def bad_request(error):
    return render_template("errors/error.html", code=400, title="Bad request",
                           message=getattr(error, "description", "The request was not understood.")), 400
