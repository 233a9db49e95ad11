"""Withdrawal: what the letter promised, done in one transaction.

The respondent (through their link) or the student (for a withdrawal made by mail, phone
or in person) withdraws; one service marks the respondent and their consent, ends their
links, destroys their key and every file stored for them, removes the code-key entries only
their material gave rise to, and writes one audit entry saying what went (never what it
held). An upload for the respondent that is still streaming is refused at its end (the
vault checks under the same lock), so nothing of it stays.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from .. import audit, mail
from ..accounts.models import User
from ..errors import UserError
from ..exports import services as exports
from ..models import utcnow
from ..pseudonymize.models import CodeKeySettings
from ..pseudonymize.store import SealedKeyStore
from ..respondents.locks import lock_respondent
from ..respondents.models import Invitation, Respondent
from ..review import services as review
from ..studies.models import Study
from ..studies.services import members
from ..vault.respondents import open_for_study, seal_for_study, shred_respondent
from ..vault.service import get_vault
from .models import Channel, ConsentRecord, Withdrawal

REASON_LENGTH = 2000
_REASON = "withdrawal-reason"


def withdraw(
    session: Session,
    respondent: Respondent,
    *,
    channel: str = Channel.LINK,
    actor: User | None = None,
    reason: str = "",
    keep_analysed: bool = False,
) -> Withdrawal:
    """Withdraw the respondent's consent and destroy what the study holds of them.

    Withdrawing twice returns the first withdrawal. The study's students and supervisor
    are mailed once this request has answered (a withdrawal that is not new mails nobody).

    :raises UserError: when the reason is too long.
    """
    reason = reason.strip()
    if len(reason) > REASON_LENGTH:
        raise UserError(
            _l("The reason can be at most %(n)d characters.", n=REASON_LENGTH), "reason"
        )
    current = lock_respondent(session, respondent.id)
    assert current is not None
    if current.withdrawn_at is not None:
        found = session.exec(
            select(Withdrawal).where(Withdrawal.respondent_id == respondent.id)
        ).first()
        assert found is not None
        return found
    now = utcnow()
    vault = get_vault(session)
    current.withdrawn_at = now
    current.sealed_contact = None
    current.has_email = False
    session.add(current)
    marked = session.exec(
        select(ConsentRecord).where(
            ConsentRecord.respondent_id == respondent.id, col(ConsentRecord.withdrawn_at).is_(None)
        )
    ).all()
    for record in marked:
        record.withdrawn_at = now
        session.add(record)
    links = session.exec(
        select(Invitation).where(
            Invitation.respondent_id == respondent.id, col(Invitation.revoked_at).is_(None)
        )
    ).all()
    for link in links:
        link.revoked_at = now
        session.add(link)
    session.flush()
    destroyed = shred_respondent(vault, current)
    destroyed["code_key_entries"] = _forget_in_code_key(session, vault, current)
    # An archive of the study may hold the respondent's material: none may outlive this.
    if archives := exports.delete_for_study(session, current.study_id, reason="withdrawal"):
        destroyed["exports"] = archives
    withdrawal = Withdrawal(
        study_id=current.study_id,
        respondent_id=current.id,
        withdrawn_at=now,
        channel=channel,
        registered_by=actor.id if actor else None,
        sealed_reason=(
            seal_for_study(vault, current.study_id, reason.encode(), _REASON) if reason else None
        ),
        keep_analysed=keep_analysed,
        destroyed=destroyed,
    )
    session.add(withdrawal)
    session.flush()
    audit.record(
        session,
        "consent.withdrawn",
        actor_id=actor.id if actor else None,
        study_id=current.study_id,
        subject=f"respondent:{current.id}",
        channel=channel,
        keep_analysed=keep_analysed,
        reason_given=bool(reason),
        consents=len(marked),
        links=len(links),
        **destroyed,
    )
    _notify_members(session, current)
    return withdrawal


def _forget_in_code_key(session: Session, vault, respondent: Respondent) -> int:
    """Remove the code-key entries only this respondent's material gave rise to."""
    if session.get(CodeKeySettings, respondent.study_id) is None:
        return 0
    store = SealedKeyStore(session, respondent.study_id, vault.study_key(respondent.study_id, None))
    key = store.load()
    removed = key.forget_source(respondent.id)
    if removed:
        store.save(key)
    return len(removed)


def withdraw_for(
    session: Session,
    study: Study,
    actor: User,
    respondent: Respondent,
    *,
    reason: str = "",
    keep_analysed: bool = False,
) -> Withdrawal:
    """Register a withdrawal the respondent made to the student (mail, phone, in person).

    :raises UserError: when the actor does not write the study or it was done already.
    """
    review.require_author(session, study, actor)
    if respondent.withdrawn_at is not None:
        raise UserError(_l("%(code)s has already withdrawn.", code=respondent.code))
    return withdraw(
        session,
        respondent,
        channel=Channel.STUDENT,
        actor=actor,
        reason=reason,
        keep_analysed=keep_analysed,
    )


def reason(session: Session, withdrawal: Withdrawal, *, actor: User) -> str:
    """Open the reason a respondent gave, if any; opening it is an audit entry."""
    if withdrawal.sealed_reason is None:
        return ""
    audit.record(
        session,
        "vault.decrypted",
        actor_id=actor.id,
        study_id=withdrawal.study_id,
        subject=f"respondent:{withdrawal.respondent_id}",
        purpose="withdrawal_reason",
    )
    opened = open_for_study(
        get_vault(session), withdrawal.study_id, withdrawal.sealed_reason, _REASON
    )
    return opened.decode()


def _notify_members(session: Session, respondent: Respondent) -> None:
    """Tell the study's students and supervisor, once the response has gone, who withdrew."""
    study = session.get(Study, respondent.study_id)
    assert study is not None
    for _member, user in members(session, study):
        mail.after_response(_tell, user.email, study_title=study.title, code=respondent.code)


def _tell(address: str, **context: str) -> None:
    """Mail one member in the interface's default language, not the respondent's page's."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        mail.send_template(address, "respondent_withdrew", **context)
