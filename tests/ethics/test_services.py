"""Self-review answers as the service stores them, and the document a version freezes."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from flask_babel import force_locale
from sqlmodel import select

from study.accounts.models import Role
from study.audit import AuditEvent
from study.errors import UserError
from study.ethics import rules
from study.ethics import services as ethics
from study.ethics.models import EthicsAnswers
from study.review import services as review
from study.studies.models import StepStatus

from ..conftest import quiet_answers


@contextmanager
def english(app):
    """A request context whose messages are in English (the source language)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def student(make_user):
    return make_user(Role.STUDENT)


@pytest.fixture
def study(student, make_user, make_study):
    return make_study(student, make_user(Role.SUPERVISOR))


def saved_events(session, study) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.study_id == study.id, AuditEvent.action == "ethics.saved")
            .order_by(AuditEvent.id)
        )
    )


def save(app, session, study, student, changes: dict) -> dict:
    with english(app):
        given = ethics.save_answers(session, study, student, changes)
        session.commit()
    return given


# --- save_answers ----------------------------------------------------------------------------


def test_answers_are_stored_cleaned_and_the_save_is_logged(app, session, study, student):
    given = save(
        app,
        session,
        study,
        student,
        {
            "respondents": ("  Lärare på två skolor \r\n", ""),
            "risk_of_harm": ("yes", " Minnen kan göra ont. "),
            "deception": ("no", "Ingen förklaring behövs"),
            "sensitive_categories": (["health", "religion", "health"], ""),
        },
    )
    expected = {
        "respondents": {"value": "Lärare på två skolor", "explanation": ""},
        "risk_of_harm": {"value": "yes", "explanation": "Minnen kan göra ont."},
        # An explanation that no answer asks for is not kept.
        "deception": {"value": "no", "explanation": ""},
        # The options once each, in the question's order.
        "sensitive_categories": {"value": ["religion", "health"], "explanation": ""},
    }
    assert given == expected
    assert ethics.answers(session, study) == expected
    row = session.exec(select(EthicsAnswers).where(EthicsAnswers.study_id == study.id)).one()
    assert row.updated_by == student.id
    [entry] = saved_events(session, study)
    assert entry.actor_id == student.id
    assert entry.subject == f"study:{study.id}"
    assert json.loads(entry.details) == {
        "questions": ["deception", "respondents", "risk_of_harm", "sensitive_categories"]
    }
    # The audit log holds which questions were answered, never the answers.
    assert "Lärare" not in entry.details
    assert review.step_state(session, study, "ethics").status is StepStatus.DRAFT


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("minors", "maybe"),
        ("risk_of_harm", "ja"),
        ("sensitive_categories", ["health", "astrology"]),
        ("retention_date", "30/06/2027"),
        ("retention_date", "2027-02-30"),
        ("retention_date", "20270630"),
        ("respondents", "x" * 5001),
        ("respondents", 42),
    ],
)
def test_a_bad_answer_is_refused_at_its_question_and_nothing_is_stored(
    app, session, study, student, key, value
):
    with english(app):
        with pytest.raises(UserError) as refused:
            ethics.save_answers(
                session, study, student, {"recruitment": ("Via rektorn", ""), key: (value, "")}
            )
        session.rollback()
    assert refused.value.field == key
    assert ethics.answers(session, study) == {}
    assert saved_events(session, study) == []
    assert review.step_state(session, study, "ethics").status is StepStatus.NOT_STARTED


def test_an_unknown_question_is_refused(app, session, study, student):
    with english(app), pytest.raises(UserError, match="no such question"):
        ethics.save_answers(session, study, student, {"favourite_colour": ("blå", "")})


def test_an_empty_answer_removes_the_answer(app, session, study, student):
    save(
        app,
        session,
        study,
        student,
        {
            "respondents": ("Lärare", ""),
            "recruitment": ("Via rektorn", ""),
            "sensitive_categories": (["health"], ""),
            "retention_date": ("2027-06-30", ""),
        },
    )
    given = save(
        app,
        session,
        study,
        student,
        {
            "respondents": ("   ", ""),
            "sensitive_categories": ([], ""),
            "retention_date": ("", ""),
        },
    )
    assert given == {"recruitment": {"value": "Via rektorn", "explanation": ""}}
    assert ethics.answers(session, study) == given
    assert len(saved_events(session, study)) == 2


def test_an_explanation_alone_is_no_answer(app, session, study, student):
    given = save(
        app, session, study, student, {"respondents": ("Lärare", ""), "risk_of_harm": ("", "Ja")}
    )
    assert "risk_of_harm" not in given


def test_saving_the_same_answers_again_writes_nothing(app, session, study, student):
    save(app, session, study, student, {"respondents": ("Lärare", ""), "minors": ("no", "")})
    row = session.exec(select(EthicsAnswers).where(EthicsAnswers.study_id == study.id)).one()
    stored, updated_at = row.answers, row.updated_at
    given = save(
        app, session, study, student, {"respondents": (" Lärare ", ""), "minors": ("no", "x")}
    )
    assert given == json.loads(stored)
    session.expire_all()
    row = session.get(EthicsAnswers, row.id)
    assert (row.answers, row.updated_at) == (stored, updated_at)
    assert len(saved_events(session, study)) == 1


def test_saving_only_empty_answers_to_a_new_self_review_writes_nothing(
    app, session, study, student
):
    given = save(app, session, study, student, {"respondents": ("", ""), "minors": ("", "")})
    assert given == {}
    assert session.exec(select(EthicsAnswers)).all() == []
    assert saved_events(session, study) == []
    assert review.step_state(session, study, "ethics").status is StepStatus.NOT_STARTED


def test_saving_follows_the_step_status(app, session, study, student):
    assert review.step_state(session, study, "ethics").status is StepStatus.NOT_STARTED
    save(app, session, study, student, {"respondents": ("Lärare", "")})
    assert review.step_state(session, study, "ethics").status is StepStatus.DRAFT


# --- the document a version freezes ------------------------------------------------------------


def test_the_document_keeps_only_the_answers_that_are_shown(app):
    given = quiet_answers(risk_of_harm="no")
    given["support"] = {"value": "Studenthälsan", "explanation": ""}
    given["sensitive_categories"] = {"value": ["health"], "explanation": ""}
    with english(app):
        document = ethics.document_from(given)
    assert set(document) == {"answers", "warnings", "route"}
    assert "support" not in document["answers"]
    assert "sensitive_categories" not in document["answers"]
    assert document["answers"]["risk_of_harm"] == given["risk_of_harm"]
    assert set(document["answers"]) == set(given) - {"support", "sensitive_categories"}

    given["risk_of_harm"] = {"value": "yes", "explanation": "Kan väcka minnen."}
    with english(app):
        document = ethics.document_from(given)
    assert document["answers"]["support"]["value"] == "Studenthälsan"


def test_the_document_lists_the_warnings_and_the_route(app):
    given = quiet_answers(minors="under_15", recording="video", publication="yes")
    with english(app):
        document = ethics.document_from(given)
    expected = [rule.key for rule in rules.triggered(given)]
    assert document["warnings"] == expected
    assert {"minors_under_15", "recording_video", "publication"} <= set(expected)
    assert document["route"] == "ethical_review_authority"


def test_a_quiet_self_review_takes_the_student_exemption(app):
    with english(app):
        document = ethics.document_from(quiet_answers())
    assert document["route"] == "student_exemption"
    by_key = {rule.key: rule for rule in rules.RULES}
    assert all(by_key[key].severity is not rules.Severity.BLOCKING for key in document["warnings"])


def test_the_universitys_ban_on_sensitive_data_is_part_of_the_document(app):
    given = quiet_answers(criminal_offences="yes")
    with english(app):
        allowed = ethics.document_from(given)
        app.config["SENSITIVE_DATA_FORBIDDEN"] = True
        forbidden = ethics.document_from(given)
    assert "sensitive_data_forbidden" not in allowed["warnings"]
    assert forbidden["warnings"] == [*allowed["warnings"], "sensitive_data_forbidden"]
    assert allowed["route"] == forbidden["route"] == "ethics_council"


def test_the_study_document_is_built_from_its_stored_answers(app, session, study, student):
    answers = quiet_answers(dependency="yes")
    save(
        app,
        session,
        study,
        student,
        {k: (a["value"], a["explanation"]) for k, a in answers.items()},
    )
    with english(app):
        document = ethics.document(session, study)
        assert document == ethics.document_from(ethics.answers(session, study))
    assert "dependency" in document["warnings"]
    assert document["answers"]["dependency"] == {"value": "yes", "explanation": "Förklaring."}
