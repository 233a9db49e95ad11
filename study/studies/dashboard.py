"""The dashboard's step cards: each step's status, its page and the next action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from ..review import services as review
from ..review.documents import provider
from .models import MemberRole, StepStatus, Study, StudyMember
from .services import plan_missing, step_statuses
from .steps import AUTHOR_ACTIONS, SUPERVISOR_ACTIONS, Step


@dataclass(frozen=True)
class StepCard:
    """One step as the dashboard shows it."""

    step: Step
    status: StepStatus
    endpoint: str | None
    action: LazyString | str
    changed_since_approval: bool = False
    missing: tuple = ()


def step_cards(session: Session, study: Study, member: StudyMember) -> list[StepCard]:
    """Return a card for every life-cycle step, with where to go and what to do next."""
    actions = AUTHOR_ACTIONS if member.role is MemberRole.AUTHOR else SUPERVISOR_ACTIONS
    cards = []
    for step, status in step_statuses(session, study):
        endpoint = step.endpoint
        changed = False
        missing: tuple = ()
        if provider(step.key) is not None:
            state = review.step_state(session, study, step.key)
            changed = state.changed_since_approval
            if member.role is MemberRole.SUPERVISOR:
                endpoint = "review.show"
        if step.key == "plan":
            missing = tuple(plan_missing(study))
            if member.role is not MemberRole.AUTHOR:
                endpoint = None
        action = actions.get(status, "")
        if changed and status is StepStatus.DRAFT and member.role is MemberRole.AUTHOR:
            action = _l("Changed since approval: submit the new version for approval.")
        if step.derived_from or (endpoint is None and step.key != "plan"):
            action = "" if step.derived_from else _l("Comes later in the study.")
        cards.append(StepCard(step, status, endpoint, action, changed, missing))
    return cards


@dataclass(frozen=True)
class Milestone:
    """A date from the plan and how far away it is."""

    label: LazyString
    on: date
    days: int


def whats_next(study: Study, today: date) -> list[Milestone]:
    """Return the plan's coming dates (interviews, submission), nearest first."""
    dates = [
        (_l("Interviews start"), study.interviews_from),
        (_l("Interviews end"), study.interviews_to),
        (_l("Thesis submission"), study.submission_on),
    ]
    return sorted(
        (Milestone(label, on, (on - today).days) for label, on in dates if on and on >= today),
        key=lambda m: m.on,
    )
