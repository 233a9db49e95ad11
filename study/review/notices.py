"""Mail about reviews: the supervisor hears of a submission, the authors of a decision."""

from __future__ import annotations

from sqlmodel import Session

from .. import audit
from ..accounts.models import User
from ..mail import send_template
from ..studies.models import MemberRole, Study
from ..studies.services import members
from ..studies.steps import STEPS_BY_KEY
from ..urls import external_url
from .models import Outcome, ReviewDecision, StepVersion


def _people(session: Session, study: Study, role: MemberRole) -> list[User]:
    return [user for member, user in members(session, study) if member.role is role]


def notify_submitted(session: Session, study: Study, version: StepVersion, actor: User) -> None:
    """Tell the supervisor that a version waits for them."""
    link = external_url("review.show", study_id=study.id, step=version.step)
    for supervisor in _people(session, study, MemberRole.SUPERVISOR):
        send_template(
            supervisor.email,
            "review_submitted",
            student=actor.name,
            title=study.title,
            step=STEPS_BY_KEY[version.step].title,
            number=version.number,
            link=link,
        )


def notify_decided(
    session: Session, study: Study, version: StepVersion, decision: ReviewDecision, actor: User
) -> None:
    """Tell the authors what was decided; give the supervisor the audit head as a receipt."""
    link = external_url("review.show", study_id=study.id, step=version.step)
    context = {
        "supervisor": actor.name,
        "title": study.title,
        "step": STEPS_BY_KEY[version.step].title,
        "number": version.number,
        "approved": decision.outcome is Outcome.APPROVED,
        "link": link,
    }
    for author in _people(session, study, MemberRole.AUTHOR):
        send_template(author.email, "review_decided", **context)
    if decision.outcome is Outcome.APPROVED:
        # Kept in the supervisor's mailbox, the head lets `audit verify --head` show later
        # that the log up to this approval was neither changed nor cut off.
        send_template(
            actor.email,
            "review_receipt",
            **context,
            content_hash=version.content_hash,
            head=audit.format_head(audit.current_head(session)),
        )
