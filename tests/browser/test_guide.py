"""The interview guide in a real browser: written, reordered by keyboard, reviewed, approved.

The issue's story: the student builds a guide from nothing in the editor (sections, questions,
probes), moves a question with the keyboard alone, and submits the guide; the supervisor
comments on one question and asks for changes; the student changes it and submits again; the
supervisor approves; the student downloads the approved appendix. Then the editor and
interview mode pass axe-core's WCAG checks in Swedish and English, interview mode shows one
section at a time and ticks questions off, and it asks no other host for anything.
The interface is Swedish (the browser's locale is sv-SE).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect
from pypdf import PdfReader

from study.accounts.models import Role
from study.demo import load_demo_document
from study.guide import services

from ..conftest import PASSWORD
from .axe import assert_accessible, axe_source

GUIDE_TITLE = "Frågeguide om vägar till stöd"
SECTIONS = (("Bakgrund", "10"), ("Stödet", "20"))
FIRST = "Berätta om dig själv."
SECOND = "Hur kom du i kontakt med stödet?"
THIRD = "Vad har stödet betytt för dig?"
THIRD_CHANGED = "Vad har stödet betytt i din vardag?"
PROBES = ("Hur länge sedan var det?", "Vem tog det första steget?")
#: The interviewer's note on a question: shown to her, never printed in the appendix.
NOTE = "Ta det lugnt här, ge tid att tänka."
COMMENT = "Kan ni fråga mer konkret om vardagen?"


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina studier")).to_be_visible()


def people_and_study(make_user, make_study):
    student = make_user(Role.STUDENT, email="sara@example.org", name="Sara Student")
    supervisor = make_user(Role.SUPERVISOR, email="hanna@example.org", name="Hanna Handledare")
    study = make_study(student, supervisor, title="Unga vuxnas vägar till stöd")
    return student, supervisor, study


def sections_of(page):
    return page.locator("section.guide-part")


def questions_of(section):
    """The text boxes of a section's questions, in order."""
    return section.locator("li.guide-question textarea[name$='-text']")


def kept(problems: list[str], what: str, check, found=lambda: "") -> None:
    """Run a check; if it fails, keep what failed (and what was found) instead of stopping."""
    try:
        check()
    except AssertionError:
        problems.append(f"{what} ({found()})")


def save(page) -> None:
    page.get_by_role("button", name="Spara", exact=True).first.click()
    expect(page.locator(".flash.success")).to_have_text("Guiden har sparats.")


def submit(page, review_page: str, version: int) -> None:
    page.goto(review_page)
    expect(page.locator("#incomplete")).to_have_count(0)
    page.get_by_role("button", name="Lämna in till handledaren").click()
    expect(page.locator(".flash.success")).to_contain_text(f"Version {version}")


def test_a_guide_is_written_reordered_by_keyboard_reviewed_changed_and_approved(
    app, session, make_user, make_study, page_factory
):
    student, supervisor, study = people_and_study(make_user, make_study)
    guide_page = f"/studies/{study.id}/guide"
    review_page = f"/studies/{study.id}/steps/guide"
    problems: list[str] = []

    sara = page_factory()
    log_in(sara, student.email)
    sara.goto(guide_page)
    expect(sara.get_by_role("heading", name="Intervjuguide", exact=False)).to_be_visible()
    expect(sections_of(sara)).to_have_count(0)

    # Two sections, each with its first (empty) question.
    for count in (1, 2):
        sara.get_by_role("button", name="Lägg till ett avsnitt").click()
        expect(sections_of(sara)).to_have_count(count)
    first, second = sections_of(sara).nth(0), sections_of(sara).nth(1)
    expect(questions_of(first)).to_have_count(1)
    expect(questions_of(second)).to_have_count(1)

    sara.get_by_label("Guidens titel").fill(GUIDE_TITLE)
    for section, (title, minutes) in zip((first, second), SECTIONS, strict=True):
        section.get_by_label("Rubrik för avsnitt").fill(title)
        section.get_by_label("Minuter för avsnitt").fill(minutes)
    questions_of(first).nth(0).fill(FIRST)
    questions_of(second).nth(0).fill(THIRD)
    # The button sends the form: what is written so far is saved with it.
    sara.get_by_role("button", name="Lägg till en fråga i avsnitt 1").click()
    first, second = sections_of(sara).nth(0), sections_of(sara).nth(1)
    expect(questions_of(first)).to_have_count(2)
    expect(questions_of(first).nth(0)).to_have_value(FIRST)
    expect(questions_of(second).nth(0)).to_have_value(THIRD)
    questions_of(first).nth(1).fill(SECOND)
    asked_first = first.locator("li.guide-question").nth(0)
    asked_first.get_by_label("Följdfrågor till fråga").fill("\n".join(PROBES))
    asked_first.get_by_label("Dina anteckningar").fill(NOTE)
    # The texts save themselves as they are typed; the Save button then saves them anyway.
    status = sara.locator(".save-status")
    kept(
        problems,
        "the editor's texts are not saved as they are typed",
        lambda: expect(status).to_contain_text("Sparat", timeout=5_000),
        lambda: f"the status line says {status.inner_text()!r}",
    )
    save(sara)
    expect(sara.locator("#guide-total")).to_contain_text("30 minuter")

    # The first question moves down with the keyboard alone; the page opens at it, with the
    # focus in its first field.
    first = sections_of(sara).nth(0)
    moved_id = first.locator("li.guide-question").nth(0).get_attribute("id")
    button = first.get_by_role("button", name="Flytta ned fråga 1")
    button.focus()
    expect(button).to_be_focused()
    sara.keyboard.press("Enter")
    expect(sara).to_have_url(re.compile(rf"{guide_page}#{moved_id}\b"))
    first = sections_of(sara).nth(0)
    expect(questions_of(first).nth(0)).to_have_value(SECOND)
    expect(questions_of(first).nth(1)).to_have_value(FIRST)
    moved = first.locator("li.guide-question").nth(1)
    assert moved.get_attribute("id") == moved_id
    # The focus is in the moved question's first field. (A failed check is kept and fails the
    # test at the end, so that the rest of the story is still checked.)
    kept(
        problems,
        f"after question {moved_id} is moved down by keyboard, the focus is not in its first "
        f"field ({moved_id}-text)",
        lambda: expect(moved.locator("textarea[name$='-text']")).to_be_focused(timeout=2_000),
        lambda: (
            "it is on "
            + sara.evaluate("() => document.activeElement.id || document.activeElement.tagName")
        ),
    )
    # Its probes and note moved with it.
    expect(moved.get_by_label("Följdfrågor till fråga")).to_have_value("\n".join(PROBES))
    expect(moved.get_by_label("Dina anteckningar")).to_have_value(NOTE)
    commented_id = sections_of(sara).nth(1).locator("li.guide-question").nth(0).get_attribute("id")

    submit(sara, review_page, 1)

    hanna = page_factory()
    log_in(hanna, supervisor.email)
    hanna.goto(review_page)
    hanna.get_by_role("radio", name="Be om ändringar").check()
    hanna.get_by_text("Kommentera enskilda frågor").click()
    note = hanna.locator(f"textarea[name=note_{commented_id}]")
    expect(note).to_have_accessible_name(re.compile("^Kommentar till ”"))
    note.fill(COMMENT)
    hanna.get_by_role("button", name="Spara beslutet").click()
    expect(hanna.locator(".flash.success")).to_be_visible()
    expect(hanna.locator("h1 .badge")).to_have_text("Behöver ändras")

    # The student reads the comment beside the question, changes it and submits again.
    sara.goto(review_page)
    expect(sara.get_by_role("heading", name="Handledaren ber om ändringar")).to_be_visible()
    expect(sara.locator(f"#note-{commented_id}")).to_contain_text(COMMENT)
    sara.goto(guide_page)
    questions_of(sections_of(sara).nth(1)).nth(0).fill(THIRD_CHANGED)
    save(sara)
    submit(sara, review_page, 2)

    hanna.goto(review_page)
    # She sees what changed since the version she commented on.
    kept(
        problems,
        "the supervisor's comparison of version 2 with version 1 does not show the changed "
        "wording of question 3",
        lambda: expect(
            hanna.locator(f"table.diff tr.changed#diff-{commented_id} ins")
        ).to_contain_text("vardag", timeout=2_000),
        lambda: (
            "the page says: " + hanna.get_by_text(re.compile("sedan version 1")).first.inner_text()
        ),
    )
    hanna.get_by_role("radio", name="Godkänn den här versionen").check()
    hanna.get_by_role("button", name="Spara beslutet").click()
    expect(hanna.locator(".flash.success")).to_be_visible()
    expect(hanna.locator("h1 .badge")).to_have_text("Godkänd")

    # The approved appendix, downloaded as the bundle from the appendices page: every
    # question in order, the probes, no note, no draft mark (the guide is the only part).
    sara.goto(f"/studies/{study.id}/appendices")
    with sara.expect_download() as download:
        sara.get_by_role("link", name="Alla valda bilagor som en pdf").click()
    body = Path(download.value.path()).read_bytes()
    pages = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "Bilaga 1 Frågeguide" in " ".join(pages.split())
    response = sara.request.get(f"/studies/{study.id}/guide/appendix.pdf?version=2")
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-"), body[:100]
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages
    )
    places = [text.find(question) for question in (SECOND, FIRST, THIRD_CHANGED)]
    assert -1 not in places and places == sorted(places), (places, text)
    assert THIRD not in text
    assert all(probe in text for probe in PROBES), text
    assert places[1] < text.find(PROBES[0]) < places[2]
    assert GUIDE_TITLE in text and SECTIONS[0][0] in text and SECTIONS[1][0] in text
    assert NOTE not in text
    assert "Utkast" not in text
    assert not problems, "\n".join(problems)


def language_of(locator) -> str:
    """Return the language an element is marked as in (its nearest lang attribute)."""
    return locator.evaluate("e => (e.closest('[lang]') || {}).lang || ''")


def demo_guide() -> dict:
    """The demo guide, with minutes, research questions and a note added where it has none."""
    guide = load_demo_document("interview_guide.json")
    plan = load_demo_document("study_plan.json")
    for number, section in enumerate(guide["sections"]):
        section["minutes"] = 10 + 5 * number
    guide["sections"][0]["covers"] = plan["research_questions"][:1]
    guide["sections"][1]["questions"][0]["notes"] = "Låt svaret ta tid."
    return guide


def test_the_editor_and_interview_mode_are_accessible_and_interview_mode_is_offline(
    app, session, make_user, make_study, page_factory, live_server
):
    axe_source()  # Fetched once, or the test skips (fails in CI) before it begins.
    student, _supervisor, study = people_and_study(make_user, make_study)
    study.research_questions = "\n".join(
        load_demo_document("study_plan.json")["research_questions"]
    )
    session.add(study)
    session.commit()
    with app.test_request_context():
        guide = services.save_guide(session, study, student, demo_guide())
        session.commit()
    guide_page = f"/studies/{study.id}/guide"
    interview_page = f"/studies/{study.id}/guide/interview"
    own_host = urlsplit(live_server).netloc
    first_part_question = guide["sections"][0]["questions"][0]["text"]
    section_titles = [section["title"] for section in guide["sections"]]

    sara = page_factory()
    log_in(sara, student.email)
    requested: list[str] = []
    sara.on("request", lambda request: requested.append(request.url))

    failures = []
    problems: list[str] = []

    def check(what: str) -> None:
        try:
            assert_accessible(sara, context=what)
        except AssertionError as error:
            failures.append(str(error))

    for interface, words in (
        ("sv", {"next": "Nästa avsnitt", "previous": "Föregående avsnitt"}),
        ("en", {"next": "Next section", "previous": "Previous section"}),
    ):
        sara.goto(guide_page)
        if interface == "en":
            sara.locator("ul.languages").get_by_role("link", name="English", exact=True).click()
            expect(sara.locator("html")).to_have_attribute("lang", "en")
        expect(sections_of(sara)).to_have_count(len(guide["sections"]))
        check(f"the guide's editor ({interface} interface)")

        requested.clear()
        opened = sara.goto(interview_page)
        assert opened is not None and opened.ok, f"interview mode answered {opened.status}"
        parts = sara.locator(".interview-section")
        # The introduction, every section, the closing.
        expect(parts).to_have_count(len(guide["sections"]) + 2)
        expect(parts.nth(0)).to_be_visible()
        for index in range(1, len(guide["sections"]) + 2):
            expect(parts.nth(index)).to_have_attribute("hidden", "")
        previous = sara.get_by_role("button", name=words["previous"])
        following = sara.get_by_role("button", name=words["next"])
        expect(previous).to_be_disabled()
        # The interface's own words are marked as in the interface's language (WCAG 3.1.1
        # and 3.1.2); the guide's words may be in another.
        spoken = language_of(following)
        if spoken != interface:
            problems.append(
                f"interview mode in the {interface} interface: its buttons ({words['next']!r}) "
                f"are marked lang={spoken!r}"
            )
        check(f"interview mode ({interface} interface)")

        # Once open, the page needs no network: it goes on offline.
        sara.context.set_offline(True)
        try:
            following.click()
            expect(parts.nth(1)).to_be_visible()
            expect(parts.nth(1)).not_to_have_attribute("hidden", re.compile(".*"))
            expect(parts.nth(0)).to_have_attribute("hidden", "")
            expect(parts.nth(0)).to_be_hidden()
            expect(parts.nth(1).get_by_role("heading", level=1)).to_contain_text(section_titles[0])
            expect(previous).to_be_enabled()

            box = parts.nth(1).get_by_role("checkbox", name=first_part_question)
            expect(box).not_to_be_checked()
            box.check()
            expect(box).to_be_checked()
            text_decoration = (
                parts.nth(1)
                .locator(".question")
                .first.evaluate("element => getComputedStyle(element).textDecorationLine")
            )
            assert text_decoration == "line-through", text_decoration
            # Clicking the question's words ticks it too (the label holds the box).
            parts.nth(1).locator(".question").nth(1).click()
            expect(parts.nth(1).get_by_role("checkbox").nth(1)).to_be_checked()
            check(f"interview mode, first section, a question ticked ({interface} interface)")

            following.click()
            expect(parts.nth(2)).to_be_visible()
            expect(parts.nth(1)).to_have_attribute("hidden", "")
            previous.click()
            expect(parts.nth(1)).to_be_visible()
            expect(parts.nth(2)).to_have_attribute("hidden", "")
            # The ticks stay while the interviewer moves between sections.
            expect(box).to_be_checked()
        finally:
            sara.context.set_offline(False)

        foreign = [url for url in requested if urlsplit(url).netloc != own_host]
        assert not foreign, f"interview mode requested other hosts: {foreign}"
        assert requested, "interview mode was not loaded"

    assert not failures, "\n\n".join(failures)
    assert not problems, "\n".join(problems)
