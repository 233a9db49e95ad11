"""The information letter and the consent form in a real browser: written, checked, approved.

The issue's story: the student generates the letter in Swedish and English, sees the checks
beside a section change as she writes, generates the consent form and submits both; the
supervisor approves both; the student prints the blank consent form. Then the letter's
pages, in every language of the letter and of the interface, pass axe-core's WCAG checks.
The interface is Swedish (the browser's locale is sv-SE); a section's text box is found by
its label within the section, and the checks beside it by their id.
"""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from study.accounts.models import Role
from study.letters import consent_form, services

from ..conftest import PASSWORD, answer_self_review
from .axe import assert_accessible, axe_source

#: Pressing wording the editor must mark (data/persuasive_sv.txt: "viktig* att du/ni deltar").
PRESSING = "Det är viktigt att du deltar."


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina studier")).to_be_visible()


def planned_study(app, session, make_user, make_study):
    """A student's study with a supervisor, its self-review answered, its plan's facts named."""
    student = make_user(Role.STUDENT, email="sara@example.org", name="Sara Student")
    supervisor = make_user(Role.SUPERVISOR, email="hanna@example.org", name="Hanna Handledare")
    study = make_study(student, supervisor, title="Unga vuxnas vägar till stöd")
    answer_self_review(app, session, study, student)
    study.controller = "Göteborgs universitet"
    study.data_protection_officer = "Dataskyddsombudet, dataskydd@gu.se"
    session.add(study)
    session.commit()
    return student, supervisor, study


def text_of(page, section: str):
    """Return the text box of one section of the letter in the editor."""
    return page.locator(f"#section-main-{section}").get_by_label("Text")


def submit_step(page, study_id: int, step: str) -> None:
    page.goto(f"/studies/{study_id}/steps/{step}")
    expect(page.locator("#incomplete")).to_have_count(0)
    page.get_by_role("button", name="Lämna in till handledaren").click()
    expect(page.locator(".flash.success")).to_contain_text("Version 1")


def approve_step(page, study_id: int, step: str) -> None:
    page.goto(f"/studies/{study_id}/steps/{step}")
    page.get_by_role("radio", name="Godkänn den här versionen").check()
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Godkänd")


def pdf_behind(page, link) -> bytes:
    """Fetch the PDF a link points to, with the page's session, and check that it is one."""
    response = page.request.get(link.get_attribute("href"))
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-") and len(body) > 5_000, body[:100]
    return body


def test_a_letter_is_generated_checked_as_it_is_written_submitted_and_approved(
    app, session, make_user, make_study, page_factory
):
    student, supervisor, study = planned_study(app, session, make_user, make_study)
    letter_page = f"/studies/{study.id}/letter"

    sara = page_factory()
    log_in(sara, student.email)
    sara.goto(f"/studies/{study.id}")
    sara.locator("#step-letter").get_by_role("link", name="Informationsbrev").click()
    expect(sara).to_have_url(re.compile(f"{letter_page}$"))

    # Swedish is ticked already; English is added.
    expect(sara.get_by_role("checkbox", name="svenska")).to_be_checked()
    sara.get_by_role("checkbox", name="English").check()
    sara.get_by_role("button", name="Skapa brevet").click()
    expect(sara).to_have_url(re.compile(f"{letter_page}/sv$"))
    expect(sara.locator(".flash.success")).to_be_visible()
    expect(sara.get_by_role("navigation", name="Språk").get_by_role("link")).to_have_text(
        re.compile("engelska")
    )

    # The editor marks pressing wording, and a point a section no longer makes, beside the
    # section as it is written: it saves by itself and swaps in the checks, without a reload.
    sara.evaluate("window.notReloaded = true")
    request, results = text_of(sara, "request"), text_of(sara, "results")
    original_request, original_results = request.input_value(), results.input_value()
    request_checks = sara.locator("#checks-main-request")
    results_checks = sara.locator("#checks-main-results")
    expect(request_checks.locator("mark")).to_have_count(0)
    expect(results_checks.locator(".point.missing")).to_have_count(0)
    expect(results_checks.locator(".point.made").first).to_be_visible()

    request.press_sequentially(" " + PRESSING)
    expect(request_checks.locator("mark")).to_have_text(
        re.compile("viktigt att du deltar", re.IGNORECASE)
    )
    results.fill("")
    expect(results_checks.locator(".point.missing").first).to_be_visible()
    expect(results_checks.locator(".point.made")).to_have_count(0)
    expect(sara.locator("#checks-letter .problems li").first).to_be_visible()
    expect(sara.locator(".save-status")).to_contain_text("Sparat")
    assert sara.evaluate("window.notReloaded") is True

    # Put back, the sections are clean again, and that is what was saved.
    request.fill(original_request)
    results.fill(original_results)
    expect(request_checks.locator("mark")).to_have_count(0)
    expect(results_checks.locator(".point.missing")).to_have_count(0)
    expect(sara.locator("#checks-letter .problems")).to_have_count(0)
    assert sara.evaluate("window.notReloaded") is True
    sara.reload()
    # (Saving tidies a text: the generated text's final line break goes.)
    assert text_of(sara, "request").input_value().strip() == original_request.strip()
    assert text_of(sara, "results").input_value().strip() == original_results.strip()

    # The consent form follows the letter's languages.
    sara.goto(letter_page)
    sara.get_by_role("link", name="Samtyckesblankett", exact=True).click()
    sara.get_by_role("button", name="Skapa samtyckesblanketten").click()
    expect(sara.locator(".flash.success")).to_be_visible()
    expect(sara.get_by_role("navigation", name="Språk").get_by_role("link")).to_have_text(
        re.compile("engelska")
    )
    expect(sara.locator(".consent-item textarea").first).not_to_be_empty()

    submit_step(sara, study.id, "letter")
    submit_step(sara, study.id, "consent_form")

    hanna = page_factory()
    log_in(hanna, supervisor.email)
    approve_step(hanna, study.id, "letter")
    approve_step(hanna, study.id, "consent_form")

    # The student prints the approved blank form for consent on paper: no draft mark on it.
    sara.goto(f"/studies/{study.id}/consent-form")
    expect(sara.locator("h1 .badge")).to_have_text("Godkänd")
    approved = pdf_behind(
        sara, sara.get_by_role("link", name="Den godkända tomma blanketten (version 1) som pdf")
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(approved)).pages)
    assert study.title in text
    assert "Utkast" not in text

    pdf_behind(sara, sara.get_by_role("link", name="Tom blankett som pdf (svenska)"))


def test_the_letters_pages_are_accessible_in_every_language(
    app, session, make_user, make_study, page_factory
):
    axe_source()  # Fetched once, or the test skips (fails in CI) before it begins.
    student, _supervisor, study = planned_study(app, session, make_user, make_study)
    with app.test_request_context():
        services.create(session, study, student, ["sv", "en"])
        consent_form.create(session, study, student)
        session.commit()
    letter_page = f"/studies/{study.id}/letter"

    sara = page_factory()
    log_in(sara, student.email)
    sara.goto(letter_page)
    # An Arabic translation, written right to left, begun in a few sections.
    sara.get_by_role("combobox", name="Språk").select_option("ar")
    sara.get_by_role("button", name="Lägg till språket").click()
    expect(sara).to_have_url(re.compile(f"{letter_page}/ar$"))
    expect(text_of(sara, "request")).to_have_attribute("dir", "rtl")
    sara.get_by_label("Brevets titel").fill("رسالة معلومات عن الدراسة")
    for key in ("request", "background", "voluntary"):
        section = sara.locator(f"#section-main-{key}")
        section.get_by_label("Rubrik för").fill("عنوان القسم")
        section.get_by_label("Text").fill("نص القسم باللغة العربية.")
    sara.get_by_role("button", name="Spara", exact=True).click()
    expect(sara.locator(".flash.success")).to_be_visible()

    failures = []

    def check(path: str, what: str) -> None:
        sara.goto(path)
        try:
            assert_accessible(sara, context=what)
        except AssertionError as error:
            failures.append(str(error))

    for interface in ("sv", "en"):
        if interface == "en":
            sara.locator("ul.languages").get_by_role("link", name="English", exact=True).click()
            expect(sara.locator("html")).to_have_attribute("lang", "en")
        check(letter_page, f"the letter's overview ({interface} interface)")
        for code in ("sv", "en", "ar"):
            where = f"{code}, {interface} interface"
            check(f"{letter_page}/{code}", f"the letter's editor ({where})")
            check(f"{letter_page}/{code}/preview?draft=1", f"the letter's preview ({where})")
            check(f"/studies/{study.id}/consent-form?lang={code}", f"the consent form ({where})")
    assert not failures, "\n\n".join(failures)
