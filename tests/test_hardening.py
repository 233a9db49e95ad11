"""The findings of the outside probe, each reproduced and now refused."""

from __future__ import annotations

import logging
import re
import stat
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from study.accounts.models import Role
from study.config import ConfigurationError

from .conftest import make_app

SERVICE = "https://intervju.example.se"


@pytest.fixture
def service(app_config, monkeypatch, tmp_path):
    """The app as deployed at SERVICE (outbox still on, as in testing)."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "service"))
    application = make_app({**app_config, "EXTERNAL_URL": SERVICE, "SERVER_NAME": None})
    yield application
    application.extensions["db_engine"].dispose()


def test_a_foreign_host_header_gets_400_and_no_mail(service, make_user):
    victim = make_user()
    client = service.test_client()
    response = client.post(
        "/password/forgot", data={"email": victim.email}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert len(service.extensions["outbox"]) == 0


def test_a_mailed_link_names_the_configured_host_whatever_the_request_said(service, make_user):
    victim = make_user()
    client = service.test_client()
    client.post("/password/forgot", data={"email": victim.email}, base_url=SERVICE)
    body = service.extensions["outbox"][0].body
    assert re.search(rf"{SERVICE}/password/reset/[\w-]{{20,}}", body)
    assert "localhost" not in body


def test_in_development_only_the_loopback_names_are_answered(client):
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "evil.example:5000"}).status_code == 400
    assert client.get("/login", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/login").status_code == 200


def test_outside_debug_the_app_will_not_start_without_its_address(
    app_config, monkeypatch, tmp_path
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "prod"))
    with pytest.raises(ConfigurationError, match="EXTERNAL_URL"):
        make_app({**app_config, "TESTING": False})
    with pytest.raises(ConfigurationError, match="EXTERNAL_URL"):
        make_app({**app_config, "EXTERNAL_URL": "intervju.example.se"})


@pytest.mark.parametrize(
    "path", ["/password/reset/{reset}", "/invitations/{invitation}", "/account/confirm/{confirm}"]
)
def test_pages_that_carry_a_token_are_never_cached(
    app, client, session, make_user, make_study, path
):
    from study.accounts import links
    from study.accounts.models import TokenPurpose
    from study.studies import services as studies
    from study.studies.models import MemberRole

    owner = make_user()
    study = make_study(owner)
    with app.test_request_context():
        tokens = {
            "reset": links.issue(session, owner, TokenPurpose.RESET_PASSWORD),
            "confirm": links.issue(session, owner, TokenPurpose.CONFIRM_EMAIL),
            "invitation": studies.invite_member(
                session, study, owner, "ny@example.org", MemberRole.AUTHOR
            )[1],
        }
        session.commit()
    response = client.get(path.format(**tokens))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_tokens_are_masked_in_the_access_log(app, session, make_user, caplog):
    from study.accounts.services import start_password_reset

    user = make_user()
    with app.test_request_context():
        _user, token = start_password_reset(session, user.email)
        session.commit()
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            url = f"http://127.0.0.1:{server.server_port}/password/reset/{token}"
            with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback)
                assert response.status == 200
    finally:
        server.shutdown()
        thread.join()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/password/reset/" in logged
    assert token not in logged and token[:12] not in logged


def test_the_database_files_are_private(app_config, monkeypatch, tmp_path):
    folder = tmp_path / "private"
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    database = folder / "db.sqlite"
    application = make_app({**app_config, "DATABASE_URL": f"sqlite:///{database}"})
    from study import db

    db.upgrade(f"sqlite:///{database}")
    with application.extensions["db_engine"].connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    files = [p for p in folder.iterdir() if p.name.startswith("db.sqlite")]
    assert {p.name for p in files} >= {"db.sqlite"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    application.extensions["db_engine"].dispose()


def test_an_existing_database_file_is_made_private(app_config, monkeypatch, tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    database = folder / "db.sqlite"
    database.touch(mode=0o644)
    Path(f"{database}-wal").touch(mode=0o644)
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    application = make_app({**app_config, "DATABASE_URL": f"sqlite:///{database}"})
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(f"{database}-wal").stat().st_mode) == 0o600
    application.extensions["db_engine"].dispose()


def test_a_session_cookie_taken_to_another_browser_is_not_logged_in(app, client, auth, make_user):
    auth.login(make_user())
    assert client.get("/studies").status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    response = thief.get("/studies", headers={"User-Agent": "Another browser/1.0"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_session_cookie_ends_with_the_browser(client, auth, make_user):
    response = auth.login(make_user())
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie")
    assert "Expires=" not in cookie and "Max-Age" not in cookie


def test_the_demo_does_not_run_in_production(app_config, monkeypatch, tmp_path, session):
    from sqlmodel import select

    from study.accounts.models import User

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "prod"))
    production = make_app({**app_config, "TESTING": False, "EXTERNAL_URL": "https://localhost"})
    result = production.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "debug" in result.output and "Traceback" not in result.output
    assert session.exec(select(User)).first() is None
    production.extensions["db_engine"].dispose()


def test_demo_passwords_open_nothing_in_production(app_config, monkeypatch, tmp_path, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "prod"))
    production = make_app({**app_config, "TESTING": False, "EXTERNAL_URL": "https://localhost"})
    client = production.test_client()
    response = client.post(
        "/login",
        data={"email": "admin@example.org", "password": "demo-admin-1"},
        base_url="https://localhost",
    )
    assert response.status_code == 400
    assert client.get("/admin/users", base_url="https://localhost").status_code == 302
    production.extensions["db_engine"].dispose()


def test_a_study_title_reaches_the_invited_only_as_quoted_text(app, client, auth, make_user):
    owner = make_user()
    auth.login(owner)
    client.post(
        "/studies/new",
        data={"title": "URGENT: log in at http://phish.example/login now", "purpose": "x"},
    )
    study_id = re.search(r"/studies/(\d+)", client.get("/studies").get_data(as_text=True))
    client.post(
        f"/studies/{study_id.group(1)}/members",
        data={"email": "stranger@example.org", "role": "author"},
    )
    message = app.extensions["outbox"][0]
    assert "http://phish.example" not in message.body + message.subject
    assert "phish.example" not in message.body + message.subject
    assert "“URGENT: log in at http[:]//phish[.]example/login now”" in message.body


def test_a_study_sends_a_limited_number_of_invitations_a_day(app, client, auth, make_user):
    app.config["INVITATIONS_PER_STUDY_PER_DAY"] = 3
    auth.login(make_user())
    client.post("/studies/new", data={"title": "T", "purpose": "x"})
    study_id = re.search(r"/studies/(\d+)", client.get("/studies").get_data(as_text=True))
    url = f"/studies/{study_id.group(1)}/members"
    codes = [
        client.post(url, data={"email": f"p{n}@example.org", "role": "author"}).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 400]
    assert len(app.extensions["outbox"]) == 3


def test_reset_mail_to_one_address_is_limited_whatever_the_ip(app, make_user):
    app.config["ADDRESS_MAIL_RATE_LIMIT"] = "3 per hour"
    user = make_user(role=Role.STUDENT)
    codes = [
        app.test_client()
        .post(
            "/password/forgot",
            data={"email": user.email.upper()},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"},
        )
        .status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert len(app.extensions["outbox"]) == 3


def test_new_studies_do_not_multiply_a_persons_invitations(app, session, make_user, make_study):
    from study.errors import UserError
    from study.studies import services as studies
    from study.studies.models import MemberRole

    app.config["INVITATIONS_PER_STUDY_PER_DAY"] = 2
    owner = make_user()
    sent = 0
    with app.test_request_context():
        with pytest.raises(UserError):
            for n in range(10):
                study = make_study(owner, title=f"Studie {n}")
                for m in range(2):
                    studies.invite_member(
                        session, study, owner, f"p{n}-{m}@example.org", MemberRole.AUTHOR
                    )
                    sent += 1
    assert sent == 4
