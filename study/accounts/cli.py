"""`flask --app app users …`: account administration from the command line."""

from __future__ import annotations

import unicodedata

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..db import session_scope
from ..errors import UserError
from . import services
from .models import Role

#: The command line speaks English, as its help and click's own messages do. Naming the
#: language also keeps the translations from asking for the visitor's choice, which lives
#: in a request's session that a command does not have.
LOCALE = "en"
#: The longest name an account may have (the column's length, as in the forms).
MAX_NAME_LENGTH = 200


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """Manage accounts."""


@users_group.command("create")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--name", required=True, help="The person's name.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.SUPERVISOR.value,
    show_default=True,
)
@click.option(
    "--password",
    help="The password (asked for when not given; given here it stays in the shell's history).",
)
def create_command(email: str, name: str, role: str, password: str | None) -> None:
    """Create an account, usually a supervisor's or an administrator's, its address confirmed."""
    with force_locale(LOCALE):
        try:
            # What can be checked before the password is asked for, is.
            email = services.normalize_email(email)
            name = _checked_name(name)
            if password is None:
                password = _ask_password()
            _refuse_unreadable(password)
            with session_scope() as session:
                user = services.create_user(
                    session,
                    email=email,
                    name=name,
                    password=password,
                    role=Role(role),
                    confirmed=True,
                )
        except UserError as error:
            # One line, "Error: …", and exit status 1; never a traceback.
            raise click.ClickException(str(error.message)) from None
    click.echo(f"Created {user.role} account {user.email}.")


def _ask_password() -> str:
    """Ask for the password twice without showing it.

    :raises UserError: when the two differ: one line of error, not click's asking again.
    """
    password = click.prompt(str(_l("Password")), hide_input=True, default="", show_default=False)
    repeated = click.prompt(
        str(_l("Repeat the password")), hide_input=True, default="", show_default=False
    )
    if password != repeated:
        raise UserError(_l("The passwords do not match."), field="confirm")
    return password


def _checked_name(name: str) -> str:
    """Return the name if an account may have it, as the forms would accept it.

    :raises UserError: when it is empty, too long or holds control characters.
    """
    name = name.strip()
    if not name:
        raise UserError(_l("Enter the name."), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(_l("The name is too long."), field="name")
    _refuse_unreadable(name)
    # PostgreSQL cannot store NUL, and no name holds a line break or an escape sequence.
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise UserError(_l("The text contains characters that are not allowed."), field="name")
    return name


def _refuse_unreadable(text: str) -> None:
    """Refuse text the terminal passed as bytes that were not UTF-8.

    Python keeps such bytes as lone surrogates, which cannot be hashed or stored.

    :raises UserError: when the text holds one, or a replacement character.
    """
    if "\ufffd" in text or any(unicodedata.category(char) == "Cs" for char in text):
        raise UserError(_l("The text contains characters that are not allowed."))


@users_group.command("list")
def list_command() -> None:
    """List the accounts with their role and whether they are active."""
    from sqlmodel import select

    from .models import User

    with session_scope() as session:
        for user in session.exec(select(User).order_by(User.id)):
            state = "active" if user.is_active else "inactive"
            click.echo(f"{user.id}\t{user.role}\t{state}\t{user.email}\t{user.name}")
