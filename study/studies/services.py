"""Study operations: create, edit the plan, invite and add members, step status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from .. import audit
from ..accounts.models import Role, User
from ..accounts.services import normalize_email
from ..errors import UserError
from ..models import utcnow
from ..tokens import new_token, token_hash
from .models import MemberRole, StepStatus, Study, StudyInvitation, StudyMember, StudyStep
from .steps import STEPS, STEPS_BY_KEY, Step, combined_status

#: The plan fields a student edits (docs/design.md, step 1).
PLAN_FIELDS = (
    "title",
    "level",
    "university",
    "department",
    "controller",
    "data_protection_officer",
    "purpose",
    "research_questions",
    "method",
    "sample",
    "recruitment",
    "planned_interviews",
    "interviews_from",
    "interviews_to",
    "submission_on",
    "retention",
)
#: The plan fields step 1 needs before it is complete, with how the student knows them.
REQUIRED_PLAN_FIELDS = {
    "title": _l("Title"),
    "university": _l("University"),
    "department": _l("Department"),
    "controller": _l("Controller (personuppgiftsansvarig)"),
    "data_protection_officer": _l("Data protection officer, contact"),
    "purpose": _l("Purpose"),
    "research_questions": _l("Research questions"),
    "method": _l("Method"),
    "sample": _l("Sample"),
    "recruitment": _l("Recruitment"),
    "planned_interviews": _l("Planned number of interviews"),
    "interviews_from": _l("Interviews from"),
    "interviews_to": _l("Interviews until"),
    "submission_on": _l("Thesis submission"),
    "retention": _l("Retention"),
}
TEXT_FIELDS = set(PLAN_FIELDS) - {
    "planned_interviews",
    "interviews_from",
    "interviews_to",
    "submission_on",
}


def create_study(session: Session, owner: User, plan: dict[str, Any]) -> Study:
    """Create a study with its plan; the student who creates it is its first author.

    :raises UserError: when the account may not create studies or the plan is inconsistent.
    """
    if owner.role != Role.STUDENT:
        raise UserError(_l("Only students create studies."))
    study = Study(created_by=owner.id, **_plan_values(plan))
    session.add(study)
    session.flush()
    session.add(StudyMember(study_id=study.id, user_id=owner.id, role=MemberRole.AUTHOR))
    set_step_status(session, study, "plan", plan_status(study))
    audit.record(
        session, "study.created", actor_id=owner.id, study_id=study.id, subject=f"study:{study.id}"
    )
    audit.record(
        session,
        "member.added",
        actor_id=owner.id,
        study_id=study.id,
        subject=f"user:{owner.id}",
        role="author",
    )
    return study


def update_plan(session: Session, study: Study, actor: User, plan: dict[str, Any]) -> Study:
    """Save the plan's fields.

    :raises UserError: when the plan is inconsistent.
    """
    for name, value in _plan_values(plan).items():
        setattr(study, name, value)
    study.updated_at = utcnow()
    session.add(study)
    set_step_status(session, study, "plan", plan_status(study))
    session.flush()
    _refresh_approvals(session, study)
    audit.record(
        session,
        "study.plan_saved",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"study:{study.id}",
    )
    return study


def _refresh_approvals(session: Session, study: Study) -> None:
    """Return approved ethics steps to draft that are made from the plan or the members.

    (The letter names the controller and the contacts.) Imported here, not at the top: the
    review path builds on this module.
    """
    from ..review.services import refresh_approvals

    refresh_approvals(session, study)


def plan_missing(study: Study) -> list:
    """Return the labels of the required plan fields that are still empty."""
    return [
        label for name, label in REQUIRED_PLAN_FIELDS.items() if getattr(study, name) in (None, "")
    ]


def plan_status(study: Study) -> StepStatus:
    """Return the plan's status: complete once every required field is filled."""
    return StepStatus.DRAFT if plan_missing(study) else StepStatus.COMPLETE


def _plan_values(plan: dict[str, Any]) -> dict[str, Any]:
    """Keep the plan fields and check that the dates follow each other.

    :raises UserError: when the interviews end before they start.
    """
    values = {name: plan[name] for name in PLAN_FIELDS if name in plan}
    for name in TEXT_FIELDS & values.keys():
        values[name] = (values[name] or "").strip()
    start, end = values.get("interviews_from"), values.get("interviews_to")
    if start and end and end < start:
        raise UserError(_l("The interviews cannot end before they start."), field="interviews_to")
    return values


def studies_for(session: Session, user: User) -> list[tuple[Study, StudyMember]]:
    """Return the studies the user works on, with their part in each, newest first."""
    rows = session.exec(
        select(Study, StudyMember)
        .join(StudyMember, StudyMember.study_id == Study.id)
        .where(StudyMember.user_id == user.id)
        .order_by(Study.created_at.desc())
    )
    return list(rows.all())


def membership(session: Session, study_id: int, user: User) -> StudyMember | None:
    """Return the user's membership of a study, if any."""
    return session.exec(
        select(StudyMember).where(StudyMember.study_id == study_id, StudyMember.user_id == user.id)
    ).first()


def members(session: Session, study: Study) -> list[tuple[StudyMember, User]]:
    """Return the study's members with their accounts, authors first."""
    rows = session.exec(
        select(StudyMember, User)
        .join(User, User.id == StudyMember.user_id)
        .where(StudyMember.study_id == study.id)
        .order_by(StudyMember.role, StudyMember.joined_at)
    )
    return list(rows.all())


def pending_invitations(session: Session, study: Study) -> list[StudyInvitation]:
    """Return the invitations not yet accepted and not expired."""
    return list(
        session.exec(
            select(StudyInvitation).where(
                StudyInvitation.study_id == study.id,
                StudyInvitation.accepted_at.is_(None),
                StudyInvitation.expires_at > utcnow(),
            )
        ).all()
    )


def invite_member(
    session: Session, study: Study, actor: User, email: str, role: MemberRole
) -> tuple[StudyInvitation, str]:
    """Invite a co-author or the supervisor by e-mail; return the invitation and its token.

    :raises UserError: when the actor is not an author with a confirmed address, the
        study has sent its invitations for today, the address already works on the study,
        or a supervisor exists.
    """
    author = membership(session, study.id, actor)
    if author is None or author.role is not MemberRole.AUTHOR:
        raise UserError(_l("Only the study's authors invite people."))
    if not actor.is_confirmed:
        raise UserError(_l("Confirm your e-mail address before you invite anyone."))
    limit = current_app.config["INVITATIONS_PER_STUDY_PER_DAY"]
    # Per person too: new studies must not multiply the day's invitations.
    if invitations_today(session, invited_by=actor) >= limit * 2:
        raise UserError(
            _l("You have sent as many invitations as you may in 24 hours. Try again tomorrow."),
            field="email",
        )
    if invitations_today(session, study) >= limit:
        raise UserError(
            _l(
                "The study has sent %(n)d invitations in the last 24 hours, which is as many as "
                "it may. Try again tomorrow.",
                n=limit,
            ),
            field="email",
        )
    email = normalize_email(email)
    for member, user in members(session, study):
        if user.email == email:
            raise UserError(_l("This person already works on the study."), field="email")
        if role is MemberRole.SUPERVISOR and member.role is MemberRole.SUPERVISOR:
            raise UserError(_l("The study already has a supervisor."), field="role")
    token, digest = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = StudyInvitation(
        study_id=study.id,
        email=email,
        role=role,
        token_hash=digest,
        invited_by=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "member.invited",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"invitation:{invitation.id}",
        role=role.value,
    )
    return invitation, token


def invitations_today(
    session: Session, study: Study | None = None, *, invited_by: User | None = None
) -> int:
    """Count the invitations sent in the last 24 hours, from a study or by a person."""
    query = (
        select(func.count())
        .select_from(StudyInvitation)
        .where(StudyInvitation.created_at > utcnow() - timedelta(days=1))
    )
    if study is not None:
        query = query.where(StudyInvitation.study_id == study.id)
    if invited_by is not None:
        query = query.where(StudyInvitation.invited_by == invited_by.id)
    return session.exec(query).one()


def open_invitation(session: Session, token: str) -> StudyInvitation | None:
    """Return the invitation a token names if it can still be accepted."""
    invitation = session.exec(
        select(StudyInvitation).where(StudyInvitation.token_hash == token_hash(token))
    ).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        return None
    study = session.get(Study, invitation.study_id)
    if study is None or study.closed_at is not None:
        return None
    return invitation


@dataclass(frozen=True)
class InvitationCheck:
    """Whether an account may accept an invitation, and if not, why."""

    allowed: bool
    reason: str = ""


def may_accept(invitation: StudyInvitation, user: User) -> InvitationCheck:
    """Tell whether this account may accept the invitation."""
    if user.email != invitation.email:
        return InvitationCheck(False, str(_l("The invitation was sent to another e-mail address.")))
    wanted = Role.SUPERVISOR if invitation.role is MemberRole.SUPERVISOR else Role.STUDENT
    if user.role != wanted:
        return InvitationCheck(False, str(_l("This account cannot take that part in a study.")))
    return InvitationCheck(True)


def may_register_through(invitation: StudyInvitation) -> bool:
    """Tell whether the invited address may create its account through the invitation.

    Co-authors may. A supervisor account comes from the administrator, or through an
    invitation only for an address in SUPERVISOR_EMAIL_DOMAINS: otherwise a student could
    invite an address of her own and supervise, and approve, her own study.
    """
    if invitation.role is not MemberRole.SUPERVISOR:
        return True
    allowed = {
        domain.strip().lower().lstrip("@")
        for domain in current_app.config["SUPERVISOR_EMAIL_DOMAINS"].split(",")
        if domain.strip()
    }
    return invitation.email.rpartition("@")[2].lower() in allowed


def accept_invitation(session: Session, invitation: StudyInvitation, user: User) -> StudyMember:
    """Make the invited person a member of the study.

    :raises UserError: when this account may not accept the invitation.
    """
    check = may_accept(invitation, user)
    if not check.allowed:
        raise UserError(check.reason)
    study = session.get(Study, invitation.study_id)
    if membership(session, study.id, user) is not None:
        raise UserError(_l("You already work on this study."))
    if invitation.role is MemberRole.SUPERVISOR and any(
        m.role is MemberRole.SUPERVISOR for m, _u in members(session, study)
    ):
        raise UserError(_l("The study already has a supervisor."))
    invitation.accepted_at = utcnow()
    invitation.accepted_by = user.id
    member = StudyMember(study_id=study.id, user_id=user.id, role=invitation.role)
    session.add_all([invitation, member])
    session.flush()
    _refresh_approvals(session, study)
    audit.record(
        session,
        "member.added",
        actor_id=user.id,
        study_id=study.id,
        subject=f"user:{user.id}",
        role=invitation.role.value,
        invitation=invitation.id,
    )
    return member


def set_step_status(session: Session, study: Study, key: str, status: StepStatus) -> StudyStep:
    """Store a step's status (the operation that changed it writes the audit entry)."""
    step = STEPS_BY_KEY[key]
    if step.derived_from:
        raise ValueError(f"step {key} is derived and has no stored status")
    row = session.exec(
        select(StudyStep).where(StudyStep.study_id == study.id, StudyStep.step == key)
    ).first()
    if row is None:
        row = StudyStep(study_id=study.id, step=key)
    row.status = status
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def step_statuses(session: Session, study: Study) -> list[tuple[Step, StepStatus]]:
    """Return every life-cycle step with its status, derived steps included."""
    stored = {
        row.step: row.status
        for row in session.exec(select(StudyStep).where(StudyStep.study_id == study.id))
    }
    result = []
    for step in STEPS:
        if step.derived_from:
            status = combined_status(
                [stored.get(k, StepStatus.NOT_STARTED) for k in step.derived_from]
            )
        else:
            status = stored.get(step.key, StepStatus.NOT_STARTED)
        result.append((step, StepStatus(status)))
    return result
