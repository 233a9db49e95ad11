"""The review path in the browser: the student submits, the supervisor reads, compares, decides."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from study import audit
from study.accounts.models import Role
from study.ethics import services as ethics
from study.review import services as review
from study.review.models import Outcome, ReviewDecision
from study.studies import services as studies
from study.studies.models import MemberRole, StepStatus

from ..conftest import PASSWORD, answer_self_review


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def login(app, user):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return client


def outbox(app) -> list:
    """The mail sent, newest first."""
    return list(app.extensions["outbox"])


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.fixture
def student(make_user):
    return make_user(Role.STUDENT, name="Sara Student")


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.SUPERVISOR, name="Hanna Handledare")


@pytest.fixture
def study(student, supervisor, make_study):
    return make_study(student, supervisor)


def submitted(app, session, study, student, **given):
    """Answer the self-review and submit it through the service (arranging, not under test)."""
    answer_self_review(app, session, study, student, **given)
    with app.test_request_context():
        version = review.submit(session, study, student, "ethics")
        session.commit()
    return version


def status(session, study) -> StepStatus:
    session.expire_all()
    return review.step_state(session, study, "ethics").status


def test_the_student_submits_and_the_supervisor_gets_a_link_to_the_review(
    app, session, student, supervisor, study
):
    answer_self_review(app, session, study, student, respondents="Lärare på en skola")
    client = login(app, student)
    url = f"/studies/{study.id}/steps/ethics"
    form = page(client.get(url)).select_one(f'form[action="{url}/submit"]')
    assert form is not None and form.select_one("button[type=submit]")
    app.extensions["outbox"].clear()

    response = client.post(f"{url}/submit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    assert status(session, study) is StepStatus.SUBMITTED
    [version] = review.versions(session, study, "ethics")
    assert version.submitted_by == student.id

    [mail] = outbox(app)
    assert mail.to == supervisor.email
    assert "Sara Student" in mail.body
    link = re.search(r"http://localhost(/\S+)", mail.body).group(1)
    assert link == url

    # The student now reads the waiting version and cannot submit it again.
    shown = page(client.get(url))
    assert shown.select_one(f'form[action="{url}/submit"]') is None
    assert shown.select_one("span.badge.status-submitted")

    # The supervisor follows the link to the version and the decision form.
    shown = page(login(app, supervisor).get(link))
    assert shown.select_one(f'form[action="{url}/decide"]')
    answer = shown.select_one("#item-respondents").find_next_sibling("dd")
    assert "Lärare på en skola" in answer.get_text()


def test_a_self_review_that_is_not_ready_is_not_submitted(app, session, student, study):
    with app.test_request_context():
        ethics.save_answers(session, study, student, {"respondents": ("Lärare", "")})
        session.commit()
    client = login(app, student)
    url = f"/studies/{study.id}/steps/ethics"
    shown = page(client.get(url))
    assert shown.select_one("#incomplete li")
    assert shown.select_one(f'form[action="{url}/submit"]') is None
    app.extensions["outbox"].clear()

    response = client.post(f"{url}/submit")
    assert response.status_code == 303
    assert [category for category, _m in flashes(client)] == ["error"]
    assert review.versions(session, study, "ethics") == []
    assert outbox(app) == []


def test_the_first_version_is_shown_whole_to_the_supervisor(
    app, session, student, supervisor, study
):
    submitted(app, session, study, student)
    shown = page(login(app, supervisor).get(f"/studies/{study.id}/steps/ethics"))
    rows = shown.select("table.diff tbody tr")
    assert rows and all("changed" in row["class"] for row in rows)


def test_after_a_resubmission_the_supervisor_sees_what_changed(
    app, session, student, supervisor, study
):
    submitted(app, session, study, student, respondents="Lärare på en skola")
    with app.test_request_context():
        review.decide(
            session,
            study,
            supervisor,
            "ethics",
            outcome=Outcome.CHANGES_REQUESTED,
            comment="Fler lärare.",
        )
        ethics.save_answers(session, study, student, {"respondents": ("Lärare på två skolor", "")})
        session.commit()
    assert login(app, student).post(f"/studies/{study.id}/steps/ethics/submit").status_code == 302

    shown = page(login(app, supervisor).get(f"/studies/{study.id}/steps/ethics"))
    table = shown.select_one("table.diff")
    assert table is not None
    assert [row["id"] for row in table.select("tr.changed")] == ["diff-respondents"]
    assert len(table.select("tbody tr")) == 1
    # The rest is there too, folded away, unchanged.
    unchanged = shown.select("details.unchanged tr.same")
    assert len(unchanged) > 10 and not shown.select("details.unchanged tr.changed")
    before, after = shown.select("#diff-respondents td")
    assert [d.get_text() for d in before.select("del")] == ["en skola"]
    assert [i.get_text() for i in after.select("ins")] == ["två skolor"]
    assert before.get_text(" ", strip=True).startswith("Lärare på")

    form = shown.select_one(f'form[action="/studies/{study.id}/steps/ethics/decide"]')
    assert {i["value"] for i in form.select("input[name=outcome]")} == {
        "approved",
        "changes_requested",
    }
    assert form.select_one("textarea[name=comment]")
    assert form.select_one("textarea[name=note_respondents]")
    assert form.select_one("textarea[name=note_retention_date]")


def test_the_supervisor_asks_for_changes_at_a_question_and_the_authors_hear_of_it(
    app, session, student, supervisor, study, make_user
):
    co_author = make_user(Role.STUDENT)
    with app.test_request_context():
        invitation, _token = studies.invite_member(
            session, study, student, co_author.email, MemberRole.AUTHOR
        )
        studies.accept_invitation(session, invitation, co_author)
        session.commit()
    submitted(app, session, study, student)
    app.extensions["outbox"].clear()

    response = login(app, supervisor).post(
        f"/studies/{study.id}/steps/ethics/decide",
        data={
            "outcome": "changes_requested",
            "note_respondents": "Hur många lärare?",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert status(session, study) is StepStatus.CHANGES_REQUESTED
    decision = session.exec(select(ReviewDecision)).one()
    assert decision.comments_by_item == {"respondents": "Hur många lärare?"}
    assert decision.decided_by == supervisor.id

    mails = outbox(app)
    assert sorted(m.to for m in mails) == sorted([student.email, co_author.email])
    for mail in mails:
        assert f"http://localhost/studies/{study.id}/steps/ethics" in mail.body
        assert "Hanna Handledare" in mail.body

    shown = page(login(app, student).get(f"/studies/{study.id}/steps/ethics"))
    assert shown.select_one("section.decision.changes")
    note = shown.select_one("#note-respondents")
    assert "Hur många lärare?" in note.get_text()
    # The note stands with the answer to the question it is about, and nowhere else.
    assert note.find_parent("dd").find_previous_sibling("dt")["id"] == "item-respondents"
    assert len(shown.select(".review-note")) == 1
    # The student may edit and submit again.
    assert shown.select_one(f'form[action="/studies/{study.id}/steps/ethics/submit"]')


def test_asking_for_changes_without_a_comment_is_refused_at_the_comment(
    app, session, student, supervisor, study
):
    submitted(app, session, study, student)
    app.extensions["outbox"].clear()
    response = login(app, supervisor).post(
        f"/studies/{study.id}/steps/ethics/decide",
        data={
            "outcome": "changes_requested",
            "comment": "  ",
            "note_respondents": "",
            "version": "1",
        },
    )
    assert response.status_code == 400
    shown = page(response)
    assert shown.select_one("#comment-error")
    assert shown.select_one("table.diff")
    assert status(session, study) is StepStatus.SUBMITTED
    assert session.exec(select(ReviewDecision)).first() is None
    assert outbox(app) == []


def test_approval_needs_the_box_for_a_blocking_warning_and_sends_a_receipt(
    app, session, student, supervisor, study
):
    version = submitted(app, session, study, student, minors="under_15")
    client = login(app, supervisor)
    url = f"/studies/{study.id}/steps/ethics"
    box = page(client.get(url)).select_one("fieldset.blockers input#ack-minors_under_15")
    assert box is not None and box["name"] == "ack_minors_under_15"
    app.extensions["outbox"].clear()

    response = client.post(f"{url}/decide", data={"outcome": "approved", "version": "1"})
    assert response.status_code == 400
    assert page(response).select_one(".error-summary li")
    assert status(session, study) is StepStatus.SUBMITTED
    assert outbox(app) == []

    response = client.post(
        f"{url}/decide", data={"outcome": "approved", "ack_minors_under_15": "y", "version": "1"}
    )
    assert response.status_code == 302
    assert status(session, study) is StepStatus.APPROVED
    decision = session.exec(select(ReviewDecision)).one()
    assert decision.outcome is Outcome.APPROVED
    assert decision.acknowledged_keys == ["minors_under_15"]

    receipt, decided = outbox(app)  # newest first: the receipt follows the authors' mail
    assert decided.to == student.email
    assert receipt.to == supervisor.email
    assert version.content_hash in receipt.body
    head = audit.current_head(session)
    assert audit.format_head(head) in receipt.body
    newest = session.exec(select(audit.AuditEvent).order_by(audit.AuditEvent.id.desc())).first()
    assert newest.action == "step.decided"
    assert f"{url}" in receipt.body


def test_asking_for_changes_sends_no_receipt(app, session, student, supervisor, study):
    submitted(app, session, study, student)
    app.extensions["outbox"].clear()
    login(app, supervisor).post(
        f"/studies/{study.id}/steps/ethics/decide",
        data={"outcome": "changes_requested", "comment": "Skriv mer.", "version": "1"},
    )
    assert [m.to for m in outbox(app)] == [student.email]


def test_the_student_cannot_decide_through_the_page(app, session, student, study):
    submitted(app, session, study, student)
    client = login(app, student)
    response = client.post(f"/studies/{study.id}/steps/ethics/decide", data={"outcome": "approved"})
    assert response.status_code == 303
    assert [category for category, _m in flashes(client)] == ["error"]
    assert status(session, study) is StepStatus.SUBMITTED
    assert session.exec(select(ReviewDecision)).first() is None


def test_a_step_without_review_is_not_found(app, student, study):
    assert login(app, student).get(f"/studies/{study.id}/steps/plan").status_code == 404


def test_supervision_lists_the_waiting_study_first(
    app, session, student, supervisor, make_study, make_user
):
    make_study(student, supervisor, title="Arbete i förskolan")
    waiting = make_study(student, supervisor, title="Vård i hemmet")
    make_study(student, supervisor, title="Bibliotekets roll")
    make_study(make_user(), make_user(Role.SUPERVISOR), title="Någon annans studie")
    submitted(app, session, waiting, student)

    response = login(app, supervisor).get("/supervision")
    assert response.status_code == 200
    rows = page(response).select("table.overview tbody tr")
    titles = [row.select_one("th a").get_text(strip=True) for row in rows]
    assert titles == ["Vård i hemmet", "Arbete i förskolan", "Bibliotekets roll"]
    assert rows[0].select_one("span.status-submitted")
    assert rows[0].select_one(f'a[href="/studies/{waiting.id}/steps/ethics"]')
    assert all(row.select_one("span.status-not_started") for row in rows[1:])

    assert login(app, student).get("/supervision").status_code == 403


def test_a_decision_on_a_version_not_read_is_refused(app, session, student, supervisor, study):
    submitted(app, session, study, student)
    client = login(app, supervisor)
    response = client.post(
        f"/studies/{study.id}/steps/ethics/decide",
        data={"outcome": "changes_requested", "comment": "Nej.", "version": "1"},
    )
    assert response.status_code == 302
    submitted(app, session, study, student, respondents="Nya svar")
    # A tab still showing version 1 approves: refused, version 2 still waits.
    response = client.post(
        f"/studies/{study.id}/steps/ethics/decide", data={"outcome": "approved", "version": "1"}
    )
    assert response.status_code == 400
    assert status(session, study) is StepStatus.SUBMITTED
    # A decision without the version it was made on is refused too.
    response = client.post(f"/studies/{study.id}/steps/ethics/decide", data={"outcome": "approved"})
    assert response.status_code == 400
