"""The self-review in the browser: section pages, saving and autosave, warnings, the PDF."""

from __future__ import annotations

import io
import re

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale, gettext
from pypdf import PdfReader
from sqlmodel import select

from study.accounts.models import Role
from study.ethics import questions, rules
from study.ethics import services as ethics
from study.ethics.models import EthicsAnswers
from study.review import services as review
from study.review.models import Outcome
from study.studies.models import StepStatus

from ..conftest import PASSWORD, answer_self_review

INFORMATION = "informationskravet"
CONSENT = "samtyckeskravet"
GDPR = "gdpr"


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def login(app, user, lang: str | None = None):
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    if lang:
        client.get(f"/language/{lang}")
    return client


def words(text: str) -> str:
    """Text without any white space, so that line breaks in a PDF do not matter."""
    return re.sub(r"\s+", "", str(text))


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return [p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages]


def translated(app, lang: str, text) -> str:
    """A message as the interface shows it in a language."""
    with app.test_request_context(), force_locale(lang):
        return str(text) if not isinstance(text, str) else gettext(text)


@pytest.fixture
def student(make_user):
    return make_user(Role.STUDENT, name="Sara Student")


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.SUPERVISOR, name="Hanna Handledare")


@pytest.fixture
def study(student, supervisor, make_study):
    return make_study(student, supervisor)


def stored(session, study) -> dict:
    session.expire_all()
    return ethics.answers(session, study)


def decide(app, session, study, supervisor, outcome: Outcome, **kwargs) -> None:
    with app.test_request_context():
        review.decide(session, study, supervisor, "ethics", outcome=outcome, **kwargs)
        session.commit()


def submit(app, session, study, student) -> None:
    with app.test_request_context():
        review.submit(session, study, student, "ethics")
        session.commit()


# --- the section pages --------------------------------------------------------------------------


@pytest.mark.parametrize("section", questions.SECTIONS, ids=lambda s: s.key)
def test_each_section_shows_its_questions(app, student, study, section):
    response = login(app, student).get(f"/studies/{study.id}/ethics/{section.key}")
    assert response.status_code == 200
    shown = page(response)
    assert shown.select_one("h1").get_text(strip=True) == translated(app, "sv", section.title)
    expected = [q.key for q in questions.QUESTIONS if q.section == section.key]
    assert [div["id"] for div in shown.select("form.self-review div.question")] == [
        f"q-{key}" for key in expected
    ]
    for key in expected:
        assert shown.select_one(f'#q-{key} [name="{key}"]') is not None
    assert shown.select_one("form.self-review.autosave fieldset:not([disabled])")
    assert shown.select_one('button[name="save"]')


def test_the_overview_links_every_section(app, student, study):
    shown = page(login(app, student).get(f"/studies/{study.id}/ethics"))
    links = [a["href"] for a in shown.select("ol.sections a")]
    assert links == [f"/studies/{study.id}/ethics/{s.key}" for s in questions.SECTIONS]


def test_an_unknown_section_is_not_found(app, student, study):
    assert login(app, student).get(f"/studies/{study.id}/ethics/nothing").status_code == 404


# --- saving ------------------------------------------------------------------------------------


def test_saving_a_section_stores_the_answers_and_goes_back_to_the_overview(
    app, session, student, study
):
    response = login(app, student).post(
        f"/studies/{study.id}/ethics/{INFORMATION}",
        data={
            "respondents": "Lärare på en skola",
            "recruitment": "Via rektorn",
            "contact_source": "register",
            "contact_source__explanation": "Skolans personallista.",
            "risk_of_harm": "no",
            "risk_of_harm__explanation": "Glöms bort.",
            "deception": "no",
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/studies/{study.id}/ethics")
    assert stored(session, study) == {
        "respondents": {"value": "Lärare på en skola", "explanation": ""},
        "recruitment": {"value": "Via rektorn", "explanation": ""},
        "contact_source": {"value": "register", "explanation": "Skolans personallista."},
        "risk_of_harm": {"value": "no", "explanation": ""},
        "deception": {"value": "no", "explanation": ""},
    }
    assert review.step_state(session, study, "ethics").status is StepStatus.DRAFT


def test_save_and_go_on_leads_to_the_next_section(app, session, student, study):
    response = login(app, student).post(
        f"/studies/{study.id}/ethics/{INFORMATION}",
        data={"respondents": "Lärare", "next": "1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/studies/{study.id}/ethics/{CONSENT}")


def test_the_saved_answers_fill_the_form_again(app, session, student, study):
    client = login(app, student)
    client.post(
        f"/studies/{study.id}/ethics/{CONSENT}",
        data={"minors": "aged_15_17", "recording": "video", "recording__explanation": "Gester."},
    )
    shown = page(client.get(f"/studies/{study.id}/ethics/{CONSENT}"))
    assert shown.select_one('input[name="minors"][checked]')["value"] == "aged_15_17"
    assert shown.select_one('input[name="recording"][checked]')["value"] == "video"
    assert (
        shown.select_one('textarea[name="recording__explanation"]').get_text().strip() == "Gester."
    )


def test_autosave_answers_with_the_sections_progress(app, session, student, study):
    response = login(app, student).post(
        f"/studies/{study.id}/ethics/{INFORMATION}",
        data={"respondents": "Lärare", "risk_of_harm": "yes", "autosave": "1"},
    )
    assert response.status_code == 200
    # risk_of_harm needs its explanation first, and it opens the follow-up on support.
    body = response.get_json()
    assert {k: body[k] for k in ("saved", "answered", "total")} == {
        "saved": True,
        "answered": 1,
        "total": 6,
    }
    # The section's questions shown now, for the page to show or hide its follow-ups.
    assert body["visible"][0] == "respondents"
    assert stored(session, study)["respondents"]["value"] == "Lärare"


def test_an_empty_first_save_is_refused(app, session, student, study):
    client = login(app, student)
    response = client.post(f"/studies/{study.id}/ethics/{INFORMATION}", data={"save": "1"})
    assert response.status_code == 400
    assert page(response).select_one(".error-summary li")
    response = client.post(f"/studies/{study.id}/ethics/{INFORMATION}", data={"autosave": "1"})
    assert response.status_code == 400
    assert response.get_json()["saved"] is False
    assert session.exec(select(EthicsAnswers)).first() is None
    assert review.step_state(session, study, "ethics").status is StepStatus.NOT_STARTED


def test_a_bad_date_is_refused_at_its_field(app, session, student, study):
    client = login(app, student, lang="en")
    response = client.post(
        f"/studies/{study.id}/ethics/{GDPR}",
        data={"retention_date": "30/06/2027", "destruction": "Allt förstörs."},
    )
    assert response.status_code == 400
    error = page(response).select_one("#retention_date-error")
    assert error.get_text(strip=True) == str(questions.NOT_A_DATE)
    assert page(response).select_one('input[name="retention_date"]')["aria-invalid"] == "true"
    assert stored(session, study) == {}

    response = client.post(
        f"/studies/{study.id}/ethics/{GDPR}",
        data={"retention_date": "2027-02-30", "autosave": "1"},
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "saved": False,
        "errors": {"retention_date": [str(questions.NOT_A_DATE)]},
    }
    assert stored(session, study) == {}


def test_an_option_that_is_not_offered_is_refused(app, session, student, study):
    response = login(app, student).post(
        f"/studies/{study.id}/ethics/{CONSENT}", data={"minors": "maybe"}
    )
    assert response.status_code == 400
    assert page(response).select_one("#q-minors p.error")
    assert stored(session, study) == {}


# --- warnings ----------------------------------------------------------------------------------


def test_warnings_show_at_the_answers_and_on_the_overview(app, session, student, study):
    client = login(app, student, lang="en")
    client.post(
        f"/studies/{study.id}/ethics/{CONSENT}",
        data={"minors": "under_15", "dependency": "no", "recording": "notes"},
    )
    shown = page(client.get(f"/studies/{study.id}/ethics/{CONSENT}"))
    rule = next(r for r in rules.RULES if r.key == "minors_under_15")
    [note] = shown.select("#q-minors .warning-note")
    assert "severity-blocking" in note["class"]
    assert note.get_text(strip=True) == str(rule.message)
    assert shown.select("#q-dependency .warning-note") == []
    assert shown.select("#q-recording .warning-note") == []

    overview = page(client.get(f"/studies/{study.id}/ethics"))
    items = overview.select("ul.warnings li")
    assert len(items) == 1
    assert "severity-blocking" in items[0]["class"]
    assert str(rule.message) in items[0].get_text()
    assert "ethics council" in overview.select_one("p.route").get_text()


def test_a_quiet_self_review_has_no_warnings_on_the_overview(app, session, student, study):
    with app.test_request_context():
        ethics.save_answers(session, study, student, {"respondents": ("Lärare", "")})
        session.commit()
    overview = page(login(app, student).get(f"/studies/{study.id}/ethics"))
    assert overview.select("ul.warnings") == []


# --- who may change what -----------------------------------------------------------------------


def test_the_supervisor_reads_a_section_but_cannot_change_it(
    app, session, student, supervisor, study
):
    with app.test_request_context():
        ethics.save_answers(session, study, student, {"respondents": ("Lärare", "")})
        session.commit()
    client = login(app, supervisor)
    response = client.get(f"/studies/{study.id}/ethics/{INFORMATION}")
    assert response.status_code == 200
    shown = page(response)
    assert shown.select_one("form.self-review fieldset[disabled]")
    assert shown.select_one("form.self-review.autosave") is None
    assert shown.select_one('button[name="save"]') is None
    assert shown.select_one('textarea[name="respondents"]').get_text().strip() == "Lärare"

    for data in ({"respondents": "Handledarens svar"}, {"respondents": "x", "autosave": "1"}):
        response = client.post(f"/studies/{study.id}/ethics/{INFORMATION}", data=data)
        assert response.status_code == 403
    assert stored(session, study)["respondents"]["value"] == "Lärare"


def test_a_waiting_self_review_is_read_only_for_the_student(app, session, student, study):
    answer_self_review(app, session, study, student, respondents="Lärare")
    submit(app, session, study, student)
    client = login(app, student)
    shown = page(client.get(f"/studies/{study.id}/ethics/{INFORMATION}"))
    assert shown.select_one("form.self-review fieldset[disabled]")
    response = client.post(
        f"/studies/{study.id}/ethics/{INFORMATION}", data={"respondents": "Ändrat"}
    )
    assert response.status_code == 400
    assert page(response).select_one(".error-summary li")
    assert stored(session, study)["respondents"]["value"] == "Lärare"


# --- the summary PDF -----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "mark"), [("sv", "Utkast"), ("en", "Draft")])
def test_the_draft_pdf_holds_the_answers_and_says_draft_on_every_page(
    app, session, student, study, lang, mark
):
    answer_self_review(app, session, study, student, respondents="Lärare på en skola")
    response = login(app, student, lang=lang).get(f"/studies/{study.id}/ethics/summary.pdf")
    pages = pdf_pages(response)
    assert len(pages) >= 2
    assert all(mark in text for text in pages)
    assert words(translated(app, lang, "Draft, not submitted")) in words("".join(pages))
    assert words("Lärare på en skola") in words("".join(pages))
    assert "self-review-" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('-draft.pdf"')


@pytest.fixture
def reviewed(app, session, student, supervisor, study):
    """Version 1 with changes asked for, version 2 approved, both with warnings."""
    answer_self_review(app, session, study, student, respondents="Lärare", minors="under_15")
    submit(app, session, study, student)
    decide(app, session, study, supervisor, Outcome.CHANGES_REQUESTED, comment="Fler detaljer.")
    with app.test_request_context():
        ethics.save_answers(session, study, student, {"respondents": ("Lärare i åk 4", "")})
        session.commit()
    submit(app, session, study, student)
    decide(
        app,
        session,
        study,
        supervisor,
        Outcome.APPROVED,
        comment="Godkänt efter ändring.",
        acknowledged=["minors_under_15"],
    )
    return study


@pytest.mark.parametrize(("lang", "mark"), [("sv", "Utkast"), ("en", "Draft")])
def test_the_approved_version_pdf_holds_answers_warnings_and_decisions(
    app, student, reviewed, lang, mark
):
    client = login(app, student, lang=lang)
    response = client.get(f"/studies/{reviewed.id}/ethics/summary.pdf?version=2")
    pages = pdf_pages(response)
    text = words("".join(pages))
    assert response.headers["Content-Disposition"].endswith('-v2.pdf"')
    assert all(mark not in page for page in pages)
    assert words("Lärare i åk 4") in text
    rule = next(r for r in rules.RULES if r.key == "minors_under_15")
    assert words(translated(app, lang, rule.message)) in text
    assert words(translated(app, lang, "Warnings")) in text
    assert words(translated(app, lang, "Approved")) in text
    assert words(translated(app, lang, "Changes requested")) in text
    assert words("Fler detaljer.") in text
    assert words("Godkänt efter ändring.") in text
    assert words("Sara Student") in text
    assert words("Hanna Handledare") in text


@pytest.mark.parametrize(("lang", "mark"), [("sv", "Utkast"), ("en", "Draft")])
def test_a_version_that_was_not_approved_says_draft_on_every_page(
    app, student, reviewed, lang, mark
):
    client = login(app, student, lang=lang)
    pages = pdf_pages(client.get(f"/studies/{reviewed.id}/ethics/summary.pdf?version=1"))
    assert len(pages) >= 2
    assert all(mark in page for page in pages)
    text = words("".join(pages))
    assert words("Fler detaljer.") in text
    # Version 1's PDF tells only what was decided up to version 1.
    assert words("Godkänt efter ändring.") not in text


def test_the_newest_version_is_the_default_and_an_unknown_one_is_not_found(
    app, supervisor, reviewed
):
    client = login(app, supervisor)
    response = client.get(f"/studies/{reviewed.id}/ethics/summary.pdf")
    assert response.headers["Content-Disposition"].endswith('-v2.pdf"')
    assert all("Utkast" not in page for page in pdf_pages(response))
    assert client.get(f"/studies/{reviewed.id}/ethics/summary.pdf?version=99").status_code == 404


def test_a_submitted_version_waiting_for_review_says_draft(app, session, student, study):
    answer_self_review(app, session, study, student)
    submit(app, session, study, student)
    pages = pdf_pages(login(app, student).get(f"/studies/{study.id}/ethics/summary.pdf"))
    assert all("Utkast" in page for page in pages)


def test_a_version_approved_earlier_is_not_a_draft(app, session, student, supervisor, study):
    answer_self_review(app, session, study, student, respondents="Lärare")
    submit(app, session, study, student)
    decide(app, session, study, supervisor, Outcome.APPROVED)
    with app.test_request_context():
        ethics.save_answers(session, study, student, {"respondents": ("Rektorer", "")})
        session.commit()
    submit(app, session, study, student)
    decide(app, session, study, supervisor, Outcome.APPROVED)
    pages = pdf_pages(login(app, student).get(f"/studies/{study.id}/ethics/summary.pdf?version=1"))
    assert all("Utkast" not in page for page in pages)
