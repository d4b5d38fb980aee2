"""People, regions and programmes, for admins."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..access import ensure
from ..accounts.forms import PersonForm, RegionForm
from ..accounts.services import AccountError, create_user, save_region, update_user
from ..extensions import db
from ..models import Programme, Region, User
from ..permissions import can_manage_people
from . import programmes as services
from .forms import ConfirmForm, PartnerForm, ProgrammeForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 25


@bp.before_request
def only_admins():
    ensure(can_manage_people(current_user))


def _region_choices() -> list[SelectChoice]:
    regions = db.session.scalars(select(Region).order_by(Region.code))
    return [SelectChoice(0, _("— none —"))] + [SelectChoice(r.id, f"{r.code} – {r.name}") for r in regions]


def _show(error: AccountError, form) -> None:
    """A refused change: its message on the field it is about, else at the top of the page."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "error")


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
            _show(error, form)
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


@bp.get("/programmes")
def programmes():
    page = db.paginate(select(Programme).order_by(Programme.title, Programme.id), per_page=PER_PAGE, error_out=False)
    counts = services.counts([p.id for p in page.items]) if page.items else {}
    return render_template("admin/programmes.html", page=page, counts=counts)


@bp.route("/programmes/new", methods=["GET", "POST"], endpoint="programme_new")
@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"], endpoint="programme_edit")
def programme_form(programme_id: int | None = None):
    programme = db.get_or_404(Programme, programme_id) if programme_id else None
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        try:
            saved = services.save_programme(
                programme, slug=form.slug.data, title=form.title.data, description=form.description.data or "",
                starts=form.starts.data, ends=form.ends.data, user=current_user)
            db.session.commit()
        except AccountError as error:
            db.session.rollback()
            _show(error, form)
        except IntegrityError:  # another admin took the slug since it was checked
            db.session.rollback()
            _show(services.slug_taken(form.slug.data), form)
        else:
            flash(_("Saved %(name)s.", name=saved.title), "success")
            return redirect(url_for("admin.programme_edit", programme_id=saved.id))
    partner_form = _partner_form(programme) if programme is not None else None
    return render_template("admin/programme_form.html", form=form, programme=programme, partner_form=partner_form)


def _partner_form(programme: Programme) -> PartnerForm:
    """The form that adds a partner region, offering the regions that are not partners yet."""
    form = PartnerForm()
    form.region_id.choices = [SelectChoice(r.id, f"{r.code} – {r.name}") for r in db.session.scalars(
        select(Region).where(Region.id.not_in([r.id for r in programme.regions])).order_by(Region.code))]
    return form


@bp.post("/programmes/<int:programme_id>/partners")
def programme_partner_add(programme_id: int):
    programme = db.get_or_404(Programme, programme_id)
    form = _partner_form(programme)
    region = db.session.get(Region, form.region_id.data) if form.validate_on_submit() and form.region_id.data else None
    if region is None:
        flash(_("Choose a region to add."), "error")
        return redirect(url_for("admin.programme_edit", programme_id=programme.id)), 303
    try:
        services.add_partner(programme, region, current_user)
        db.session.commit()
    except IntegrityError:  # another admin added it at the same moment: it is a partner all the same
        db.session.rollback()
    flash(_("%(region)s is now a partner of %(title)s.", region=region, title=programme.title), "success")
    return redirect(url_for("admin.programme_edit", programme_id=programme.id) + "#partners"), 303


@bp.route("/programmes/<int:programme_id>/partners/<int:region_id>/remove", methods=["GET", "POST"])
def programme_partner_remove(programme_id: int, region_id: int):
    programme = db.get_or_404(Programme, programme_id)
    region = db.get_or_404(Region, region_id)
    if region not in programme.regions:
        return redirect(url_for("admin.programme_edit", programme_id=programme.id))
    form = ConfirmForm()
    dependants = services.partner_dependants(programme, region)
    status = 200
    if form.validate_on_submit() and (form.confirmed.data or not dependants.any):
        try:
            services.remove_partner(programme, region, current_user)
        except AccountError:  # the page says why
            db.session.rollback()
            status = 409
        else:
            db.session.commit()
            flash(_("%(region)s is no longer a partner of %(title)s.", region=region, title=programme.title),
                  "success")
            return redirect(url_for("admin.programme_edit", programme_id=programme.id) + "#partners"), 303
    return render_template("admin/partner_remove.html", programme=programme, region=region,
                           dependants=dependants, refused=dependants.blocking, form=form), status


@bp.route("/programmes/<int:programme_id>/delete", methods=["GET", "POST"])
def programme_delete(programme_id: int):
    programme = db.get_or_404(Programme, programme_id)
    form = ConfirmForm()
    workshops = services.workshop_count(programme)
    status = 200
    if form.validate_on_submit():
        title = programme.title
        try:
            services.delete_programme(programme, current_user)
        except AccountError:  # the page says why
            db.session.rollback()
            status = 409
        else:
            db.session.commit()
            flash(_("Deleted %(title)s.", title=title), "success")
            return redirect(url_for("admin.programmes")), 303
    return render_template("admin/programme_delete.html", programme=programme, workshops=workshops,
                           refused=bool(workshops), form=form), status
