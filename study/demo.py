"""`flask --app app demo`: a student, a supervisor, an administrator and one study."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session, select

from .accounts import services as accounts
from .accounts.models import Role, User
from .db import session_scope
from .ethics import services as ethics
from .guide.services import save_guide
from .studies import services as studies
from .studies.models import MemberRole

#: The demo log-ins `make run` prints. Development data only.
DEMO_ACCOUNTS = (
    (Role.STUDENT, "student@example.org", "Exempelstudent Ett", "demo-student-1"),
    (Role.SUPERVISOR, "handledare@example.org", "Exempelhandledare", "demo-handledare-1"),
    (Role.ADMIN, "admin@example.org", "Exempeladministratör", "demo-admin-1"),
)


def load_demo_document(name: str) -> dict:
    """Read one of the demo documents shipped in the package."""
    return json.loads(resources.files("study.demo_data").joinpath(name).read_text(encoding="utf-8"))


def create_demo(session: Session) -> User:
    """Create the demo accounts and study; return the demo student."""
    users = {
        role: accounts.create_user(
            session,
            email=email,
            name=name,
            password=password,
            role=role,
            confirmed=True,
            check_password=False,
        )
        for role, email, name, password in DEMO_ACCOUNTS
    }
    student, supervisor = users[Role.STUDENT], users[Role.SUPERVISOR]
    plan = load_demo_document("study_plan.json")
    timeline = plan.get("timeline", {})
    study = studies.create_study(
        session,
        student,
        {
            **plan,
            "research_questions": "\n".join(plan.get("research_questions", [])),
            "planned_interviews": plan.get("planned_interviews"),
            "interviews_from": date.fromisoformat(timeline["interviews_from"]),
            "interviews_to": date.fromisoformat(timeline["interviews_to"]),
            "submission_on": date.fromisoformat(timeline["submission"]),
        },
    )
    invitation, _token = studies.invite_member(
        session, study, student, supervisor.email, MemberRole.SUPERVISOR
    )
    studies.accept_invitation(session, invitation, supervisor)
    answers = load_demo_document("self_review.json")
    ethics.save_answers(
        session,
        study,
        student,
        {key: (a["value"], a.get("explanation", "")) for key, a in answers.items()},
    )
    save_guide(session, study, student, load_demo_document("interview_guide.json"))
    return student


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
def demo_command(if_empty: bool) -> None:
    """Create demo accounts and a demo study, and print the log-ins (debug mode only)."""
    if not (current_app.debug or current_app.testing):
        # The demo passwords are printed here and in the README: never on a real service.
        raise click.ClickException(
            "the demo runs only in debug mode (flask --app app --debug demo): its passwords "
            "are published"
        )
    with session_scope() as session:
        if session.exec(select(User)).first() is not None:
            if not if_empty:
                raise click.ClickException(
                    "The database already has accounts; the demo needs an empty one."
                )
        else:
            create_demo(session)
            click.echo("Demo data created.")
    click.echo("Demo log-ins (development only):")
    for role, email, _name, password in DEMO_ACCOUNTS:
        click.echo(f"  {role.value:<11} {email:<26} {password}")
