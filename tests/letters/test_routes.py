"""The letter's and the form's pages: what a student's text can and cannot do, saving, and
approvals that follow the self-review and the plan they are made from."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from study.accounts.models import Role
from study.errors import UserError
from study.letters import consent_form, document, services
from study.letters.sections import CHILD, MAIN
from study.review import services as review
from study.review.models import Outcome
from study.studies import services as studies
from study.studies.models import StepStatus

from ..conftest import answer_self_review

HOSTILE = '<b id="injected">x</b>'


@pytest.fixture
def people(make_user):
    return make_user(Role.STUDENT), make_user(Role.SUPERVISOR)


@pytest.fixture
def study(app, session, people, make_study):
    """A study with a plan that names its controller and officer, and a quiet self-review."""
    student, supervisor = people
    study = make_study(student, supervisor)
    study.controller, study.data_protection_officer = "Exempeluniversitetet", "dso@example.org"
    session.add(study)
    session.commit()
    answer_self_review(app, session, study, student)
    return study


def begin(app, session, study, student, codes=("sv",)):
    with app.test_request_context():
        services.create(session, study, student, list(codes))
        consent_form.create(session, study, student)
        session.commit()


def form_fields(page) -> dict[str, str]:
    """Return the editor form's fields as the browser would send them back unchanged."""
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    form = soup.select_one("main form[method=post]:has(textarea)")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    fields.update({t["name"]: t.get_text() for t in form.select("textarea[name]")})
    return {k: v for k, v in fields.items() if k not in ("section",)}


def test_a_heading_with_markup_stays_text_everywhere_it_is_shown(
    app, session, client, auth, people, study
):
    student, supervisor = people
    begin(app, session, study, student)
    auth.login(student)
    fields = form_fields(client.get(f"/studies/{study.id}/letter/sv"))
    fields["h-main-results"] = HOSTILE
    fields["t-main-results"] = "Inget här."
    saved = client.post(f"/studies/{study.id}/letter/sv", data={**fields, "autosave": "1"})
    assert saved.status_code == 200 and saved.json["saved"]
    assert HOSTILE not in str(saved.json)
    for path in (f"/studies/{study.id}/letter/sv", f"/studies/{study.id}/letter"):
        page = client.get(path).get_data(as_text=True)
        assert 'id="injected"' not in page and "&lt;b id=" in page, path
    refused = client.post(f"/studies/{study.id}/steps/letter/submit", follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert 'id="injected"' not in page and "&lt;b id=" in page


def test_the_consent_form_saves_as_the_page_sends_it(app, session, client, auth, people, study):
    student, _supervisor = people
    begin(app, session, study, student)
    auth.login(student)
    page = client.get(f"/studies/{study.id}/consent-form")
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    form = soup.select_one("main form:has(textarea)")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    fields.update({t["name"]: t.get_text() for t in form.select("textarea[name]")})
    assert "l-guardians" not in fields  # an adult signs: no guardians' words to write
    fields["i-quotes"] = "Jag samtycker till att bli citerad under ett fingerat namn."
    response = client.post(f"/studies/{study.id}/consent-form?lang=sv", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.test_request_context():
        saved = document.form_document(session, study)
        assert document.form_incomplete(saved) == []
    assert saved["items"][2]["texts"]["sv"].startswith("Jag samtycker till att bli citerad")


def test_a_childrens_version_goes_when_the_self_review_no_longer_asks_for_it(
    app, session, people, study
):
    student, _supervisor = people
    answer_self_review(app, session, study, student, minors="under_15")
    begin(app, session, study, student)
    answer_self_review(app, session, study, student)
    with app.test_request_context():
        current = document.letter_document(session, study)
        surplus = document.report(current, "sv").surplus
        assert (CHILD, "request") in surplus
        for audience, key in surplus:
            services.remove_section(session, study, student, audience, key)
        current = document.letter_document(session, study)
    assert CHILD not in current["letters"]["sv"]


def test_language_codes_are_stored_one_way(app, session, people, study):
    student, _supervisor = people
    begin(app, session, study, student)
    with app.test_request_context():
        with pytest.raises(UserError):
            services.add_language(session, study, student, "SV")
        for nothing in ("und", "root", "xx", "../sv", ""):
            with pytest.raises(UserError):
                services.add_language(session, study, student, nothing)
        assert services.add_language(session, study, student, "fa_af") == "fa-AF"
        assert services.add_language(session, study, student, "EN") == "en"
        letter = services.letter(session, study)
    assert letter["languages"] == ["sv", "fa-AF", "en"]
    # A language added later has the letter's sections, no more and no fewer.
    assert set(letter["letters"]["en"][MAIN]) == set(letter["letters"]["sv"][MAIN])


def approve_all(app, session, study, student, supervisor):
    with app.test_request_context():
        for step in ("ethics", "letter", "consent_form"):
            review.submit(session, study, student, step)
            review.decide(session, study, supervisor, step, outcome=Outcome.APPROVED)
        session.commit()
        assert review.may_recruit(session, study)


def test_an_approved_letter_is_a_draft_again_when_the_self_review_changes_it(
    app, session, people, study
):
    student, supervisor = people
    begin(app, session, study, student)
    approve_all(app, session, study, student, supervisor)
    answer_self_review(app, session, study, student, transfer_outside_eea="yes")
    with app.test_request_context():
        for step in ("letter", "consent_form"):
            state = review.step_state(session, study, step)
            assert state.status is StepStatus.DRAFT and state.changed_since_approval, step
        assert not review.may_recruit(session, study)


def test_the_approved_pdf_keeps_the_title_it_was_approved_with(
    app, session, client, auth, people, study
):
    student, supervisor = people
    begin(app, session, study, student)
    approve_all(app, session, study, student, supervisor)
    with app.test_request_context():
        studies.update_plan(session, study, student, {"title": "Ett nytt namn"})
        session.commit()
        assert review.step_state(session, study, "letter").status is StepStatus.DRAFT
    auth.login(student)
    for path in ("letter.pdf", "consent-form.pdf"):
        response = client.get(f"/studies/{study.id}/{path}?version=1")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        assert "Relationell välfärd" in text and "Ett nytt namn" not in text, path
