"""The approved versions as the stored statuses say, without building any document."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..studies.models import StepStatus, Study, StudyStep
from .models import StepVersion


def approved_as_stored(session: Session, study: Study, steps: tuple[str, ...]) -> dict:
    """Return each step's approved version if every one of them is approved, else {}.

    One query and no document built: the stored status, which every edit and every
    `refresh_approvals` keeps true. Pages that only show approved versions use it;
    anything that acts on the gate uses `may_recruit`, which rebuilds the documents.
    """
    rows = session.exec(
        select(StudyStep, StepVersion)
        .join(StepVersion, col(StepVersion.id) == StudyStep.approved_version_id)
        .where(
            StudyStep.study_id == study.id,
            col(StudyStep.step).in_(steps),
            StudyStep.status == StepStatus.APPROVED,
        )
    ).all()
    found = {step.step: version for step, version in rows}
    return found if len(found) == len(steps) else {}
