"""The eleven life-cycle steps of a study, written as data (docs/design.md, "The life of a study")."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from .models import StepStatus


@dataclass(frozen=True)
class Step:
    """One step of the life cycle."""

    number: int
    key: str
    title: LazyString
    summary: LazyString
    #: The supervisor approves a frozen version of this step.
    needs_approval: bool = False
    #: The status is derived from other steps rather than stored.
    derived_from: tuple[str, ...] = ()
    #: The page where the step is done (takes study_id), once the step has one.
    endpoint: str | None = None


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "plan",
        _l("Plan"),
        _l("Purpose, research questions, method, sample and timeline."),
        endpoint="studies.plan",
    ),
    Step(
        2,
        "ethics",
        _l("Ethics self-review"),
        _l("The four requirements and data protection."),
        True,
        endpoint="ethics.overview",
    ),
    Step(
        3,
        "letter",
        _l("Information letter"),
        _l("What respondents are told before they decide."),
        True,
        endpoint="letters.overview",
    ),
    Step(
        4,
        "consent_form",
        _l("Consent form"),
        _l("What respondents consent to, item by item."),
        True,
        endpoint="letters.consent_form",
    ),
    Step(
        5,
        "guide",
        _l("Interview guide"),
        _l("Sections, questions, probes and scripts."),
        True,
        endpoint="guide.show",
    ),
    Step(
        6,
        "approval",
        _l("Supervisor approval"),
        _l("The supervisor approves steps 2–5."),
        derived_from=("ethics", "letter", "consent_form", "guide"),
    ),
    Step(
        7,
        "recruitment",
        _l("Recruitment"),
        _l("Invitations and consent through personal links."),
        endpoint="respondents.index",
    ),
    Step(
        8,
        "data",
        _l("Recordings and transcripts"),
        _l("Encrypted audio and transcripts."),
        endpoint="recordings.index",
    ),
    Step(
        9,
        "pseudonymization",
        _l("Pseudonymization"),
        _l("The code key and pseudonymized transcripts."),
    ),
    Step(
        10,
        "export",
        _l("Appendices and export"),
        _l("Appendix PDFs, consent register and archive export."),
        endpoint="appendices.show",
    ),
    Step(
        11,
        "closing",
        _l("Closing"),
        _l("Retention reached: raw data and the code key are destroyed."),
        endpoint="closing.show",
    ),
)

STEPS_BY_KEY = {step.key: step for step in STEPS}

STATUS_LABELS = {
    StepStatus.NOT_STARTED: _l("Not started"),
    StepStatus.DRAFT: _l("Draft"),
    StepStatus.COMPLETE: _l("Complete"),
    StepStatus.SUBMITTED: _l("Submitted"),
    StepStatus.APPROVED: _l("Approved"),
    StepStatus.CHANGES_REQUESTED: _l("Changes requested"),
}


def combined_status(statuses: list[StepStatus]) -> StepStatus:
    """Derive one status from several: the least advanced wins, changes requested first."""
    if not statuses or all(s is StepStatus.NOT_STARTED for s in statuses):
        return StepStatus.NOT_STARTED
    if StepStatus.CHANGES_REQUESTED in statuses:
        return StepStatus.CHANGES_REQUESTED
    if all(s in (StepStatus.APPROVED, StepStatus.COMPLETE) for s in statuses):
        return StepStatus.APPROVED
    if all(s in (StepStatus.SUBMITTED, StepStatus.APPROVED) for s in statuses):
        return StepStatus.SUBMITTED
    return StepStatus.DRAFT


#: What a step's card asks of the student, by status.
AUTHOR_ACTIONS = {
    StepStatus.NOT_STARTED: _l("Start this step."),
    StepStatus.DRAFT: _l("Finish it and submit it to your supervisor."),
    StepStatus.COMPLETE: _l("Done. You can still change it."),
    StepStatus.SUBMITTED: _l("Waits for your supervisor's review."),
    StepStatus.CHANGES_REQUESTED: _l(
        "Make the changes your supervisor asks for, then submit again."
    ),
    StepStatus.APPROVED: _l("Approved."),
}
#: What a step's card asks of the supervisor, by status.
SUPERVISOR_ACTIONS = {
    StepStatus.NOT_STARTED: _l("Not started by the student."),
    StepStatus.DRAFT: _l("The student is working on it."),
    StepStatus.COMPLETE: _l("Complete."),
    StepStatus.SUBMITTED: _l("Waits for your review."),
    StepStatus.CHANGES_REQUESTED: _l("Waits for the student's changes."),
    StepStatus.APPROVED: _l("Approved."),
}
