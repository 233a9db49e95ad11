"""Studies as students and supervisors meet them: create, plan, invite, join, dashboard."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from study.accounts.models import Role, User
from study.studies.models import MemberRole, StepStatus, Study, StudyInvitation, StudyMember
from study.studies.steps import STEPS

from ..conftest import make_app

PLAN = {
    "title": "Relationell välfärd",
    "purpose": "Att undersöka relationellt arbete.",
    "research_questions": "Hur?\nVarför?",
    "planned_interviews": "4",
    "interviews_from": "2027-04-12",
    "interviews_to": "2027-04-30",
}


def invitation_link(app) -> str:
    return re.search(r"http://localhost(/invitations/\S+)", app.extensions["outbox"][0].body).group(
        1
    )


def test_a_student_creates_a_study_and_sees_every_step(client, auth, make_user, session):
    auth.login(make_user())
    response = client.post("/studies/new", data=PLAN)
    assert response.status_code == 302
    study = session.exec(select(Study)).one()
    assert study.question_list == ["Hur?", "Varför?"]
    page = BeautifulSoup(
        client.get(response.headers["Location"]).get_data(as_text=True), "html.parser"
    )
    steps = page.select("ol.steps > li")
    assert len(steps) == len(STEPS) == 11
    assert "status-draft" in steps[0]["class"]
    assert all("status-not_started" in s["class"] for s in steps[1:])


def test_the_interviews_cannot_end_before_they_start(client, auth, make_user, session):
    auth.login(make_user())
    response = client.post("/studies/new", data={**PLAN, "interviews_to": "2027-01-01"})
    assert response.status_code == 400
    assert session.exec(select(Study)).first() is None


def test_a_supervisor_is_invited_and_joins_with_a_new_account(
    app, client, auth, make_user, session
):
    student = make_user()
    auth.login(student)
    client.post("/studies/new", data=PLAN)
    study = session.exec(select(Study)).one()
    response = client.post(
        f"/studies/{study.id}/members",
        data={"email": "handledare@example.org", "role": "supervisor"},
    )
    assert response.status_code == 302
    link = invitation_link(app)
    guest = app.test_client()
    assert guest.get(link).status_code == 200
    response = guest.post(
        link + "/register",
        data={
            "name": "Hanna Handledare",
            "password": "granen vid sjön 7",
            "confirm": "granen vid sjön 7",
        },
    )
    assert response.status_code == 302
    supervisor = session.exec(select(User).where(User.email == "handledare@example.org")).one()
    assert supervisor.role is Role.SUPERVISOR
    assert guest.get(f"/studies/{study.id}").status_code == 200
    assert guest.get(f"/studies/{study.id}/plan").status_code == 403
    assert guest.get(link).status_code == 404


def test_an_invitation_is_accepted_only_by_the_invited_address(
    app, client, auth, make_user, make_study, session
):
    student = make_user()
    study = make_study(student)
    make_user(Role.SUPERVISOR, email="hanna@example.org")
    intruder = make_user(Role.SUPERVISOR)
    auth.login(student)
    client.post(
        f"/studies/{study.id}/members", data={"email": "hanna@example.org", "role": "supervisor"}
    )
    link = invitation_link(app)
    other = app.test_client()
    other.post("/login", data={"email": intruder.email, "password": "correct horse battery"})
    assert other.post(link + "/accept").status_code == 303
    assert other.get(f"/studies/{study.id}").status_code == 404
    invited = app.test_client()
    invited.post("/login", data={"email": "hanna@example.org", "password": "correct horse battery"})
    assert invited.post(link + "/accept").status_code == 302
    assert invited.get(f"/studies/{study.id}").status_code == 200
    roles = {
        m.role for m in session.exec(select(StudyMember).where(StudyMember.study_id == study.id))
    }
    assert roles == {MemberRole.AUTHOR, MemberRole.SUPERVISOR}


def test_a_study_has_only_one_supervisor(client, auth, make_user, make_study):
    student = make_user()
    study = make_study(student, make_user(Role.SUPERVISOR))
    auth.login(student)
    response = client.post(
        f"/studies/{study.id}/members", data={"email": "ny@example.org", "role": "supervisor"}
    )
    assert response.status_code == 400


def test_unknown_and_used_invitation_links_get_the_same_neutral_answer(client):
    response = client.get("/invitations/finns-inte")
    assert response.status_code == 404
    assert "Inbjudan kan inte användas" in response.get_data(as_text=True)


def test_the_supervisor_sees_the_study_but_not_other_studies(app, make_user, make_study):
    supervisor = make_user(Role.SUPERVISOR)
    mine = make_study(make_user(), supervisor, title="Handledd studie")
    make_study(make_user(), title="Annan studie")
    client = app.test_client()
    client.post("/login", data={"email": supervisor.email, "password": "correct horse battery"})
    page = client.get("/studies").get_data(as_text=True)
    assert "Handledd studie" in page and "Annan studie" not in page
    assert client.get(f"/studies/{mine.id}").status_code == 200


def test_editing_the_plan_keeps_the_step_a_draft(client, auth, make_user, make_study, session):
    student = make_user()
    study = make_study(student)
    auth.login(student)
    assert (
        client.post(f"/studies/{study.id}/plan", data={**PLAN, "title": "Ny titel"}).status_code
        == 302
    )
    session.expire_all()
    assert session.get(Study, study.id).title == "Ny titel"
    from study.studies.services import step_statuses

    assert dict((s.key, st) for s, st in step_statuses(session, study))["plan"] is StepStatus.DRAFT


def test_a_student_cannot_make_herself_a_supervisor_account(
    app_config, monkeypatch, tmp_path, make_user
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "strict"))
    application = make_app({**app_config, "SUPERVISOR_EMAIL_DOMAINS": "gu.se"})
    student_client = application.test_client()
    student = make_user(email="sara@student.gu.se")
    student_client.post(
        "/login", data={"email": student.email, "password": "correct horse battery"}
    )
    student_client.post("/studies/new", data=PLAN)
    with Session(application.extensions["db_engine"]) as db:
        study = db.exec(select(Study)).one()
    student_client.post(
        f"/studies/{study.id}/members",
        data={"email": "min.andra@example.org", "role": "supervisor"},
    )
    link = invitation_link(application)
    guest = application.test_client()
    page = BeautifulSoup(guest.get(link).get_data(as_text=True), "html.parser")
    assert not page.find("a", href=link + "/register")
    response = guest.post(
        link + "/register",
        data={"name": "Sara igen", "password": "tio tecken!", "confirm": "tio tecken!"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(link)
    with Session(application.extensions["db_engine"]) as db:
        assert db.exec(select(User).where(User.email == "min.andra@example.org")).first() is None
    application.extensions["db_engine"].dispose()


@pytest.mark.parametrize(
    "url", ["/studies/99999999999999999999", "/studies/2147483648/guide", "/studies/-1"]
)
def test_ids_beyond_any_table_are_not_found(client, auth, make_user, url):
    auth.login(make_user())
    assert client.get(url).status_code == 404


def test_an_invitation_whose_mail_fails_is_kept_and_the_student_told(
    app, client, auth, make_user, make_study, session, monkeypatch
):
    student = make_user()
    study = make_study(student)
    auth.login(student)
    monkeypatch.setattr("study.studies.routes.send_template", lambda *args, **kwargs: False)
    response = client.post(
        f"/studies/{study.id}/members",
        data={"email": "hanna@example.org", "role": "supervisor"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "kunde inte skickas" in response.get_data(as_text=True)
    assert session.exec(select(StudyInvitation)).one().email == "hanna@example.org"


def test_a_number_that_is_not_one_gets_one_message(client, auth, make_user, make_study):
    student = make_user()
    study = make_study(student)
    auth.login(student)
    response = client.post(f"/studies/{study.id}/plan", data={**PLAN, "planned_interviews": "12a"})
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    error = page.select_one("#planned_interviews-error").get_text(strip=True)
    assert error and "500" not in error
