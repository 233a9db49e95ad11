"""The administrator's pages."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select

from ..accounts import services as accounts
from ..accounts.forms import CreateUserForm
from ..accounts.models import Role, User
from ..authz import admin_required
from ..db import get_session
from ..errors import UserError
from ..mail import outbox as dev_outbox
from ..mail import outbox_enabled, send_template
from ..urls import external_url
from ..views import render_form, show_user_error
from . import bp

ROLE_LABELS = {
    Role.STUDENT: _l("Student"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Administrator"),
}


@bp.get("/users")
@admin_required
def users():
    """List every account."""
    accounts_list = get_session().exec(select(User).order_by(User.role, User.name)).all()
    return render_template("admin/users.html", users=accounts_list, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def create_user():
    """Create a supervisor or administrator account and mail them a link to set a password."""
    form = CreateUserForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            # A random password nobody knows; the new user sets their own through the link.
            user = accounts.create_user(
                db,
                email=form.email.data,
                name=form.name.data,
                password=secrets.token_urlsafe(24),
                role=Role(form.role.data),
                actor_id=current_user.id,
                # Setting the password through the mailed link confirms the address.
                confirmed=False,
            )
            _user, token = accounts.start_password_reset(db, user.email)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            sent = send_template(
                user.email,
                "account_created",
                name=user.name,
                hours=current_app.config["PASSWORD_RESET_HOURS"],
                link=external_url("accounts.reset_password", token=token),
            )
            if sent:
                flash(
                    _("The account is created and a link to set the password has been sent."),
                    "success",
                )
            else:
                flash(
                    _(
                        "The account is created, but the e-mail could not be sent. The person can "
                        "ask for a link with “Forgot your password?” once mail works again."
                    ),
                    "error",
                )
            return redirect(url_for("admin.users"))
    return render_form("admin/create_user.html", form)


@bp.post("/users/<int:user_id>/active/<int:active>")
@admin_required
def set_active(user_id: int, active: int):
    """Deactivate or reactivate an account."""
    db = get_session()
    user = db.get(User, user_id)
    if user is None or active not in (0, 1):
        abort(404)
    try:
        accounts.set_active(db, user, bool(active), actor_id=current_user.id)
    except UserError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.users")), 303
    db.commit()
    flash(_("The account is updated."), "success")
    return redirect(url_for("admin.users"))


@bp.get("/outbox")
@admin_required
def outbox():
    """Show the mail kept in development instead of being sent."""
    if not outbox_enabled():
        abort(404)
    return render_template("admin/outbox.html", messages=dev_outbox())
