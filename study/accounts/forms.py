"""Forms for registration, log-in and passwords."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import BaseForm
from .models import Role
from .passwords import MAX_LENGTH, MIN_LENGTH

EMAIL = [
    DataRequired(_l("Enter your e-mail address.")),
    Length(max=254),
    Email(_l("Enter a valid e-mail address."), check_deliverability=False),
]
NEW_PASSWORD = [
    DataRequired(_l("Choose a password.")),
    Length(
        min=MIN_LENGTH,
        max=MAX_LENGTH,
        message=_l("The password must be %(min)d–%(max)d characters long."),
    ),
]


def _matches(field: str):
    """Require the field to repeat another one exactly."""
    return [
        DataRequired(_l("Repeat the password.")),
        EqualTo(field, _l("The passwords do not match.")),
    ]


class RegisterForm(BaseForm):
    """A student creates an account."""

    name = StringField(_l("Name"), [DataRequired(_l("Enter your name.")), Length(max=200)])
    email = EmailField(_l("E-mail"), EMAIL)
    password = PasswordField(_l("Password"), NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat the password"), _matches("password"))


class LoginForm(BaseForm):
    """Log in with e-mail and password."""

    email = EmailField(_l("E-mail"), EMAIL)
    password = PasswordField(
        _l("Password"), [DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)]
    )


class ForgotPasswordForm(BaseForm):
    """Ask for a password-reset link."""

    email = EmailField(_l("E-mail"), EMAIL)


class ResetPasswordForm(BaseForm):
    """Set a new password through a reset link."""

    password = PasswordField(_l("New password"), NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat the password"), _matches("password"))


class ConfirmEmailForm(BaseForm):
    """Confirm a new account's address with the password chosen at registration."""

    password = PasswordField(
        _l("Password"), [DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)]
    )


class ChangePasswordForm(BaseForm):
    """Change the password while logged in."""

    current_password = PasswordField(
        _l("Current password"),
        [DataRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
    )
    password = PasswordField(_l("New password"), NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat the password"), _matches("password"))


class CreateUserForm(BaseForm):
    """The administrator creates a supervisor or administrator account."""

    name = StringField(_l("Name"), [DataRequired(_l("Enter the name.")), Length(max=200)])
    email = EmailField(_l("E-mail"), EMAIL)
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.SUPERVISOR.value, _l("Supervisor")),
            SelectChoice(Role.ADMIN.value, _l("Administrator")),
        ],
        validators=[DataRequired()],
    )
