"""A person's notification preferences; the outbox, for admins."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import ensure
from ..extensions import db
from ..i18n import LANGUAGE_NAMES
from ..permissions import can_read_outbox
from .models import OutboxMessage
from .notify import KINDS, set_wanted_kinds, wanted_kinds

bp = Blueprint("mail", __name__)

PER_PAGE = 25


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    if request.method == "POST":
        set_wanted_kinds(current_user, request.form.getlist("kind"))
        db.session.commit()
        flash(_("Your choice of e-mails is saved."), "success")
        return redirect(url_for("mail.preferences"))
    return render_template("mail/preferences.html", kinds=KINDS, wanted=wanted_kinds(current_user),
                           language=LANGUAGE_NAMES.get(current_user.language, current_user.language))


@bp.get("/admin/outbox")
@login_required
def outbox():
    ensure(can_read_outbox(current_user))
    state = request.args.get("state", "")
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state == "queued":
        statement = statement.where(OutboxMessage.sent_at.is_(None))
    page = db.paginate(statement, per_page=PER_PAGE, error_out=False)
    return render_template("mail/outbox.html", page=page, state=state)


@bp.get("/admin/outbox/<int:message_id>")
@login_required
def outbox_message(message_id: int):
    ensure(can_read_outbox(current_user))
    return render_template("mail/outbox_message.html", message=db.get_or_404(OutboxMessage, message_id))
