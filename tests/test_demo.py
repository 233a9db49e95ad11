"""The demo: accounts, a study with a plan and a guide, made from data inside the package."""

from __future__ import annotations

from sqlmodel import select

from study.accounts.models import User
from study.guide.models import InterviewGuide
from study.studies.models import Study


def test_the_demo_creates_people_and_a_study(runner, session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "student@example.org" in result.output and "demo-student-1" in result.output
    assert len(session.exec(select(User)).all()) == 3
    study = session.exec(select(Study)).one()
    assert study.planned_interviews == 4
    guide = session.exec(select(InterviewGuide)).one()
    assert guide.sections and all(section["questions"] for section in guide.sections)


def test_the_demo_leaves_a_used_database_alone(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code != 0
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0


def test_the_demo_student_logs_in_and_sees_the_study(runner, client):
    runner.invoke(args=["demo"])
    client.post("/login", data={"email": "handledare@example.org", "password": "demo-handledare-1"})
    page = client.get("/studies").get_data(as_text=True)
    assert "Relationell välfärd i en ideell organisation" in page


def test_the_demo_data_ships_inside_the_package():
    from importlib import resources

    names = {p.name for p in resources.files("study.demo_data").iterdir()}
    assert {"study_plan.json", "interview_guide.json"} <= names
