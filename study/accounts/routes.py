"""Registration, log-in, log-out, password reset and change."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..db import get_session
from ..errors import UserError
from ..extensions import limiter
from ..mail import send_mail
from ..models import utcnow
from ..security import clear_session
from ..urls import external_url, safe_next
from ..views import render_form, show_user_error
from . import bp, services
from .forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)


def _login_limit() -> str:
    """Return the configured log-in rate limit."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    """Return the configured password-reset rate limit."""
    return current_app.config["RESET_RATE_LIMIT"]


def _submitted_email() -> str:
    """Key a rate limit on the address being tried, so spreading over IPs does not help."""
    return "email:" + request.form.get("email", "")[:254].strip().lower()


def start_session(user) -> None:
    """Log a user in on a fresh session (no fixation), keeping only the language choice."""
    clear_session()
    login_user(user)
    now = utcnow().isoformat()
    session.permanent = True
    session["started_at"] = session["seen_at"] = now


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Let a student create an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = services.create_user(
                db, email=form.email.data, name=form.name.data, password=form.password.data
            )
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            start_session(user)
            flash(_("Welcome! Your account has been created."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("studies.index"))
    return render_form("accounts/register.html", form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email)
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = services.authenticate(db, form.email.data, form.password.data)
        db.commit()
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        form.form_errors.append(_("The e-mail address or the password is not correct."))
    return render_form("accounts/login.html", form)


@bp.post("/logout")
@login_required
def logout():
    """Log out and forget the session."""
    db = get_session()
    services.log_out(db, current_user)
    db.commit()
    logout_user()
    clear_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():
    """Send a single-use reset link to an account's address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        db = get_session()
        started = services.start_password_reset(db, form.email.data)
        db.commit()
        if started is not None:
            user, token = started
            link = external_url("accounts.reset_password", token=token)
            send_mail(
                user.email,
                _("Set a new password for Intervjustudie"),
                _(
                    "Hello %(name)s,\n\nUse this link within %(hours)d hours to choose a new password:\n%(link)s\n\n"
                    "If you did not ask for it, you can ignore this message.",
                    name=user.name,
                    hours=current_app.config["PASSWORD_RESET_HOURS"],
                    link=link,
                ),
            )
        # The same answer whether or not the address has an account.
        flash(
            _("If the address belongs to an account, a link to set a new password is on its way."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_password.html", form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password through a reset link."""
    db = get_session()
    if services.reset_token_user(db, token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(db, token, form.password.data)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            start_session(user)
            flash(_("Your new password is saved."), "success")
            return redirect(url_for("main.index"))
    return render_form("accounts/reset_password.html", form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password of the logged-in account."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            services.change_password(
                db, current_user, form.current_password.data, form.password.data
            )
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            start_session(current_user._get_current_object())
            flash(_("Your new password is saved."), "success")
            return redirect(url_for("main.index"))
    return render_form("accounts/change_password.html", form)
