"""The self-review goes to the supervisor and back, in two browsers (the issue's whole story)."""

from __future__ import annotations

from playwright.sync_api import expect

from study.accounts.models import Role

from ..conftest import PASSWORD, answer_self_review


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina studier")).to_be_visible()


def save(page) -> None:
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.locator(".flash.success")).to_be_visible()


def test_a_self_review_is_reviewed_changed_approved_and_changed_again(
    app, session, make_user, make_study, page_factory
):
    student = make_user(Role.STUDENT, email="sara@example.org")
    supervisor = make_user(Role.SUPERVISOR, email="hanna@example.org")
    study = make_study(student, supervisor, title="Unga vuxnas vägar till stöd")
    # The questions nobody warns about are answered already; the story is in the others.
    answer_self_review(app, session, study, student)
    review_page = f"/studies/{study.id}/steps/ethics"

    sara = page_factory()
    log_in(sara, student.email)
    sara.goto(f"/studies/{study.id}/ethics/samtyckeskravet")
    sara.locator("input[name=minors][value=under_15]").check()
    save(sara)
    sara.goto(f"/studies/{study.id}/ethics/gdpr")
    sara.locator("input[name=sensitive_data][value=yes]").check()
    sara.locator("textarea[name=sensitive_data__explanation]").fill("Hälsa berörs i intervjuerna.")
    sara.locator("input[name=sensitive_categories][value=health]").check()
    save(sara)

    # The warnings show at the answers and on the self-review's summary.
    sara.goto(f"/studies/{study.id}/ethics/gdpr")
    expect(sara.locator("#q-sensitive_data .warning-note")).to_be_visible()
    sara.goto(f"/studies/{study.id}/ethics/samtyckeskravet")
    expect(sara.locator("#q-minors .warning-note")).to_be_visible()
    sara.goto(f"/studies/{study.id}/ethics")
    expect(sara.locator(".warnings .severity-blocking")).to_have_count(2)

    sara.goto(review_page)
    sara.get_by_role("button", name="Lämna in till handledaren").click()
    expect(sara.locator(".flash.success")).to_contain_text("Version 1")

    hanna = page_factory()
    log_in(hanna, supervisor.email)
    hanna.goto(review_page)
    hanna.locator("input[name=outcome][value=changes_requested]").check()
    hanna.locator("details summary").click()
    hanna.locator("textarea[name=note_minors]").fill("Kan ni avgränsa till personer över 15 år?")
    hanna.get_by_role("button", name="Spara beslutet").click()
    expect(hanna.locator(".flash.success")).to_be_visible()

    sara.goto(review_page)
    expect(sara.locator("#note-minors")).to_contain_text("över 15 år")
    sara.goto(f"/studies/{study.id}/ethics/samtyckeskravet")
    sara.locator("input[name=minors][value=aged_15_17]").check()
    save(sara)
    sara.goto(review_page)
    sara.get_by_role("button", name="Lämna in till handledaren").click()
    expect(sara.locator(".flash.success")).to_contain_text("Version 2")

    hanna.goto(review_page)
    expect(hanna.locator("table.diff tr.changed#diff-minors")).to_be_visible()
    expect(hanna.locator("table.diff tr.changed#diff-minors ins")).to_be_visible()
    hanna.locator("input[name=outcome][value=approved]").check()
    hanna.get_by_role("button", name="Spara beslutet").click()
    # Not yet: the blocking warning about sensitive data must be acknowledged first.
    expect(hanna.locator(".error-summary")).to_be_visible()
    hanna.locator("#ack-sensitive_data").check()
    hanna.locator("input[name=outcome][value=approved]").check()
    hanna.get_by_role("button", name="Spara beslutet").click()
    expect(hanna.locator("h1 .badge")).to_have_text("Godkänd")

    sara.goto(f"/studies/{study.id}/ethics/konfidentialitetskravet")
    sara.locator("textarea[name=storage]").fill("På universitetets krypterade server.")
    save(sara)
    sara.goto(review_page)
    expect(sara.locator("#changed-since-approval")).to_be_visible()
    sara.goto(f"/studies/{study.id}")
    expect(sara.locator("#step-ethics .badge.changed")).to_be_visible()
    # The approval stays with version 2.
    hanna.goto(review_page)
    expect(hanna.locator("table.history")).to_contain_text("Godkänd")
