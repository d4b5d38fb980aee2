"""People and regions, for admins."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..access import ensure
from ..accounts.forms import PersonForm, RegionForm
from ..accounts.services import AccountError, create_user, save_region, update_user
from ..extensions import db
from ..models import Region, User
from ..permissions import can_manage_people

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 25


@bp.before_request
def only_admins():
    ensure(can_manage_people(current_user))


def _region_choices() -> list[SelectChoice]:
    regions = db.session.scalars(select(Region).order_by(Region.code))
    return [SelectChoice(0, _("— none —"))] + [SelectChoice(r.id, f"{r.code} – {r.name}") for r in regions]


@bp.get("/people")
def people():
    query = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.name)
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
    page = db.paginate(stmt.options(selectinload(User.region)), per_page=PER_PAGE, error_out=False)
    return render_template("admin/people.html", page=page, query=query)


@bp.route("/people/new", methods=["GET", "POST"], endpoint="person_new")
@bp.route("/people/<int:user_id>", methods=["GET", "POST"], endpoint="person_edit")
def person_form(user_id: int | None = None):
    person = db.get_or_404(User, user_id) if user_id else None
    form = PersonForm(obj=person)
    form.region_id.choices = _region_choices()
    if request.method == "GET" and person is not None:
        form.region_id.data = person.region_id or 0
        form.roles.data = sorted(r.value for r in person.roles)
    if form.validate_on_submit():
        region = db.session.get(Region, form.region_id.data) if form.region_id.data else None
        try:
            if person is None:
                if not form.password.data:
                    raise AccountError(_("A new person needs a password."))
                person = create_user(form.email.data, form.name.data, form.password.data,
                                     roles=form.roles.data, region=region, language=form.language.data)
                person.active = form.active.data
            else:
                if person.id == current_user.id and "admin" not in form.roles.data:
                    raise AccountError(_("You cannot take the admin role from yourself."))
                update_user(person, email=form.email.data, name=form.name.data, roles=form.roles.data,
                            region=region, language=form.language.data, active=form.active.data,
                            password=form.password.data or "",
                            keep_session=current_user.session_token if person.id == current_user.id else None)
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=person.name), "success")
            return redirect(url_for("admin.people"))
    return render_template("admin/person_form.html", form=form, person=person)


@bp.get("/regions")
def regions():
    rows = db.session.execute(
        select(Region, func.count(User.id))
        .outerjoin(User, User.region_id == Region.id)
        .group_by(Region.id)
        .order_by(Region.code)
    ).all()
    return render_template("admin/regions.html", rows=rows)


@bp.route("/regions/new", methods=["GET", "POST"], endpoint="region_new")
@bp.route("/regions/<int:region_id>", methods=["GET", "POST"], endpoint="region_edit")
def region_form(region_id: int | None = None):
    region = db.get_or_404(Region, region_id) if region_id else None
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        try:
            region = save_region(region, code=form.code.data, name=form.name.data,
                                 country=form.country.data, language=form.language.data)
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Saved %(name)s.", name=region), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=region)
