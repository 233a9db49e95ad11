"""Accounts as a user meets them: register, log in and out, reset, idle timeout."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from study.accounts.models import Role, User
from study.audit import AuditEvent
from study.models import utcnow


def actions(session) -> list[str]:
    session.expire_all()
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_registered_student_confirms_and_is_logged_in(client, session, app):
    response = client.post(
        "/register",
        data={
            "name": "Sara Student",
            "email": "Sara@Example.org",
            "password": "tio tecken!",
            "confirm": "tio tecken!",
        },
    )
    assert response.status_code == 302
    user = session.exec(select(User)).one()
    assert user.email == "sara@example.org"
    assert user.role is Role.STUDENT
    assert user.password_hash.startswith("$argon2id$")
    link = re.search(r"http://localhost(/account/confirm/\S+)", app.extensions["outbox"][0].body)
    assert client.post(link.group(1), data={"password": "tio tecken!"}).status_code == 302
    assert client.get("/studies").status_code == 200


def test_a_wrong_password_is_refused_and_logged(client, auth, make_user, session):
    user = make_user()
    response = auth.login(user, "fel lösenord")
    assert response.status_code == 400
    assert client.get("/studies").status_code == 302
    assert actions(session)[-1] == "login.failed"


def test_logging_in_starts_a_fresh_session_and_logging_out_ends_it(
    client, auth, make_user, session
):
    user = make_user()
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    auth.login(user)
    with client.session_transaction() as s:
        assert "planted" not in s
    assert auth.logout().status_code == 302
    assert client.get("/studies").status_code == 302
    assert actions(session)[-2:] == ["login", "logout"]


def test_an_idle_session_ends(client, auth, make_user, app):
    auth.login(make_user())
    with client.session_transaction() as s:
        s["seen_at"] = (utcnow() - app.config["IDLE_TIMEOUT"] - timedelta(minutes=1)).isoformat()
    response = client.get("/studies")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/studies").status_code == 302


def test_a_password_reset_link_works_once(client, auth, make_user, app):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    message = app.extensions["outbox"][0]
    assert message.to == user.email
    link = re.search(r"http://localhost(/password/reset/\S+)", message.body).group(1)
    new = {"password": "ett nytt lösenord", "confirm": "ett nytt lösenord"}
    assert client.post(link, data=new).status_code == 302
    assert client.post(link, data=new).status_code == 404
    assert auth.logout().status_code == 302
    assert auth.login(user, "ett nytt lösenord").status_code == 302


def test_a_reset_request_answers_alike_for_unknown_addresses(client, app):
    response = client.post(
        "/password/forgot", data={"email": "ingen@example.org"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Om adressen hör till ett konto" in response.get_data(as_text=True)
    assert len(app.extensions["outbox"]) == 0


def test_changing_the_password_ends_other_sessions(app, auth, make_user):
    user = make_user()
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert other.get("/studies").status_code == 200
    auth.login(user)
    response = auth.client.post(
        "/account/password",
        data={
            "current_password": "correct horse battery",
            "password": "nytt lösenord 2",
            "confirm": "nytt lösenord 2",
        },
    )
    assert response.status_code == 302
    assert auth.client.get("/studies").status_code == 200
    assert other.get("/studies").status_code == 302


def test_a_deactivated_account_cannot_log_in(auth, make_user, session):
    user = make_user()
    user.is_active = False
    session.add(user)
    session.commit()
    assert auth.login(user).status_code == 400


def test_a_copied_session_cookie_dies_with_the_log_out(app, client, auth, make_user):
    auth.login(make_user())
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    assert copy.get("/studies").status_code == 200
    auth.logout()
    assert copy.get("/studies").status_code == 302


def test_a_session_ends_after_its_lifetime_however_busy(client, auth, make_user, app):
    auth.login(make_user())
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    with client.session_transaction() as s:
        s["started_at"] = (utcnow() - lifetime - timedelta(minutes=1)).isoformat()
    response = client.get("/studies")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_setting_a_password_voids_every_other_reset_link(client, auth, make_user, app):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    client.post("/password/forgot", data={"email": user.email})
    first, second = (
        re.search(r"http://localhost(/password/reset/\S+)", m.body).group(1)
        for m in list(app.extensions["outbox"])[:2]
    )
    new = {"password": "ett nytt lösenord", "confirm": "ett nytt lösenord"}
    assert client.post(first, data=new).status_code == 302
    assert client.get(second).status_code == 404
