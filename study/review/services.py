"""The review path every ethics step goes through: submit, freeze, decide, edit again.

Only these operations change the status of a step that needs approval, and each checks
inside itself who may do it: an author submits, the study's supervisor decides.

    draft ──submit──▶ submitted ──approve──▶ approved ──edit──▶ draft (approval kept,
                          │                                        "changed since approval")
                          └──request changes──▶ changes requested ──submit──▶ submitted

Editing while changes are requested keeps that status (and the comments in view) until
the student submits again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from .. import audit
from ..accounts.models import User
from ..canonical import canonical_json, content_hash
from ..errors import UserError
from ..models import utcnow
from ..studies.models import MemberRole, StepStatus, Study, StudyStep
from ..studies.services import membership
from .documents import Blocker, StepDocument, provider
from .models import Outcome, ReviewDecision, StepVersion

#: The steps that must be approved, at their current versions, before recruitment.
RECRUITMENT_STEPS = ("ethics", "letter", "consent_form")


@dataclass(frozen=True)
class StepState:
    """Where a step under review stands, and the versions that matter for it."""

    step: str
    status: StepStatus
    latest: StepVersion | None
    #: The decision on the latest version, if it has one.
    decision: ReviewDecision | None
    approved: StepVersion | None
    #: The draft differs from the approved version (which stays approved).
    changed_since_approval: bool

    @property
    def waiting_for_review(self) -> bool:
        """Tell whether the latest version waits for the supervisor."""
        return self.status is StepStatus.SUBMITTED


def document_of(step: str) -> StepDocument:
    """Return the document a step submits.

    :raises UserError: when the step is not one the supervisor reviews.
    """
    found = provider(step)
    if found is None:
        raise UserError(_l("This step is not reviewed."))
    return found


def _row(session: Session, study: Study, step: str) -> StudyStep | None:
    return session.exec(
        select(StudyStep).where(StudyStep.study_id == study.id, StudyStep.step == step)
    ).first()


def versions(session: Session, study: Study, step: str) -> list[StepVersion]:
    """Return every submitted version of a step, oldest first."""
    return list(
        session.exec(
            select(StepVersion)
            .where(StepVersion.study_id == study.id, StepVersion.step == step)
            .order_by(StepVersion.number)
        )
    )


def history(
    session: Session, study: Study, step: str
) -> list[tuple[StepVersion, ReviewDecision | None]]:
    """Return each version with its decision, newest first."""
    rows = session.exec(
        select(StepVersion, ReviewDecision)
        .join(ReviewDecision, col(ReviewDecision.version_id) == StepVersion.id, isouter=True)
        .where(StepVersion.study_id == study.id, StepVersion.step == step)
        .order_by(col(StepVersion.number).desc())
    )
    return list(rows.all())


def shown_version(
    session: Session, study: Study, step: str, *, number: int | None = None, draft: bool = False
) -> tuple[dict, StepVersion | None, bool]:
    """Return the document a page or a PDF shows, its version, and whether it is approved.

    Version `number`; the draft being written (`draft`); or by default the newest version,
    and the draft while nothing is submitted.

    :raises LookupError: when there is no version `number`.
    """
    if draft:
        return document_of(step).current(session, study), None, False
    for version, decision in history(session, study, step):
        if number is None or version.number == number:
            approved = decision is not None and decision.outcome is Outcome.APPROVED
            return version.content, version, approved
    if number is not None:
        raise LookupError(number)
    return document_of(step).current(session, study), None, False


def step_state(session: Session, study: Study, step: str) -> StepState:
    """Return where a reviewed step stands."""
    row = _row(session, study, step)
    status = row.status if row is not None else StepStatus.NOT_STARTED
    latest = session.exec(
        select(StepVersion)
        .where(StepVersion.study_id == study.id, StepVersion.step == step)
        .order_by(col(StepVersion.number).desc())
        .limit(1)
    ).first()
    decision = (
        session.exec(select(ReviewDecision).where(ReviewDecision.version_id == latest.id)).first()
        if latest is not None
        else None
    )
    approved = (
        session.get(StepVersion, row.approved_version_id)
        if row is not None and row.approved_version_id
        else None
    )
    changed = approved is not None and status is not StepStatus.APPROVED
    return StepState(step, StepStatus(status), latest, decision, approved, changed)


def last_reviewed(session: Session, study: Study, step: str) -> StepVersion | None:
    """Return the newest version the supervisor has decided on."""
    return session.exec(
        select(StepVersion)
        .join(ReviewDecision, col(ReviewDecision.version_id) == StepVersion.id)
        .where(StepVersion.study_id == study.id, StepVersion.step == step)
        .order_by(col(StepVersion.number).desc())
        .limit(1)
    ).first()


def _set_status(
    session: Session, study: Study, step: str, status: StepStatus, approved_id: int | None = None
) -> None:
    row = _row(session, study, step) or StudyStep(study_id=study.id, step=step)
    row.status = status
    if approved_id is not None:
        row.approved_version_id = approved_id
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def _require_role(
    session: Session, study: Study, actor: User, role: MemberRole, refusal: LazyString
) -> None:
    """Refuse, with the refusal given, anyone who does not have this part in the study."""
    member = membership(session, study.id, actor)
    if member is None or member.role is not role:
        raise UserError(refusal)


def require_author(session: Session, study: Study, actor: User) -> None:
    """Refuse anyone but an author of the study.

    :raises UserError: when the actor does not write this study.
    """
    _require_role(
        session,
        study,
        actor,
        MemberRole.AUTHOR,
        _l("Only the study's authors change its ethics steps."),
    )


def check_editable(session: Session, study: Study, step: str) -> None:
    """Refuse a change to a step's draft while a version of it waits for review.

    :raises UserError: when the step is submitted and not yet decided.
    """
    if step_state(session, study, step).waiting_for_review:
        raise UserError(
            _l(
                "This step waits for the supervisor's review. You can read it, and change it "
                "once the supervisor has decided."
            )
        )


def record_edit(session: Session, study: Study, step: str) -> None:
    """Bring a step's status up to date after its draft changed (call after the change).

    An edit to an approved step makes a new draft: the approval stays with its version,
    and is the current one again only if the draft comes back to exactly that content.
    """
    state = step_state(session, study, step)
    if state.waiting_for_review:
        raise UserError(_l("This step waits for the supervisor's review."))
    current = content_hash(document_of(step).current(session, study))
    if state.approved is not None and current == state.approved.content_hash:
        if state.latest is not None and state.latest.id == state.approved.id:
            _set_status(session, study, step, StepStatus.APPROVED)
            return
    if state.status in (StepStatus.NOT_STARTED, StepStatus.APPROVED):
        _set_status(session, study, step, StepStatus.DRAFT)


def submit(session: Session, study: Study, actor: User, step: str) -> StepVersion:
    """Freeze the step's current document as a new version for the supervisor.

    :raises UserError: when the actor is not an author, the step waits for review
        already, the document is incomplete, or nothing changed since the approval.
    """
    _require_role(
        session,
        study,
        actor,
        MemberRole.AUTHOR,
        _l("Only the study's authors submit its ethics steps."),
    )
    source = document_of(step)
    state = step_state(session, study, step)
    if state.waiting_for_review:
        raise UserError(_l("This step already waits for the supervisor's review."))
    document = source.current(session, study)
    missing = source.incomplete(document)
    if missing:
        raise UserError(
            _l("Not ready to submit: %(what)s", what="; ".join(str(m) for m in missing))
        )
    digest = content_hash(document)
    if state.status is StepStatus.APPROVED and state.approved.content_hash == digest:
        raise UserError(_l("Nothing has changed since the supervisor approved this step."))
    version = StepVersion(
        study_id=study.id,
        step=step,
        number=(state.latest.number + 1) if state.latest else 1,
        document=canonical_json(document),
        content_hash=digest,
        submitted_by=actor.id,
    )
    session.add(version)
    session.flush()
    _set_status(session, study, step, StepStatus.SUBMITTED)
    audit.record(
        session,
        "step.submitted",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"step_version:{version.id}",
        step=step,
        number=version.number,
        content_hash=digest,
    )
    return version


def decide(
    session: Session,
    study: Study,
    actor: User,
    step: str,
    *,
    outcome: Outcome,
    comment: str = "",
    item_comments: dict[str, str] | None = None,
    acknowledged: list[str] | tuple[str, ...] = (),
    version_number: int | None = None,
) -> ReviewDecision:
    """Approve the waiting version, or ask for changes with comments.

    Approval needs every blocking warning of the version acknowledged, and none that only
    a change to the document can clear.

    :param version_number: the version the supervisor read, if the decision names one.
    :raises UserError: when the actor is not this study's supervisor, nothing waits for
        review or not the version read, a request for changes has no comment, or a
        blocking warning stands.
    """
    _require_role(
        session,
        study,
        actor,
        MemberRole.SUPERVISOR,
        _l("Only the study's supervisor decides on its ethics steps."),
    )
    state = step_state(session, study, step)
    if not state.waiting_for_review:
        raise UserError(_l("No version of this step waits for review."))
    version = state.latest
    if version_number is not None and version_number != version.number:
        raise UserError(
            _l("Another version waits now: read version %(n)d before you decide.", n=version.number)
        )
    comments = {k: v.strip() for k, v in (item_comments or {}).items() if v and v.strip()}
    comment = comment.strip()
    blockers = document_of(step).blockers(version.content)
    acknowledged = sorted(set(acknowledged) & {b.key for b in blockers if b.acknowledgeable})
    if outcome is Outcome.APPROVED:
        _check_blockers(blockers, acknowledged)
    elif not (comment or comments):
        raise UserError(
            _l("Say what should be changed: write a comment on the step or on a question."),
            field="comment",
        )
    decision = ReviewDecision(
        version_id=version.id,
        outcome=outcome,
        comment=comment,
        item_comments=canonical_json(comments),
        acknowledged=json.dumps(acknowledged),
        decided_by=actor.id,
    )
    session.add(decision)
    session.flush()
    if outcome is Outcome.APPROVED:
        _set_status(session, study, step, StepStatus.APPROVED, approved_id=version.id)
    else:
        _set_status(session, study, step, StepStatus.CHANGES_REQUESTED)
    for key in acknowledged:
        audit.record(
            session,
            "warning.acknowledged",
            actor_id=actor.id,
            study_id=study.id,
            subject=f"step_version:{version.id}",
            warning=key,
        )
    audit.record(
        session,
        "step.decided",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"step_version:{version.id}",
        step=step,
        number=version.number,
        outcome=outcome.value,
    )
    return decision


def _check_blockers(blockers: list[Blocker], acknowledged: list[str]) -> None:
    """Refuse approval while a blocking warning stands.

    :raises UserError: naming the first warning that stands.
    """
    for blocker in blockers:
        if not blocker.acknowledgeable:
            raise UserError(
                _l(
                    "This version cannot be approved: %(warning)s The student must change it.",
                    warning=blocker.message,
                )
            )
        if blocker.key not in acknowledged:
            raise UserError(
                _l(
                    "Acknowledge each blocking warning before you approve: %(warning)s",
                    warning=blocker.message,
                ),
                field="acknowledged",
            )


def refresh_approvals(session: Session, study: Study) -> list[str]:
    """Return approved steps to draft whose document changed through another step.

    A letter's document is made from the self-review and the plan as well as from its own
    draft: when they change, so does what the supervisor approved. Such a step becomes a
    draft again ("changed since approval"), as if it had been edited; a step waiting for
    review keeps its frozen version. Call after the plan, the members or the self-review
    change.

    :returns: the steps that went back to draft.
    """
    from .documents import PROVIDERS

    changed = []
    for step, source in PROVIDERS.items():
        state = step_state(session, study, step)
        if state.status is not StepStatus.APPROVED or state.approved is None:
            continue
        if content_hash(source.current(session, study)) != state.approved.content_hash:
            _set_status(session, study, step, StepStatus.DRAFT)
            changed.append(step)
    return changed


def may_recruit(session: Session, study: Study) -> bool:
    """Tell whether the study may recruit: self-review, letter and consent form approved.

    Each must be approved at exactly its current document: a step changed since its
    approval, by an edit or through the plan or the self-review it is made from, does not
    count until it is approved again.
    """
    for step in RECRUITMENT_STEPS:
        state = step_state(session, study, step)
        if state.status is not StepStatus.APPROVED or state.approved is None:
            return False
        current = content_hash(document_of(step).current(session, study))
        if current != state.approved.content_hash:
            return False
    return True


def names(session: Session, user_ids: list[int]) -> dict[int, str]:
    """Return the names of the accounts with these ids."""
    if not user_ids:
        return {}
    rows = session.exec(select(User).where(col(User.id).in_(set(user_ids))))
    return {user.id: user.name for user in rows}
