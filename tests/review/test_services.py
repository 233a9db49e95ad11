"""The review path as its services run it: submit, freeze, decide, edit again, recruit."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask_babel import force_locale
from sqlmodel import select

from study.accounts.models import Role
from study.audit import AuditEvent
from study.canonical import canonical_json, content_hash
from study.errors import UserError
from study.ethics import services as ethics
from study.review import services as review
from study.review import supervision
from study.review.documents import PROVIDERS, Item, StepDocument, register
from study.review.models import Outcome, ReviewDecision, StepVersion
from study.studies import services as studies
from study.studies.models import MemberRole, StepStatus, StudyStep

from ..conftest import answer_self_review, quiet_answers

STATES = (
    "not_started",
    "draft",
    "submitted",
    "changes_requested",
    "approved",
    "changed_since_approval",
)
#: What step_state reports for each state: (status, changed since approval).
REPORTED = {
    "not_started": (StepStatus.NOT_STARTED, False),
    "draft": (StepStatus.DRAFT, False),
    "submitted": (StepStatus.SUBMITTED, False),
    "changes_requested": (StepStatus.CHANGES_REQUESTED, False),
    "approved": (StepStatus.APPROVED, False),
    "changed_since_approval": (StepStatus.DRAFT, True),
}


@contextmanager
def english(app):
    """A request context whose messages are in English (the source language)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def drafts() -> Iterator[dict[tuple[int, str], dict]]:
    """Register simple documents for the letter and the consent form, held in a dict.

    The test writes a step's draft as `drafts[(study.id, step)] = {...}`.
    """
    held: dict[tuple[int, str], dict] = {}

    def make(step: str) -> StepDocument:
        return StepDocument(
            step=step,
            edit_endpoint="studies.dashboard",
            current=lambda _session, study: dict(held.get((study.id, step), {})),
            items=lambda document: [Item("text", "Text", document.get("text", ""))],
            incomplete=lambda document: [] if document.get("text") else ["write the text"],
        )

    steps = ("letter", "consent_form")
    # Should a real provider exist one day, the test's stands in for it and it comes back.
    before = {step: PROVIDERS[step] for step in steps if step in PROVIDERS}
    for step in steps:
        register(make(step))
    yield held
    for step in steps:
        PROVIDERS.pop(step)
    PROVIDERS.update(before)


@pytest.fixture
def people(make_user):
    return make_user(Role.STUDENT), make_user(Role.SUPERVISOR)


@pytest.fixture
def study(people, make_study):
    student, supervisor = people
    return make_study(student, supervisor)


def events(session, study, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.study_id == study.id, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )


def status_of(session, study, step: str = "ethics") -> tuple[StepStatus, bool]:
    state = review.step_state(session, study, step)
    return state.status, state.changed_since_approval


def submit_ready_self_review(app, session, study, student, **given) -> StepVersion:
    answer_self_review(app, session, study, student, **given)
    with english(app):
        version = review.submit(session, study, student, "ethics")
        session.commit()
    return version


# --- may_recruit: every combination of the three steps' states -------------------------


def reach(
    session, study, student, supervisor, step: str, state: str, edit: Callable[[int], None]
) -> None:
    """Bring one step to a state through the services; edit(n) writes content n."""
    if state == "not_started":
        return
    edit(1)
    if state == "draft":
        return
    review.submit(session, study, student, step)
    if state == "submitted":
        return
    if state == "changes_requested":
        review.decide(
            session, study, supervisor, step, outcome=Outcome.CHANGES_REQUESTED, comment="Ändra."
        )
        return
    review.decide(session, study, supervisor, step, outcome=Outcome.APPROVED)
    if state == "changed_since_approval":
        edit(2)


def editor(session, study, student, step: str, drafts: dict) -> Callable[[int], None]:
    """Return how content n of a step is written: the real self-review, or a test draft."""

    def edit_self_review(n: int) -> None:
        answers = quiet_answers(respondents=f"Version {n}")
        changes = {k: (a["value"], a["explanation"]) for k, a in answers.items()}
        ethics.save_answers(session, study, student, changes)

    def edit_draft(n: int) -> None:
        drafts[(study.id, step)] = {"text": f"Version {n}"}
        review.record_edit(session, study, step)

    return edit_self_review if step == "ethics" else edit_draft


def test_recruitment_waits_until_every_step_is_approved_at_its_current_version(
    app, session, people, drafts
):
    student, supervisor = people
    assert review.RECRUITMENT_STEPS == ("ethics", "letter", "consent_form")
    combinations = list(itertools.product(STATES, repeat=len(review.RECRUITMENT_STEPS)))
    assert len(combinations) == 216
    wrong = []
    with english(app):
        for combination in combinations:
            study = studies.create_study(
                session, student, {"title": "/".join(combination), "purpose": "Att undersöka."}
            )
            invitation, _token = studies.invite_member(
                session, study, student, supervisor.email, MemberRole.SUPERVISOR
            )
            studies.accept_invitation(session, invitation, supervisor)
            for step, state in zip(review.RECRUITMENT_STEPS, combination, strict=True):
                edit = editor(session, study, student, step, drafts)
                reach(session, study, student, supervisor, step, state, edit)
                if status_of(session, study, step) != REPORTED[state]:
                    wrong.append(f"{step} should be {state}: {status_of(session, study, step)}")
            expected = all(state == "approved" for state in combination)
            if review.may_recruit(session, study) is not expected:
                wrong.append(f"{combination}: may_recruit should be {expected}")
            session.commit()
    assert not wrong, "\n".join(wrong)


# --- submitting ---------------------------------------------------------------------------


def test_a_submitted_version_freezes_the_canonical_document_and_its_hash(
    app, session, people, study
):
    student, _supervisor = people
    answer_self_review(app, session, study, student, respondents="Lärare på en skola")
    with english(app):
        document = ethics.document(session, study)
        version = review.submit(session, study, student, "ethics")
        session.commit()
    assert version.number == 1
    assert version.document == canonical_json(document)
    assert version.content == document
    assert version.content_hash == content_hash(document)
    assert version.submitted_by == student.id
    assert version.content["answers"]["respondents"]["value"] == "Lärare på en skola"
    assert status_of(session, study) == (StepStatus.SUBMITTED, False)

    [entry] = events(session, study, "step.submitted")
    assert entry.actor_id == student.id
    assert entry.subject == f"step_version:{version.id}"
    assert json.loads(entry.details) == {
        "content_hash": version.content_hash,
        "number": 1,
        "step": "ethics",
    }


def test_versions_are_numbered_one_after_another(app, session, people, study):
    student, supervisor = people
    first = submit_ready_self_review(app, session, study, student)
    with english(app):
        review.decide(
            session, study, supervisor, "ethics", outcome=Outcome.CHANGES_REQUESTED, comment="Nej."
        )
        ethics.save_answers(session, study, student, {"respondents": ("Andra svaret", "")})
        second = review.submit(session, study, student, "ethics")
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        ethics.save_answers(session, study, student, {"respondents": ("Tredje svaret", "")})
        third = review.submit(session, study, student, "ethics")
        session.commit()
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert [v.number for v in review.versions(session, study, "ethics")] == [1, 2, 3]
    assert len({first.content_hash, second.content_hash, third.content_hash}) == 3
    assert [e.actor_id for e in events(session, study, "step.submitted")] == [student.id] * 3


def test_an_incomplete_self_review_cannot_be_submitted(app, session, people, study):
    student, _supervisor = people
    with english(app):
        ethics.save_answers(session, study, student, {"respondents": ("Lärare", "")})
        with pytest.raises(UserError, match="Not ready to submit"):
            review.submit(session, study, student, "ethics")
    assert review.versions(session, study, "ethics") == []


def test_a_waiting_version_cannot_be_submitted_twice(app, session, people, study):
    student, _supervisor = people
    submit_ready_self_review(app, session, study, student)
    with english(app), pytest.raises(UserError, match="already waits"):
        review.submit(session, study, student, "ethics")


def test_a_co_author_submits_but_the_supervisor_does_not(app, session, people, study, make_user):
    student, supervisor = people
    co_author = make_user(Role.STUDENT)
    with english(app):
        invitation, _token = studies.invite_member(
            session, study, student, co_author.email, MemberRole.AUTHOR
        )
        studies.accept_invitation(session, invitation, co_author)
        session.commit()
    answer_self_review(app, session, study, student)
    with english(app):
        with pytest.raises(UserError, match="authors submit"):
            review.submit(session, study, supervisor, "ethics")
        version = review.submit(session, study, co_author, "ethics")
        session.commit()
    assert version.submitted_by == co_author.id
    assert status_of(session, study) == (StepStatus.SUBMITTED, False)


def test_a_step_without_a_document_is_not_reviewed(app, session, people, study):
    student, _supervisor = people
    with english(app), pytest.raises(UserError, match="not reviewed"):
        review.submit(session, study, student, "plan")


# --- deciding ------------------------------------------------------------------------------


def test_the_supervisor_approves_and_the_decision_is_logged(app, session, people, study):
    student, supervisor = people
    version = submit_ready_self_review(app, session, study, student)
    with english(app):
        decision = review.decide(
            session, study, supervisor, "ethics", outcome=Outcome.APPROVED, comment=" Bra. "
        )
        session.commit()
    assert decision.version_id == version.id
    assert decision.decided_by == supervisor.id
    assert decision.comment == "Bra."
    state = review.step_state(session, study, "ethics")
    assert state.status is StepStatus.APPROVED
    assert state.approved.id == version.id
    assert state.decision.id == decision.id
    with english(app):
        assert review.may_recruit(session, study) is False  # letter and consent form remain
    [entry] = events(session, study, "step.decided")
    assert entry.actor_id == supervisor.id
    assert json.loads(entry.details) == {"number": 1, "outcome": "approved", "step": "ethics"}
    assert events(session, study, "warning.acknowledged") == []


def test_no_student_ever_decides(app, session, people, study, make_user):
    student, _supervisor = people
    co_author = make_user(Role.STUDENT)
    with english(app):
        invitation, _token = studies.invite_member(
            session, study, student, co_author.email, MemberRole.AUTHOR
        )
        studies.accept_invitation(session, invitation, co_author)
        session.commit()
    submit_ready_self_review(app, session, study, student)
    with english(app):
        for author in (student, co_author):
            for outcome in Outcome:
                with pytest.raises(UserError, match="Only the study's supervisor"):
                    review.decide(session, study, author, "ethics", outcome=outcome, comment="x")
    session.expire_all()
    assert session.exec(select(ReviewDecision)).all() == []
    assert status_of(session, study) == (StepStatus.SUBMITTED, False)


def test_another_studys_supervisor_cannot_decide(
    app, session, people, study, make_user, make_study
):
    student, _supervisor = people
    stranger = make_user(Role.SUPERVISOR)
    make_study(make_user(Role.STUDENT), stranger, title="En annan studie")
    submit_ready_self_review(app, session, study, student)
    with english(app), pytest.raises(UserError, match="Only the study's supervisor"):
        review.decide(session, study, stranger, "ethics", outcome=Outcome.APPROVED)
    assert status_of(session, study) == (StepStatus.SUBMITTED, False)


def test_nothing_is_decided_before_a_version_waits(app, session, people, study):
    _student, supervisor = people
    with english(app), pytest.raises(UserError, match="No version"):
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)


def test_asking_for_changes_needs_a_comment(app, session, people, study):
    student, supervisor = people
    submit_ready_self_review(app, session, study, student)
    with english(app):
        with pytest.raises(UserError) as refused:
            review.decide(
                session,
                study,
                supervisor,
                "ethics",
                outcome=Outcome.CHANGES_REQUESTED,
                comment="   ",
                item_comments={"respondents": " "},
            )
        assert refused.value.field == "comment"
        decision = review.decide(
            session,
            study,
            supervisor,
            "ethics",
            outcome=Outcome.CHANGES_REQUESTED,
            item_comments={"respondents": " Hur många? ", "recruitment": ""},
        )
        session.commit()
    assert decision.comment == ""
    assert decision.comments_by_item == {"respondents": "Hur många?"}
    assert status_of(session, study) == (StepStatus.CHANGES_REQUESTED, False)
    [entry] = events(session, study, "step.decided")
    assert json.loads(entry.details)["outcome"] == "changes_requested"


def test_a_blocking_warning_must_be_acknowledged_before_approval(app, session, people, study):
    student, supervisor = people
    version = submit_ready_self_review(app, session, study, student, minors="under_15")
    assert "minors_under_15" in version.content["warnings"]
    with english(app):
        with pytest.raises(UserError, match="Acknowledge") as refused:
            review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        assert refused.value.field == "acknowledged"
        with pytest.raises(UserError, match="Acknowledge"):
            review.decide(
                session,
                study,
                supervisor,
                "ethics",
                outcome=Outcome.APPROVED,
                acknowledged=["not_a_warning"],
            )
        assert status_of(session, study) == (StepStatus.SUBMITTED, False)
        decision = review.decide(
            session,
            study,
            supervisor,
            "ethics",
            outcome=Outcome.APPROVED,
            acknowledged=["minors_under_15", "not_a_warning"],
        )
        session.commit()
    assert decision.acknowledged_keys == ["minors_under_15"]
    assert status_of(session, study) == (StepStatus.APPROVED, False)
    [entry] = events(session, study, "warning.acknowledged")
    assert entry.actor_id == supervisor.id
    assert entry.subject == f"step_version:{version.id}"
    assert json.loads(entry.details) == {"warning": "minors_under_15"}
    # The acknowledgement is logged before the decision it belongs to.
    [decided] = events(session, study, "step.decided")
    assert entry.id < decided.id


def test_asking_for_changes_needs_no_acknowledgement(app, session, people, study):
    student, supervisor = people
    submit_ready_self_review(app, session, study, student, minors="under_15")
    with english(app):
        decision = review.decide(
            session,
            study,
            supervisor,
            "ethics",
            outcome=Outcome.CHANGES_REQUESTED,
            comment="Tänk om.",
        )
        session.commit()
    assert decision.acknowledged_keys == []
    assert events(session, study, "warning.acknowledged") == []


def test_where_sensitive_data_are_forbidden_they_cannot_be_approved(app, session, people, study):
    student, supervisor = people
    app.config["SENSITIVE_DATA_FORBIDDEN"] = True
    version = submit_ready_self_review(
        app, session, study, student, sensitive_data="yes", sensitive_categories=["health"]
    )
    assert {"sensitive_data", "sensitive_data_forbidden"} <= set(version.content["warnings"])
    with english(app):
        with pytest.raises(UserError):
            review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        for acknowledged in (["sensitive_data"], ["sensitive_data", "sensitive_data_forbidden"]):
            with pytest.raises(UserError, match="cannot be approved"):
                review.decide(
                    session,
                    study,
                    supervisor,
                    "ethics",
                    outcome=Outcome.APPROVED,
                    acknowledged=acknowledged,
                )
        assert status_of(session, study) == (StepStatus.SUBMITTED, False)
        # Asking for changes is still possible, and the student answers the data away.
        review.decide(
            session,
            study,
            supervisor,
            "ethics",
            outcome=Outcome.CHANGES_REQUESTED,
            comment="Ta bort känsliga uppgifter.",
        )
        ethics.save_answers(session, study, student, {"sensitive_data": ("no", "")})
        second = review.submit(session, study, student, "ethics")
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        session.commit()
    assert "sensitive_data_forbidden" not in second.content["warnings"]
    assert status_of(session, study) == (StepStatus.APPROVED, False)


def test_without_the_ban_sensitive_data_are_approved_once_acknowledged(app, session, people, study):
    student, supervisor = people
    assert app.config["SENSITIVE_DATA_FORBIDDEN"] is False
    submit_ready_self_review(
        app, session, study, student, sensitive_data="yes", sensitive_categories=["health"]
    )
    with english(app):
        review.decide(
            session,
            study,
            supervisor,
            "ethics",
            outcome=Outcome.APPROVED,
            acknowledged=["sensitive_data"],
        )
        session.commit()
    assert status_of(session, study) == (StepStatus.APPROVED, False)


# --- editing --------------------------------------------------------------------------------


def test_a_waiting_step_cannot_be_edited(app, session, people, study):
    student, _supervisor = people
    version = submit_ready_self_review(app, session, study, student)
    with english(app):
        with pytest.raises(UserError, match="waits for the supervisor"):
            review.check_editable(session, study, "ethics")
        with pytest.raises(UserError, match="waits for the supervisor"):
            ethics.save_answers(session, study, student, {"respondents": ("Ändrat", "")})
        session.rollback()
    assert ethics.answers(session, study) == version.content["answers"]
    assert review.step_state(session, study, "ethics").latest.id == version.id
    # The only save logged is the one before the submission.
    [saved] = events(session, study, "ethics.saved")
    assert saved.id < events(session, study, "step.submitted")[0].id


def test_an_edit_after_approval_makes_a_draft_and_reverting_restores_the_approval(
    app, session, people, study
):
    student, supervisor = people
    version = submit_ready_self_review(app, session, study, student, respondents="Lärare")
    with english(app):
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        session.commit()
        ethics.save_answers(session, study, student, {"respondents": ("Rektorer", "")})
        session.commit()
    state = review.step_state(session, study, "ethics")
    assert (state.status, state.changed_since_approval) == (StepStatus.DRAFT, True)
    assert state.approved.id == version.id  # the approval stays with its version
    with english(app):
        ethics.save_answers(session, study, student, {"respondents": ("Lärare", "")})
        session.commit()
    state = review.step_state(session, study, "ethics")
    assert (state.status, state.changed_since_approval) == (StepStatus.APPROVED, False)
    assert state.approved.id == version.id
    assert len(review.versions(session, study, "ethics")) == 1


def test_nothing_changed_since_approval_is_not_submitted_again(app, session, people, study):
    student, supervisor = people
    submit_ready_self_review(app, session, study, student)
    with english(app):
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        session.commit()
        with pytest.raises(UserError, match="Nothing has changed"):
            review.submit(session, study, student, "ethics")
        # An edit that is taken back leaves nothing new to submit either.
        ethics.save_answers(session, study, student, {"respondents": ("Något annat", "")})
        ethics.save_answers(session, study, student, {"respondents": ("Svar.", "")})
        with pytest.raises(UserError, match="Nothing has changed"):
            review.submit(session, study, student, "ethics")
        session.rollback()
    assert len(review.versions(session, study, "ethics")) == 1
    assert status_of(session, study) == (StepStatus.APPROVED, False)


def test_a_changed_step_is_submitted_again_and_a_new_approval_replaces_the_old(
    app, session, people, study
):
    student, supervisor = people
    first = submit_ready_self_review(app, session, study, student)
    with english(app):
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        ethics.save_answers(session, study, student, {"respondents": ("Rektorer", "")})
        second = review.submit(session, study, student, "ethics")
        state = review.step_state(session, study, "ethics")
        assert state.waiting_for_review and state.changed_since_approval
        assert state.approved.id == first.id
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        session.commit()
    state = review.step_state(session, study, "ethics")
    assert state.status is StepStatus.APPROVED
    assert state.approved.id == second.id
    assert review.last_reviewed(session, study, "ethics").id == second.id
    assert [(v.number, d.outcome) for v, d in review.history(session, study, "ethics")] == [
        (2, Outcome.APPROVED),
        (1, Outcome.APPROVED),
    ]


def test_hidden_answers_do_not_count_as_a_change_to_the_approved_version(
    app, session, people, study
):
    student, supervisor = people
    submit_ready_self_review(app, session, study, student, risk_of_harm="no")
    with english(app):
        review.decide(session, study, supervisor, "ethics", outcome=Outcome.APPROVED)
        # "support" is only asked after a risk of harm: this answer is not in the document.
        ethics.save_answers(session, study, student, {"support": ("Studenthälsan", "")})
        session.commit()
    assert ethics.answers(session, study)["support"]["value"] == "Studenthälsan"
    assert status_of(session, study) == (StepStatus.APPROVED, False)


def test_an_edit_after_changes_were_asked_for_keeps_the_request_in_view(
    app, session, people, study
):
    student, supervisor = people
    submit_ready_self_review(app, session, study, student)
    with english(app):
        review.decide(
            session, study, supervisor, "ethics", outcome=Outcome.CHANGES_REQUESTED, comment="Nej."
        )
        ethics.save_answers(session, study, student, {"respondents": ("Rektorer", "")})
        session.commit()
    assert status_of(session, study) == (StepStatus.CHANGES_REQUESTED, False)


def test_the_supervisors_list_counts_what_waits(app, session, people, make_study):
    student, supervisor = people
    waiting = make_study(student, supervisor, title="Ö väntar")
    make_study(student, supervisor, title="A väntar inte")
    submit_ready_self_review(app, session, waiting, student)
    rows = supervision.supervised(session, supervisor)
    waits = {s.title: sum(st.waiting_for_review for st in states.values()) for s, states in rows}
    assert waits == {"Ö väntar": 1, "A väntar inte": 0}
    assert [s.title for s, _states in rows] == ["Ö väntar", "A väntar inte"]
    assert rows[0][1]["ethics"].waiting_for_review
    assert supervision.supervised(session, student) == []
    stored = session.exec(select(StudyStep).where(StudyStep.study_id == waiting.id)).all()
    assert ("ethics", StepStatus.SUBMITTED) in {(r.step, r.status) for r in stored}
