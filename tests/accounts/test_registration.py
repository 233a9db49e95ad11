"""Registration as a stranger meets it: one answer for every address, a confirmed mailbox."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from study.accounts.models import User
from study.audit import AuditEvent

NEW = {
    "name": "Sara Student",
    "email": "Sara@Example.org",
    "password": "tio tecken!",
    "confirm": "tio tecken!",
}


def main_text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("main").text


def register(client, **changes):
    return client.post("/register", data={**NEW, **changes})


def confirmation_link(app, to: str = "sara@example.org") -> str:
    message = next(m for m in app.extensions["outbox"] if m.to == to)
    return re.search(r"http://localhost(/account/confirm/\S+)", message.body).group(1)


def test_a_new_student_must_confirm_the_address_before_logging_in(client, auth, app, session):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = session.exec(select(User)).one()
    assert user.email == "sara@example.org" and not user.is_confirmed
    assert "tio tecken!" not in user.password_hash
    assert client.get("/studies").status_code == 302

    refused = auth.login("sara@example.org", "tio tecken!")
    assert refused.status_code == 400
    assert "Bekräfta din e-postadress" in refused.get_data(as_text=True)
    assert client.get("/studies").status_code == 302

    link = confirmation_link(app)
    assert client.post(link, data={"password": "tio tecken!"}).status_code == 302
    assert client.get("/studies").status_code == 200
    auth.logout()
    assert auth.login("sara@example.org", "tio tecken!").status_code == 302


def test_the_confirmation_link_needs_the_password_chosen_with_it(client, app, session):
    register(client)
    link = confirmation_link(app)
    response = client.post(link, data={"password": "någon annans gissning"})
    assert response.status_code == 400
    session.expire_all()
    assert not session.exec(select(User)).one().is_confirmed
    assert client.get("/studies").status_code == 302


def test_a_used_or_unknown_confirmation_link_gets_one_neutral_answer(client, app):
    register(client)
    link = confirmation_link(app)
    client.post(link, data={"password": "tio tecken!"})
    visitor = app.test_client()
    used, unknown = visitor.get(link), visitor.get("/account/confirm/" + "x" * 43)
    assert used.status_code == unknown.status_code == 404
    assert main_text(used) == main_text(unknown)


def test_registration_answers_alike_for_a_taken_address(client, app, make_user, session):
    owner = make_user(email="sara@example.org")
    first = register(app.test_client())
    second = register(client, email="ny@example.org")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    session.expire_all()
    assert len(session.exec(select(User)).all()) == 2
    warning = next(m for m in app.extensions["outbox"] if m.to == owner.email)
    assert "/account/confirm/" not in warning.body
    assert "/login" in warning.body and "/password/forgot" in warning.body


def test_the_page_after_registering_is_the_same_for_a_new_and_a_taken_address(app, make_user):
    make_user(email="sara@example.org")
    pages = []
    for address in ("sara@example.org", "annan@example.org"):
        client = app.test_client()
        response = client.post("/register", data={**NEW, "email": address}, follow_redirects=True)
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        pages.append(page.select_one(".flash").get_text().replace(address, "ADDRESS"))
    assert pages[0] == pages[1]


def test_the_owner_of_a_taken_address_keeps_the_password(client, auth, make_user):
    owner = make_user(email="sara@example.org")
    register(client, password="inkräktarens lösen", confirm="inkräktarens lösen")
    assert auth.login(owner.email, "inkräktarens lösen").status_code == 400
    assert auth.login(owner).status_code == 302


def test_registering_again_before_confirming_sends_a_new_link_and_voids_the_old(client, app):
    register(client)
    first = confirmation_link(app)
    register(client, name="Sara S", password="ett annat lösen", confirm="ett annat lösen")
    second = re.search(
        r"http://localhost(/account/confirm/\S+)", app.extensions["outbox"][0].body
    ).group(1)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.post(second, data={"password": "ett annat lösen"}).status_code == 302


def test_logging_in_unconfirmed_sends_a_fresh_link(client, auth, app):
    app.config["CONFIRMATION_RESEND_MINUTES"] = 0
    register(client)
    before = len(app.extensions["outbox"])
    auth.login("sara@example.org", "tio tecken!")
    assert len(app.extensions["outbox"]) == before + 1
    assert "/account/confirm/" in app.extensions["outbox"][0].body


def test_an_unconfirmed_account_cannot_invite_anyone(app, session, make_user):
    from study.accounts import services as accounts
    from study.errors import UserError
    from study.studies import services as studies
    from study.studies.models import MemberRole

    with app.test_request_context():
        user = accounts.create_user(
            session, email="ny@example.org", name="Ny", password="tio tecken!", confirmed=False
        )
        study = studies.create_study(session, user, {"title": "T"})
        with pytest.raises(UserError):
            studies.invite_member(session, study, user, "x@example.org", MemberRole.AUTHOR)


def test_registration_is_audited_without_the_address(client, session):
    register(client)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "account.registered")).one()
    assert "sara" not in event.details and "sara" not in event.subject


def test_logging_in_unconfirmed_again_and_again_does_not_flood_the_mailbox(client, auth, app):
    register(client)
    for _ in range(5):
        assert auth.login("sara@example.org", "tio tecken!").status_code == 400
    assert len(app.extensions["outbox"]) == 1


def test_a_mailbox_has_one_budget_across_every_form_that_mails_it(app, make_user):
    app.config["ADDRESS_MAIL_RATE_LIMIT"] = "2 per hour"
    make_user(email="sara@example.org")
    codes = [
        app.test_client().post("/register", data=NEW).status_code,
        app.test_client().post("/password/forgot", data={"email": "sara@example.org"}).status_code,
        app.test_client().post("/password/forgot", data={"email": "SARA@example.org"}).status_code,
        app.test_client().post("/register", data=NEW).status_code,
    ]
    assert codes == [302, 302, 429, 429]


def test_registering_cannot_take_over_an_account_the_administrator_made(app, session, client):
    from study.accounts import services as accounts
    from study.accounts.models import Role

    with app.test_request_context():
        accounts.create_user(
            session,
            email="sara@example.org",
            name="Handledare Sara",
            password="ett hemligt lösen",
            role=Role.SUPERVISOR,
            confirmed=False,
        )
        session.commit()
    register(
        client, name="Inkräktare", password="blå himmel över sjön", confirm="blå himmel över sjön"
    )
    session.expire_all()
    user = session.exec(select(User)).one()
    assert user.name == "Handledare Sara" and user.role is Role.SUPERVISOR
    assert "/account/confirm/" not in app.extensions["outbox"][0].body
