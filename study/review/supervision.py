"""The supervisor's overview: the studies they supervise, those waiting for them first."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..accounts.models import User
from ..studies.models import MemberRole, Study, StudyMember
from .services import StepState, step_state


def supervised(session: Session, user: User) -> list[tuple[Study, dict[str, StepState]]]:
    """Return the studies the user supervises with their reviewed steps, waiting ones first."""
    from .documents import PROVIDERS

    studies = session.exec(
        select(Study)
        .join(StudyMember, col(StudyMember.study_id) == Study.id)
        .where(StudyMember.user_id == user.id, StudyMember.role == MemberRole.SUPERVISOR)
        .order_by(col(Study.title))
    ).all()
    rows = [(study, {s: step_state(session, study, s) for s in PROVIDERS}) for study in studies]
    return sorted(rows, key=lambda r: -sum(s.waiting_for_review for s in r[1].values()))
