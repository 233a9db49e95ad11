"""`flask --app app users …`: account administration from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..db import session_scope
from ..errors import UserError
from . import services
from .models import Role


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
@click.password_option(help="The password (asked for when not given).")
def create_command(email: str, name: str, role: str, password: str) -> None:
    """Create an account, typically a supervisor or an administrator."""
    try:
        with session_scope() as session:
            user = services.create_user(
                session, email=email, name=name, password=password, role=Role(role)
            )
            click.echo(f"Created {user.role} account {user.email}.")
    except UserError as error:
        raise click.ClickException(str(error.message)) from None


@users_group.command("list")
def list_command() -> None:
    """List the accounts with their role and whether they are active."""
    from sqlmodel import select

    from .models import User

    with session_scope() as session:
        for user in session.exec(select(User).order_by(User.id)):
            state = "active" if user.is_active else "inactive"
            click.echo(f"{user.id}\t{user.role}\t{state}\t{user.email}\t{user.name}")
