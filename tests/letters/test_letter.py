"""The letter and the consent form: generated complete, checked by a table of points, versioned."""

from __future__ import annotations

import copy

import pytest
from sqlmodel import select

from study.accounts.models import Role, User
from study.errors import UserError
from study.letters import consent_form, document, services
from study.letters.sections import CHILD, MAIN, SECTIONS, required_points
from study.review import services as review
from study.studies.models import StepStatus, Study

from ..conftest import answer_self_review


@pytest.fixture
def demo(app, runner, session):
    """The demo study, its student and supervisor."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    study = session.exec(select(Study)).one()
    student = session.exec(select(User).where(User.role == Role.STUDENT)).one()
    supervisor = session.exec(select(User).where(User.role == Role.SUPERVISOR)).one()
    return study, student, supervisor


def generate(app, session, study, student, codes=("sv", "en")) -> dict:
    with app.test_request_context():
        services.create(session, study, student, list(codes))
        session.commit()
        return document.letter_document(session, study)


def problems(app, current: dict) -> list[str]:
    with app.test_request_context():
        return [str(p) for p in document.letter_incomplete(current)]


def test_the_demo_letter_makes_every_point_the_table_asks_for(app, session, demo):
    study, student, _supervisor = demo
    current = generate(app, session, study, student)
    assert problems(app, current) == []
    with app.test_request_context():
        for code in ("sv", "en"):
            report = document.report(current, code)
            made = {s.key for s in report.sections if s.points and not s.missing}
            # Every section the quiet demo study needs, each with its points made.
            wanted = [s.key for s in SECTIONS if not s.needs and not s.written]
            assert set(wanted) <= made, set(wanted) - made
            assert report.lix is None or report.lix < 40


@pytest.mark.parametrize("section", [s for s in SECTIONS if not s.needs and not s.written])
def test_removing_a_section_makes_the_check_name_it(app, session, demo, section):
    study, student, _supervisor = demo
    current = generate(app, session, study, student, codes=("sv",))
    removed = copy.deepcopy(current)
    del removed["letters"]["sv"][MAIN][section.key]
    with app.test_request_context():
        found = problems(app, removed)
        heading = str(section.heading)
    assert len(found) == 1 and heading in found[0], found


@pytest.mark.parametrize("section", [s for s in SECTIONS if s.points and not s.needs])
def test_emptying_a_section_names_each_point_it_must_make(app, session, demo, section):
    study, student, _supervisor = demo
    current = generate(app, session, study, student, codes=("sv",))
    emptied = copy.deepcopy(current)
    emptied["letters"]["sv"][MAIN][section.key]["text"] = "Text utan innehåll."
    found = " ".join(problems(app, emptied))
    with app.test_request_context():
        for point in required_points(section, current["needs"]):
            if point.phrases.get("sv") and point.key not in {"place", "why_asked"}:
                assert str(point.label) in found, point.key


def test_the_controller_and_the_contacts_are_checked_as_facts_in_any_language(app, session, demo):
    study, student, _supervisor = demo
    current = generate(app, session, study, student, codes=("sv",))
    with app.test_request_context():
        services.add_language(session, study, student, "ar")
        session.commit()
        current = document.letter_document(session, study)
    arabic = current["letters"]["ar"]
    assert arabic["title"] == "" and all(not s["text"] for s in arabic[MAIN].values())
    for section in arabic[MAIN].values():
        section["heading"] = "عنوان"
        section["text"] = "نص القسم."
    arabic["title"] = "رسالة"
    found = problems(app, current)
    # Only the points that name facts remain: the controller, the officer, the contacts.
    assert len(found) == 3, found
    arabic[MAIN]["controller"]["text"] += " " + study.controller
    arabic[MAIN]["dpo"]["text"] += " " + study.data_protection_officer
    arabic[MAIN]["responsible"]["text"] += " student@example.org handledare@example.org"
    assert problems(app, current) == []


def test_minors_dependency_and_recording_bring_their_sections_and_items(
    app, session, make_user, make_study
):
    student, supervisor = make_user(Role.STUDENT), make_user(Role.SUPERVISOR)
    study = make_study(student, supervisor)
    answer_self_review(
        app, session, study, student, minors="under_15", dependency="yes", recording="video"
    )
    current = generate(app, session, study, student, codes=("sv", "en"))
    sv = current["letters"]["sv"]
    assert {"minors", "dependency"} <= set(sv[MAIN])
    assert "transfer" not in sv[MAIN]
    assert CHILD in sv and set(sv[CHILD]) == {s.key for s in SECTIONS if s.child_heading}
    with app.test_request_context():
        consent_form.create(session, study, student)
        session.commit()
        form = document.form_document(session, study)
    keys = [item["key"] for item in form["items"]]
    assert keys[0] == "participation" and form["items"][0]["required"]
    assert "video_recording" in keys and "audio_recording" not in keys
    assert form["signatures"] == "guardians"
    assert set(form["languages"]) == {"sv", "en"}
    assert all(item["texts"]["sv"] and item["texts"]["en"] for item in form["items"])


def test_aged_15_to_17_asks_the_young_person_and_no_child_letter(
    app, session, make_user, make_study
):
    student = make_user(Role.STUDENT)
    study = make_study(student, make_user(Role.SUPERVISOR))
    answer_self_review(app, session, study, student, minors="aged_15_17")
    current = generate(app, session, study, student, codes=("sv",))
    assert "minors" in current["letters"]["sv"][MAIN] and CHILD not in current["letters"]["sv"]
    with app.test_request_context():
        consent_form.create(session, study, student)
        assert document.form_document(session, study)["signatures"] == "respondent"


def test_a_changed_self_review_offers_the_sections_it_now_needs(
    app, session, make_user, make_study
):
    student = make_user(Role.STUDENT)
    study = make_study(student, make_user(Role.SUPERVISOR))
    answer_self_review(app, session, study, student)
    generate(app, session, study, student, codes=("sv", "ar"))
    answer_self_review(app, session, study, student, transfer_outside_eea="yes")
    with app.test_request_context():
        current = document.letter_document(session, study)
        assert ("main", "transfer") in document.report(current, "sv").absent
        assert services.add_missing_sections(session, study, student) == ["main.transfer"]
        current = document.letter_document(session, study)
    assert current["letters"]["sv"][MAIN]["transfer"]["text"]
    assert current["letters"]["ar"][MAIN]["transfer"] == {"heading": "", "text": ""}
    with app.test_request_context():
        shown = [s.key for s in document.report(current, "sv").sections]
    assert shown.index("transfer") == shown.index("recipients") + 1


def test_languages_are_one_version_and_the_form_follows_them(app, session, demo):
    study, student, supervisor = demo
    generate(app, session, study, student, codes=("sv",))
    with app.test_request_context():
        consent_form.create(session, study, student)
        services.add_language(session, study, student, "en")
        session.commit()
        assert document.form_document(session, study)["languages"] == ["sv", "en"]
        services.remove_language(session, study, student, "en")
        assert document.form_document(session, study)["languages"] == ["sv"]
        with pytest.raises(UserError):
            services.remove_language(session, study, student, "sv")
        with pytest.raises(UserError):
            services.add_language(session, study, student, "xx")
        with pytest.raises(UserError):
            services.add_language(session, study, supervisor, "en")
        version = review.submit(session, study, student, "letter")
        session.commit()
        assert set(version.content["letters"]) == {"sv"}
        with pytest.raises(UserError):
            services.add_language(session, study, student, "en")


def test_an_edit_after_approval_starts_a_new_draft(app, session, demo):
    study, student, supervisor = demo
    generate(app, session, study, student, codes=("sv",))
    with app.test_request_context():
        review.submit(session, study, student, "letter")
        review.decide(session, study, supervisor, "letter", outcome=review.Outcome.APPROVED)
        session.commit()
        assert review.step_state(session, study, "letter").status is StepStatus.APPROVED
        services.save_language(
            session, study, student, "sv", "Ny titel", {(MAIN, "results"): ("Resultat", "Ny text.")}
        )
        state = review.step_state(session, study, "letter")
    assert state.status is StepStatus.DRAFT and state.changed_since_approval


def test_a_section_the_self_review_needs_cannot_be_removed(app, session, demo):
    study, student, _supervisor = demo
    generate(app, session, study, student, codes=("sv",))
    with app.test_request_context(), pytest.raises(UserError):
        services.remove_section(session, study, student, MAIN, "controller")


def test_the_consent_form_keeps_required_items_and_takes_the_students_own(app, session, demo):
    study, student, _supervisor = demo
    generate(app, session, study, student, codes=("sv",))
    with app.test_request_context():
        consent_form.create(session, study, student)
        key = consent_form.add_item(session, study, student)
        incomplete = [
            str(p) for p in document.form_incomplete(document.form_document(session, study))
        ]
        assert incomplete and "svenska" in incomplete[0]
        consent_form.save_language(session, study, student, "sv", {}, {key: "Jag vill ha ett sms."})
        assert document.form_incomplete(document.form_document(session, study)) == []
        with pytest.raises(UserError):
            consent_form.remove_item(session, study, student, "participation")
        consent_form.remove_item(session, study, student, "contact_again")
        consent_form.remove_item(session, study, student, key)
        keys = [i["key"] for i in document.form_document(session, study)["items"]]
    assert keys == ["participation", "audio_recording", "quotes", "storage"]
