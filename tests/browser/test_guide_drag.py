"""Dragging a question in the guide editor with the mouse moves it, as the buttons do."""

from __future__ import annotations

from playwright.sync_api import expect

from study.accounts.models import Role
from study.guide import services

from ..conftest import PASSWORD


def test_a_question_dragged_onto_another_takes_its_place(
    app, session, make_user, make_study, page_factory
):
    student = make_user(Role.STUDENT)
    study = make_study(student, make_user(Role.SUPERVISOR))
    with app.test_request_context():
        services.save_guide(
            session,
            study,
            student,
            {
                "title": "G",
                "sections": [{"title": "A", "questions": ["Första?", "Andra?", "Tredje?"]}],
            },
        )
        session.commit()
    page = page_factory()
    page.goto("/login")
    page.get_by_label("E-post").fill(student.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"/studies/{study.id}/guide")
    handle = page.locator(".guide-question .drag-handle").nth(0).bounding_box()
    target = page.locator(".guide-question").nth(2).bounding_box()
    page.mouse.move(handle["x"] + 5, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 20, handle["y"] + 40, steps=5)
    page.mouse.move(target["x"] + 40, target["y"] + 20, steps=10)
    page.mouse.up()
    texts = page.locator(".guide-question textarea[name$='-text']")
    expect(texts.first).to_have_value("Andra?")
    expect(texts.nth(2)).to_have_value("Första?")
    # The page opens at the question moved, its wording in focus.
    expect(texts.nth(2)).to_be_focused()
