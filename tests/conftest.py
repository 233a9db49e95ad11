"""Fixtures: a database per test run, the app, clients, and factories for people and studies."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, SQLModel

from study import create_app, db
from study.accounts import services as accounts
from study.accounts.models import Role, User
from study.models import import_all_models
from study.studies import services as studies
from study.studies.models import MemberRole, Study

PASSWORD = "correct horse battery"
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
#: The audit key every app of a test shares (a test's second app has its own instance/).
TEST_AUDIT_KEY = "dGVzdC1hdWRpdC1rZXktdGhpcnR5LXR3by1ieXRlcyE="


def require(condition: bool, reason: str) -> None:
    """Skip a test whose outside component is missing, but fail in CI where it must exist."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def shared_audit_key(monkeypatch):
    """Give every app a test makes one audit key (each has its own instance/ folder).

    Tests of the key file itself remove the variable.
    """
    monkeypatch.setenv("INTERVJUSTUDIE_AUDIT_KEY", TEST_AUDIT_KEY)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """Create a fresh database for this test run (SQLite, or PostgreSQL from DATABASE_URL)."""
    configured = os.environ.get("DATABASE_URL")
    if not configured or configured.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        db.upgrade(url)
        yield url
        return
    name = f"intervjustudie_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(configured, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(configured).set(database=name).render_as_string(hide_password=False)
    try:
        db.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Return the test configuration; a test may change it before asking for `app`."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": CHEAP_ARGON2,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "RESET_RATE_LIMIT": "1000 per minute",
        "REGISTER_RATE_LIMIT": "1000 per minute",
        "INVITE_RATE_LIMIT": "1000 per minute",
        "ADDRESS_MAIL_RATE_LIMIT": "1000 per minute",
        "RESPONDENT_LINK_RATE_LIMIT": "1000 per minute",
        "RECEIPT_MAIL_RATE_LIMIT": "1000 per minute",
        # Tests make many studies for one student; the limits have tests of their own.
        "INVITATIONS_PER_STUDY_PER_DAY": 1000,
        "SERVER_NAME": "localhost",
        # Invited supervisors at this domain may create their accounts through the link.
        "SUPERVISOR_EMAIL_DOMAINS": "example.org",
    }


class ClosingClient(FlaskClient):
    """A test client that waits, after each response, for the mail the request left behind.

    Mail to visitors (registration, reset) goes out on the app's mail thread after the
    response; a test reads the outbox as soon as the request returns.
    """

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        self.application.extensions["mail_queue"].wait()
        return response


def make_app(config: dict):
    """Create an app whose test clients close their responses."""
    application = create_app(config)
    application.test_client_class = ClosingClient
    return application


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    """Create the app on the test database; every row is removed afterwards."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    application = make_app(app_config)
    yield application
    engine = application.extensions["db_engine"]
    import_all_models()
    with Session(engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.execute(table.delete())
        session.commit()
    engine.dispose()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A database session for arranging and inspecting state directly.

    No app context stays pushed: requests would share it, and with it `g` and the user.
    """
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s:
        yield s


@pytest.fixture
def make_user(app, session) -> Callable[..., User]:
    """Create an account; the password is always PASSWORD."""
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.STUDENT, email: str | None = None, name: str | None = None) -> User:
        n = next(counter)
        with app.test_request_context():
            user = accounts.create_user(
                session,
                email=email or f"{role.value}{n}@example.org",
                name=name or f"{role.value.title()} {n}",
                password=PASSWORD,
                role=role,
                confirmed=True,
            )
            session.commit()
        return user

    return make


@pytest.fixture
def make_study(app, session) -> Callable[..., Study]:
    """Create a study owned by a student, optionally with a supervisor already joined."""

    def make(
        owner: User, supervisor: User | None = None, title: str = "Relationell välfärd"
    ) -> Study:
        with app.test_request_context():
            study = studies.create_study(
                session, owner, {"title": title, "purpose": "Att undersöka."}
            )
            if supervisor is not None:
                invitation, _token = studies.invite_member(
                    session, study, owner, supervisor.email, MemberRole.SUPERVISOR
                )
                studies.accept_invitation(session, invitation, supervisor)
            session.commit()
        return study

    return make


@dataclass
class Auth:
    """Log a test client in and out as a given account."""

    client: object

    def login(self, user: User | str, password: str = PASSWORD):
        """Log in through the real log-in form."""
        email = user if isinstance(user, str) else user.email
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        """Log out through the real button."""
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> Auth:
    """Log-in helper bound to the test client."""
    return Auth(client)


class Inbox:
    """An SMTP handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; yields its controller and inbox."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


def quiet_answers(**given) -> dict:
    """Return a complete self-review: the given answers, and "no" or the first option elsewhere.

    `given` maps question keys to values (with an explanation where one is asked for).
    """
    from study.ethics import questions

    answers = {k: {"value": v, "explanation": "Förklaring."} for k, v in given.items()}
    while missing := questions.missing(answers):
        question = missing[0]
        if question.key in answers:
            answers[question.key]["explanation"] = "Förklaring."
            continue
        values = [o.value for o in question.options]
        if question.kind is questions.Kind.DATE:
            value = "2027-06-30"
        elif question.kind is questions.Kind.MULTI:
            value = values[:1]
        elif "no" in values:
            value = "no"
        elif values:
            value = question.default or values[0]
        else:
            value = "Svar."
        answers[question.key] = {"value": value, "explanation": "Förklaring."}
    return answers


def answer_self_review(app, session, study, actor, **given) -> None:
    """Store a complete self-review for a study through the service."""
    from study.ethics import services as ethics

    changes = {k: (a["value"], a["explanation"]) for k, a in quiet_answers(**given).items()}
    with app.test_request_context():
        ethics.save_answers(session, study, actor, changes)
        session.commit()


def open_recruitment(app, session, study, student, supervisor, codes=("sv", "en")) -> None:
    """Write the letter and consent form in `codes` and have every step recruitment needs approved."""
    from study.letters import consent_form
    from study.letters import services as letters
    from study.review import services as review
    from study.review.models import Outcome

    with app.test_request_context():
        letters.create(session, study, student, list(codes))
        consent_form.create(session, study, student)
        for step in ("ethics", "letter", "consent_form"):
            review.submit(session, study, student, step)
            review.decide(session, study, supervisor, step, outcome=Outcome.APPROVED)
        session.commit()
        assert review.may_recruit(session, study)


@pytest.fixture
def recruiting(app, session, make_user, make_study):
    """A study whose self-review, letter (sv, en) and consent form are approved: it may recruit."""
    student = make_user(Role.STUDENT)
    supervisor = make_user(Role.SUPERVISOR)
    study = make_study(student, supervisor)
    study.controller, study.data_protection_officer = "Exempeluniversitetet", "dso@example.org"
    session.add(study)
    session.commit()
    answer_self_review(app, session, study, student)
    open_recruitment(app, session, study, student, supervisor)
    return Recruiting(study, student, supervisor)


@dataclass
class Recruiting:
    """A study that may recruit, with its student and supervisor."""

    study: Study
    student: User
    supervisor: User
