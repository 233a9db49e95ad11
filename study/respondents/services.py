"""Recruitment: respondents added by code, their contact details sealed, their personal links.

Everything here waits for the gate (`review.may_recruit`): no respondent and no link exist
before the self-review, the letter and the consent form are approved as they now stand.
A link's token is shown to the student once (and mailed, if they ask); the database keeps
only its hash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from .. import audit
from ..accounts.models import User
from ..accounts.services import normalize_email
from ..errors import UserError
from ..models import utcnow
from ..review import services as review
from ..studies.models import StepStatus, Study, StudyStep
from ..studies.services import set_step_status
from ..tokens import new_token, token_hash
from ..vault.errors import KeyDestroyedError
from ..vault.respondents import open_for_respondent, seal_for_respondent
from ..vault.service import get_vault
from .models import Invitation, Respondent

#: A respondent's code: letters and digits, as in "IP1" or "R-07".
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
NAME_LENGTH = 200
#: How many links one respondent may be mailed in 24 hours.
MAILS_PER_DAY = 3


@dataclass(frozen=True)
class Contact:
    """A respondent's name and e-mail address, opened from their sealed contact."""

    name: str = ""
    email: str = ""


def require_recruiting(session: Session, study: Study, actor: User) -> None:
    """Refuse anyone but an author, and any study the gate keeps from recruiting.

    :raises UserError: when the actor does not write the study or it may not recruit.
    """
    review.require_author(session, study, actor)
    if study.closed_at is not None:
        raise UserError(_l("The study is closed."))
    if not review.may_recruit(session, study):
        raise UserError(
            _l(
                "Respondents can be invited once the supervisor has approved the self-review, "
                "the information letter and the consent form as they now stand."
            )
        )


def add_respondent(
    session: Session, study: Study, actor: User, *, code: str, name: str = "", email: str = ""
) -> Respondent:
    """Add a respondent by code, sealing their name and address under their own key.

    :raises UserError: when the study may not recruit, or the code is malformed or taken,
        or the address is not one.
    """
    require_recruiting(session, study, actor)
    code = code.strip()
    if not CODE.fullmatch(code):
        raise UserError(
            _l("Give a short code of letters and digits, such as IP1 (at most 32 characters)."),
            "code",
        )
    taken = session.exec(
        select(Respondent).where(Respondent.study_id == study.id, Respondent.code == code)
    ).first()
    if taken is not None:
        raise UserError(
            _l("The study already has a respondent with the code %(code)s.", code=code), "code"
        )
    name = " ".join(name.split())
    if len(name) > NAME_LENGTH:
        raise UserError(_l("The name can be at most %(n)d characters.", n=NAME_LENGTH), "name")
    email = normalize_email(email) if email.strip() else ""
    respondent = Respondent(
        study_id=study.id, code=code, created_by=actor.id, has_email=bool(email)
    )
    session.add(respondent)
    session.flush()
    if name or email:
        contact = json.dumps({"name": name, "email": email}, ensure_ascii=False).encode()
        respondent.sealed_contact = seal_for_respondent(
            get_vault(session), respondent, contact, actor_id=actor.id
        )
        session.add(respondent)
        session.flush()
    if not started(session, study):
        set_step_status(session, study, "recruitment", StepStatus.DRAFT)
    audit.record(
        session,
        "respondent.added",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"respondent:{respondent.id}",
        contact=bool(name or email),
    )
    return respondent


def started(session: Session, study: Study) -> bool:
    """Tell whether the study's recruitment step has begun."""
    row = session.exec(
        select(StudyStep).where(StudyStep.study_id == study.id, StudyStep.step == "recruitment")
    ).first()
    return row is not None and row.status != StepStatus.NOT_STARTED


def respondent_of(session: Session, study: Study, respondent_id: int) -> Respondent | None:
    """Return the study's respondent with this id, if the study has one."""
    found = session.get(Respondent, respondent_id)
    return found if found is not None and found.study_id == study.id else None


def issue_link(session: Session, study: Study, actor: User, respondent: Respondent) -> str:
    """Give the respondent a new personal link and return its token; earlier links end.

    :raises UserError: when the study may not recruit or the respondent has withdrawn.
    """
    require_recruiting(session, study, actor)
    if respondent.withdrawn_at is not None:
        raise UserError(_l("%(code)s has withdrawn from the study.", code=respondent.code))
    ended = _end_links(session, respondent)
    token, digest = new_token()
    invitation = Invitation(
        study_id=study.id,
        respondent_id=respondent.id,
        token_hash=digest,
        created_by=actor.id,
        expires_at=utcnow() + timedelta(days=current_app.config["RESPONDENT_LINK_DAYS"]),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "invitation.created",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"respondent:{respondent.id}",
        invitation=invitation.id,
        ended=ended,
    )
    return token


def revoke_links(session: Session, study: Study, actor: User, respondent: Respondent) -> int:
    """End every link of the respondent; return how many were still valid.

    :raises UserError: when the actor does not write the study, or no link is valid.
    """
    review.require_author(session, study, actor)
    ended = _end_links(session, respondent)
    if not ended:
        raise UserError(_l("%(code)s has no link that works.", code=respondent.code))
    audit.record(
        session,
        "invitation.revoked",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"respondent:{respondent.id}",
        links=ended,
    )
    return ended


def _end_links(session: Session, respondent: Respondent) -> int:
    now = utcnow()
    valid = session.exec(
        select(Invitation).where(
            Invitation.respondent_id == respondent.id,
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > now,
        )
    ).all()
    for invitation in valid:
        invitation.revoked_at = now
        session.add(invitation)
    session.flush()
    return len(valid)


def latest_link(session: Session, respondent: Respondent) -> Invitation | None:
    """Return the respondent's newest link, valid or not."""
    return session.exec(
        select(Invitation)
        .where(Invitation.respondent_id == respondent.id)
        .order_by(col(Invitation.id).desc())
        .limit(1)
    ).first()


def invitation_for_token(session: Session, token: str) -> Invitation | None:
    """Return the link a token names, whatever its state."""
    return session.exec(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).first()


def contact(
    session: Session, respondent: Respondent, actor: User | None, *, purpose: str
) -> Contact:
    """Open the respondent's name and address; the decryption is an audit event.

    A respondent without contact details, or whose key is destroyed, has an empty one.
    """
    if respondent.sealed_contact is None:
        return Contact()
    try:
        opened = open_for_respondent(
            get_vault(session),
            respondent,
            respondent.sealed_contact,
            actor_id=actor.id if actor else None,
            purpose=purpose,
        )
    except KeyDestroyedError:
        return Contact()
    values = json.loads(opened)
    return Contact(values.get("name", ""), values.get("email", ""))


@dataclass(frozen=True)
class LinkMail:
    """A link to mail once the transaction that made it has committed."""

    address: str
    study_title: str
    token: str


def link_mail(
    session: Session, study: Study, actor: User, respondent: Respondent, token: str
) -> LinkMail:
    """Record that the respondent's newest link goes out by e-mail; return what to send.

    The caller sends it only after committing, so no mail carries a link a rollback undid.

    :raises UserError: when there is no address, or the respondent or the study has been
        sent as many links as they may in 24 hours.
    """
    address = contact(session, respondent, actor, purpose="send_link").email
    if not address:
        raise UserError(
            _l("There is no e-mail address for %(code)s.", code=respondent.code), "send"
        )
    since = utcnow() - timedelta(days=1)
    sent = select(func.count()).select_from(Invitation).where(col(Invitation.sent_at) > since)
    if session.exec(sent.where(Invitation.respondent_id == respondent.id)).one() >= MAILS_PER_DAY:
        raise UserError(
            _l(
                "%(code)s has been sent %(n)d links today. Try again tomorrow.",
                code=respondent.code,
                n=MAILS_PER_DAY,
            ),
            "send",
        )
    limit = current_app.config["RESPONDENT_MAILS_PER_STUDY_PER_DAY"]
    if session.exec(sent.where(Invitation.study_id == study.id)).one() >= limit:
        raise UserError(
            _l(
                "The study has sent %(n)d links in the last 24 hours, as many as it may. Try again tomorrow.",
                n=limit,
            ),
            "send",
        )
    invitation = latest_link(session, respondent)
    assert invitation is not None
    invitation.sent_at = utcnow()
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "invitation.sent",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"respondent:{respondent.id}",
        invitation=invitation.id,
    )
    return LinkMail(address, study.title, token)


def respondents(session: Session, study: Study) -> list[Respondent]:
    """Return the study's respondents in the order they were added."""
    return list(
        session.exec(
            select(Respondent).where(Respondent.study_id == study.id).order_by(col(Respondent.id))
        )
    )


def ask_again(
    session: Session, study: Study, actor: User, waiting: list[Respondent]
) -> tuple[list[LinkMail], list[Respondent]]:
    """Give those who consented to an earlier version a new link, mailed where possible.

    Returns the mails to send once committed, and the respondents without an address (the
    student gives them their new link by hand).

    :raises UserError: when the study may not recruit or may mail no more links today.
    """
    mails, without = [], []
    for respondent in waiting:
        if respondent.has_email:
            token = issue_link(session, study, actor, respondent)
            mails.append(link_mail(session, study, actor, respondent, token))
        else:
            without.append(respondent)
    record_reconsent(session, study, actor, len(mails), len(without))
    return mails, without


def record_reconsent(
    session: Session, study: Study, actor: User, mailed: int, without_email: int
) -> None:
    """Write to the audit log that the study asked for consent to the approved versions again."""
    audit.record(
        session,
        "consent.reconsent_requested",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"study:{study.id}",
        mailed=mailed,
        without_email=without_email,
    )
