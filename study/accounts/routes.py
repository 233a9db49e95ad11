"""Registration with a confirmed address, log-in, log-out, password reset and change."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..db import get_session
from ..errors import UserError
from ..extensions import limiter
from ..mail import after_response, send_template, send_template_after_response
from ..models import utcnow
from ..security import clear_session
from ..urls import external_url, safe_next
from ..views import render_form, show_user_error
from . import bp, services
from .forms import (
    ChangePasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from .models import TokenPurpose


def limit_setting(name: str):
    """Return a callable that reads a rate limit from the config when a request comes."""
    return lambda: current_app.config[name]


def submitted_address() -> str:
    """Key a rate limit on the address in the form, in its one normalised spelling."""
    return "address:" + services.address_key(request.form.get("email", ""))


#: One budget per mailbox for every form that mails an address someone typed (register,
#: forgot password, invite): shared, so that three forms do not give three budgets.
address_mail_limit = limiter.shared_limit(
    limit_setting("ADDRESS_MAIL_RATE_LIMIT"),
    scope="address-mail",
    key_func=submitted_address,
    methods=["POST"],
)


def start_session(user) -> None:
    """Log a user in on a fresh session (no fixation), keeping only the language choice."""
    clear_session()
    login_user(user)
    session["started_at"] = session["seen_at"] = utcnow().isoformat()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(limit_setting("REGISTER_RATE_LIMIT"), methods=["POST"])
@address_mail_limit
def register():
    """Let a student create an account, usable once the address is confirmed by link."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            registration = services.register(
                db, email=form.email.data, name=form.name.data, password=form.password.data
            )
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        except IntegrityError:
            # A registration of the same new address at the same moment won the race: the
            # answer is the one any taken address gets.
            db.rollback()
            return _registration_answer(form.email.data)
        else:
            db.commit()
            user = registration.user
            if registration.token:
                _mail_confirmation(user, registration.token)
            else:
                send_template_after_response(
                    user.email,
                    "account_exists",
                    name=user.name,
                    login_link=external_url("accounts.login"),
                    reset_link=external_url("accounts.forgot_password"),
                )
            return _registration_answer(user.email)
    return render_form("accounts/register.html", form)


def _registration_answer(email: str):
    """Answer a registration the same way whether or not the address had an account."""
    flash(
        _(
            "We have sent a message to %(email)s. Open the link in it to confirm the "
            "address; then you can log in.",
            email=services.address_key(email),
        ),
        "info",
    )
    return redirect(url_for("accounts.login"))


def _mail_confirmation(user, token: str) -> None:
    """Send the link that confirms an account's address."""
    send_template_after_response(
        user.email,
        "confirm_email",
        hours=current_app.config["CONFIRMATION_HOURS"],
        link=external_url("accounts.confirm_email", token=token),
    )


@bp.route("/account/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(limit_setting("LOGIN_RATE_LIMIT"), methods=["POST"])
def confirm_email(token: str):
    """Confirm the address of a new account with the password chosen at registration."""
    db = get_session()
    if services.link_user(db, token, TokenPurpose.CONFIRM_EMAIL) is None:
        return render_template("accounts/confirm_invalid.html"), 404
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_email(db, token, form.password.data)
        except UserError as error:
            db.commit()  # the failed attempt stays in the audit log
            show_user_error(form, error)
        else:
            db.commit()
            start_session(user)
            flash(_("Your e-mail address is confirmed. Welcome!"), "success")
            return redirect(url_for("studies.index"))
    return render_form("accounts/confirm_email.html", form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit_setting("LOGIN_RATE_LIMIT"), methods=["POST"])
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = services.authenticate(db, form.email.data, form.password.data)
        except services.NotConfirmedError as pending:
            token = services.renew_confirmation(db, pending.user)
            if token is not None:
                _mail_confirmation(pending.user, token)
            db.commit()
            form.form_errors.append(pending.message)
        except UserError as error:
            db.commit()  # the failed attempt stays in the audit log
            form.form_errors.append(error.message)
        else:
            db.commit()
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
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
@limiter.limit(limit_setting("RESET_RATE_LIMIT"), methods=["POST"])
@address_mail_limit
def forgot_password():
    """Send a single-use reset link to an account's address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Finding the account and making its link happen after the answer, which is
        # therefore the same, and as fast, whether or not the address has an account.
        after_response(_mail_reset_link, form.email.data)
        flash(
            _("If the address belongs to an account, a link to set a new password is on its way."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_form("accounts/forgot_password.html", form)


def _mail_reset_link(address: str) -> None:
    """Mail a reset link if the address belongs to an active account (runs on the mail thread)."""
    db = get_session()
    started = services.start_password_reset(db, address)
    db.commit()
    if started is not None:
        user, token = started
        send_template(
            user.email,
            "reset_password",
            name=user.name,
            hours=current_app.config["PASSWORD_RESET_HOURS"],
            link=external_url("accounts.reset_password", token=token),
        )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(limit_setting("RESET_RATE_LIMIT"), methods=["POST"])
def reset_password(token: str):
    """Choose a new password through a reset link."""
    db = get_session()
    if services.link_user(db, token, TokenPurpose.RESET_PASSWORD) is None:
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
