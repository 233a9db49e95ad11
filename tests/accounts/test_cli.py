"""`flask users create`: a refusal is one line of error, never a traceback."""

from __future__ import annotations

import pytest
from sqlmodel import select

from study.accounts.models import Role, User

PROMPTS = ("Password:", "Repeat the password:")


def create(
    runner, *args: str, email: str = "ny@example.org", name: str = "Ny Handledare", input=None
):
    return runner.invoke(
        args=["users", "create", "--email", email, "--name", name, *args], input=input
    )


def refusal(result) -> str:
    """Return the one line the command printed besides its prompts."""
    assert "Traceback" not in result.output
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip() not in PROMPTS]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


def accounts(session) -> list[User]:
    session.expire_all()
    return list(session.exec(select(User)))


GOOD = "correct horse battery"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        pytest.param(
            ["--password", "kort"],
            {},
            "The password must be at least 10 characters long.",
            id="too-short",
        ),
        pytest.param(["--password", "x" * 257], {}, "The password is too long.", id="too-long"),
        pytest.param(["--password", "Lösenord123"], {}, "This password is too common", id="common"),
        pytest.param(
            ["--password", "demo-handledare-1"], {}, "This password is too common", id="demo"
        ),
        pytest.param(
            ["--password", "ny handledare 2024"],
            {},
            "The password must not contain your name or e-mail address.",
            id="personal",
        ),
        pytest.param(
            [],
            {"input": "kort\nkort\n"},
            "The password must be at least 10 characters long.",
            id="prompted-too-short",
        ),
        pytest.param(
            [],
            {"input": "\n\n"},
            "The password must be at least 10 characters long.",
            id="prompted-empty",
        ),
        pytest.param(
            [],
            {"input": f"{GOOD}\n{GOOD}x\n"},
            "The passwords do not match.",
            id="prompted-mismatch",
        ),
        pytest.param(
            ["--password", GOOD],
            {"email": "inte-en-adress"},
            "Enter a valid e-mail address.",
            id="invalid-address",
        ),
        pytest.param(
            [], {"email": "a\x00b@example.org"}, "Enter a valid e-mail address.", id="nul-address"
        ),
        pytest.param(["--password", GOOD], {"name": "  "}, "Enter the name.", id="no-name"),
        pytest.param(
            ["--password", GOOD], {"name": "x" * 201}, "The name is too long.", id="long-name"
        ),
        pytest.param(
            ["--password", GOOD],
            {"name": "Ny\x1b[2J"},
            "The text contains characters that are not allowed.",
            id="control-name",
        ),
        pytest.param(
            # What Python makes of bytes that are not UTF-8 on the command line.
            ["--password", "correct horse b\udcf6ttery"],
            {},
            "The text contains characters that are not allowed.",
            id="undecodable-password",
        ),
    ],
)
def test_a_refused_account_is_one_line_of_error(runner, session, args, kwargs, message):
    result = create(runner, *args, **kwargs)
    assert refusal(result).startswith(f"Error: {message}")
    assert accounts(session) == []


def test_a_taken_address_is_one_line_of_error(runner, session, make_user):
    make_user(email="taken@example.org")
    result = create(runner, "--password", GOOD, email="Taken@Example.org")
    assert refusal(result) == "Error: There is already an account with this e-mail address."
    assert len(accounts(session)) == 1


def test_the_address_and_name_are_checked_before_the_password_is_asked_for(runner):
    result = create(runner, email="inte-en-adress", input=f"{GOOD}\n" * 2)
    assert result.output == "Error: Enter a valid e-mail address.\n"


def test_an_account_is_created_with_a_confirmed_address(runner, session):
    result = create(runner, input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Created supervisor account ny@example.org."
    (user,) = accounts(session)
    assert user.role == Role.SUPERVISOR and user.is_confirmed and user.name == "Ny Handledare"


def test_an_administrator_is_created_with_the_password_given(runner, session):
    result = create(runner, "--role", "admin", "--password", GOOD)
    assert result.output == "Created admin account ny@example.org.\n"
    assert [user.role for user in accounts(session)] == [Role.ADMIN]
