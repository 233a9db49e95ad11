"""Giving consent: the approved letter and form a respondent sees, and the record of it.

A consent names the letter and form versions (number and content hash) the respondent was
shown, each item's answer, the typed names (sealed to the respondent's key), the language,
the time and the channel. Records are written once; a new consent supersedes the current
one, which stays as it was. Consent is taken only while the gate is open: the versions
shown are the approved ones, and they are what the study now stands at.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from .. import audit
from ..accounts.models import User
from ..errors import UserError
from ..ethics.rules import Consequence
from ..letters import consent
from ..models import utcnow
from ..respondents.locks import lock_respondent
from ..respondents.models import Invitation, Respondent
from ..respondents.services import NAME_LENGTH
from ..review import services as review
from ..review.approved import approved_as_stored
from ..review.models import StepVersion
from ..studies.models import Study
from ..vault.errors import KeyDestroyedError
from ..vault.models import VaultObject
from ..vault.respondents import open_for_respondent, seal_for_respondent
from ..vault.service import get_vault
from .models import RECORDING_ITEMS, RECORDING_KIND, Channel, ConsentRecord

#: The self-review's consequence that makes the letter offer a choice on withdrawal.
WITHDRAWAL_CHOICE = Consequence.LETTER_WITHDRAWAL_CHOICE.value


@dataclass(frozen=True)
class Documents:
    """The approved letter and consent form versions respondents consent to now."""

    letter: StepVersion
    form: StepVersion

    @property
    def languages(self) -> list[str]:
        """Return the languages both the letter and the form are written in, letter's order."""
        written = set(self.form.content.get("languages", []))
        return [code for code in self.letter.content.get("languages", []) if code in written]

    @property
    def hashes(self) -> tuple[str, str]:
        """Return the content hashes of the letter and the form."""
        return self.letter.content_hash, self.form.content_hash

    @property
    def items(self) -> list[dict]:
        """Return the form's items: key, required, texts by language."""
        return self.form.content.get("items", [])

    @property
    def signed_as(self) -> str:
        """Return who signs: the respondent, or the guardians with the child."""
        return self.form.content.get("signatures", consent.Signatures.RESPONDENT)


def approved_documents(
    session: Session, study: Study, *, verified: bool = True
) -> Documents | None:
    """Return the versions to consent to, or None while the study may not take consent.

    `verified` checks the gate in full (`review.may_recruit` rebuilds each document and
    compares its hash); without it the stored statuses answer, which is enough for a page
    that shows the approved versions. Whatever records a consent verifies.
    """
    if study.closed_at is not None:
        return None
    if verified and not review.may_recruit(session, study):
        return None
    approved = approved_as_stored(session, study, review.RECRUITMENT_STEPS)
    if not approved:
        return None
    return Documents(approved["letter"], approved["consent_form"])


def signature_fields(signed_as: str) -> list[tuple[str, bool]]:
    """Return the names a consent is signed with, each with whether it is required."""
    if signed_as == consent.Signatures.GUARDIANS:
        return [("guardian_1", True), ("guardian_2", False), ("child", True)]
    return [("respondent", True)]


def check_answers(
    documents: Documents,
    *,
    language: str,
    answers: dict[str, bool],
    names: dict[str, str],
    signed: bool = True,
) -> tuple[dict[str, bool], dict[str, str]]:
    """Return the answers to every item and the names, as they would be recorded.

    A paper consent is not `signed` here: the scan carries its signatures.

    :raises UserError: when the language is not offered, taking part is not ticked, or a
        required name is missing or too long.
    """
    if language not in documents.languages:
        raise UserError(_l("Choose one of the languages the letter is written in."), "language")
    ticked = {item["key"]: bool(answers.get(item["key"])) for item in documents.items}
    for item in documents.items:
        if item["required"] and not ticked[item["key"]]:
            raise UserError(
                _l("Tick this item if you want to take part; you cannot take part without it."),
                f"item-{item['key']}",
            )
    typed: dict[str, str] = {}
    for key, required in signature_fields(documents.signed_as) if signed else []:
        name = " ".join(names.get(key, "").split())
        if required and not name:
            raise UserError(_l("Type the full name here to sign."), key)
        if len(name) > NAME_LENGTH:
            raise UserError(_l("The name can be at most %(n)d characters.", n=NAME_LENGTH), key)
        if name:
            typed[key] = name
    return ticked, typed


def new_submission() -> str:
    """Return a one-time id for a confirmation page, so that sending it twice records once."""
    return secrets.token_urlsafe(24)


def current_record(session: Session, respondent: Respondent) -> ConsentRecord | None:
    """Return the respondent's consent in force, if any."""
    return session.exec(
        select(ConsentRecord).where(
            ConsentRecord.respondent_id == respondent.id,
            col(ConsentRecord.superseded_at).is_(None),
        )
    ).first()


def records(session: Session, respondent: Respondent) -> list[ConsentRecord]:
    """Return every consent the respondent gave, oldest first."""
    return list(
        session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.respondent_id == respondent.id)
            .order_by(col(ConsentRecord.id))
        )
    )


def is_current(record: ConsentRecord, documents: Documents | None) -> bool:
    """Tell whether the consent covers the letter and form versions now approved."""
    return documents is not None and (record.letter_hash, record.form_hash) == documents.hashes


def give_consent(
    session: Session,
    respondent: Respondent,
    documents: Documents,
    *,
    language: str,
    answers: dict[str, bool],
    names: dict[str, str],
    submission: str,
) -> ConsentRecord:
    """Record the respondent's consent through their link, superseding the one before.

    The same submission sent again (a double click, two tabs) returns the record it made.

    :raises UserError: when the answers are not a consent, the respondent withdrew, or the
        versions are no longer the approved ones the study stands at.
    """
    ticked, signed = check_answers(documents, language=language, answers=answers, names=names)
    return _record(
        session,
        respondent,
        documents,
        language=language,
        ticked=ticked,
        signed=signed,
        submission=submission,
        channel=Channel.LINK,
    )


def check_signed_on(documents: Documents, signed_on: date) -> None:
    """Refuse a paper form's date in the future or before its version was written.

    :raises UserError: with the message at the field signed_on.
    """
    if signed_on > utcnow().date():
        raise UserError(_l("The date the form was signed cannot be in the future."), "signed_on")
    if signed_on < documents.form.submitted_at.date():
        raise UserError(
            _l(
                "The consent form version %(n)d did not exist yet on that date: register the "
                "version that was signed.",
                n=documents.form.number,
            ),
            "signed_on",
        )


def register_paper(
    session: Session,
    study: Study,
    actor: User,
    respondent: Respondent,
    documents: Documents,
    *,
    language: str,
    answers: dict[str, bool],
    signed_on: date,
    scan_id: int | None,
) -> ConsentRecord:
    """Record a consent the respondent gave on the paper form, as the student registers it.

    :raises UserError: when the actor does not write the study, the respondent withdrew,
        taking part is not ticked, or the date is not one the form could be signed on.
    """
    review.require_author(session, study, actor)
    check_signed_on(documents, signed_on)
    ticked, _names = check_answers(
        documents, language=language, answers=answers, names={}, signed=False
    )
    return _record(
        session,
        respondent,
        documents,
        language=language,
        ticked=ticked,
        signed={},
        submission=new_submission(),
        channel=Channel.PAPER,
        actor=actor,
        given_at=datetime.combine(signed_on, time(12), tzinfo=UTC),
        scan_id=scan_id,
    )


def _record(
    session: Session,
    respondent: Respondent,
    documents: Documents,
    *,
    language: str,
    ticked: dict[str, bool],
    signed: dict[str, str],
    submission: str,
    channel: str,
    actor: User | None = None,
    given_at: datetime | None = None,
    scan_id: int | None = None,
) -> ConsentRecord:
    """Write a consent record under the respondent's lock, superseding the current one.

    The gate is checked in full under the lock: a letter changed after its approval while
    the respondent read it takes no consent. A consent given before the current one (a
    paper form registered late) joins the history without superseding it.
    """
    current = lock_respondent(session, respondent.id)
    if current is None or current.withdrawn_at is not None:
        raise UserError(_l("This consent can no longer be given: it has been withdrawn."))
    already = session.exec(
        select(ConsentRecord).where(ConsentRecord.submission == submission)
    ).first()
    if already is not None:
        return already
    study = session.get(Study, current.study_id)
    now_approved = approved_documents(session, study) if study is not None else None
    if now_approved is None or now_approved.hashes != documents.hashes:
        raise UserError(
            _l(
                "The information about the study is being updated, so no consent can be "
                "recorded just now. Open your link again later."
            )
        )
    now = utcnow()
    given_at = given_at or now
    before = current_record(session, respondent)
    superseded_at = None
    if before is not None and before.given_at > given_at:
        superseded_at = now
    elif before is not None:
        before.superseded_at = now
        session.add(before)
        session.flush()
    _keep_links_working(session, current, now)
    try:
        sealed = (
            seal_for_respondent(
                get_vault(session),
                respondent,
                json.dumps(signed, ensure_ascii=False).encode(),
                actor_id=actor.id if actor else None,
            )
            if signed
            else None
        )
    except KeyDestroyedError:
        raise UserError(_l("This consent can no longer be given: it has been withdrawn.")) from None
    record = ConsentRecord(
        study_id=respondent.study_id,
        respondent_id=respondent.id,
        letter_version_id=documents.letter.id,
        letter_number=documents.letter.number,
        letter_hash=documents.letter.content_hash,
        form_version_id=documents.form.id,
        form_number=documents.form.number,
        form_hash=documents.form.content_hash,
        language=language,
        items=ticked,
        signed_as=documents.signed_as,
        sealed_names=sealed,
        channel=channel,
        registered_by=actor.id if actor else None,
        scan_id=scan_id,
        submission=submission,
        given_at=given_at,
        superseded_at=superseded_at,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        "consent.given",
        actor_id=actor.id if actor else None,
        study_id=respondent.study_id,
        subject=f"respondent:{respondent.id}",
        record=record.id,
        channel=channel,
        letter_version=record.letter_number,
        form_version=record.form_number,
        language=language,
        ticked=sorted(key for key, yes in ticked.items() if yes),
        superseded=before.id if before is not None and superseded_at is None else None,
    )
    if superseded_at is None:
        _drop_uncovered_recordings(session, current, record, actor)
    return record


def _drop_uncovered_recordings(
    session: Session, respondent: Respondent, record: ConsentRecord, actor: User | None
) -> int:
    """Delete the respondent's recordings when the consent now in force covers no recording.

    A new consent that leaves recording unticked takes that consent back: the recordings go
    at once, under the same lock, as a withdrawal's files do (transcripts stay: they need
    no consent to recording). Returns how many went.
    """
    if any(record.items.get(item) for item in RECORDING_ITEMS):
        return 0
    recordings = session.exec(
        select(VaultObject).where(
            VaultObject.respondent_id == respondent.id, VaultObject.kind == RECORDING_KIND
        )
    ).all()
    if not recordings:
        return 0
    vault = get_vault(session)
    for stored in recordings:
        # The recording's row goes with its file (the database cascades).
        vault.delete(stored, actor_id=actor.id if actor else None)
    audit.record(
        session,
        "recording.consent_withdrawn",
        actor_id=actor.id if actor else None,
        study_id=respondent.study_id,
        subject=f"respondent:{respondent.id}",
        record=record.id,
        recordings=len(recordings),
    )
    return len(recordings)


def _keep_links_working(session: Session, respondent: Respondent, now: datetime) -> None:
    """Keep a consenting respondent's links working for a full term from now.

    The link is how they see their receipt and withdraw; consenting late in its term must
    not leave them a few days to change their mind through it.
    """
    days = current_app.config["RESPONDENT_LINK_DAYS"]
    for link in session.exec(
        select(Invitation).where(
            Invitation.respondent_id == respondent.id,
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > now,
        )
    ):
        link.expires_at = max(link.expires_at, now + timedelta(days=days))
        session.add(link)


def signed_names(
    session: Session, respondent: Respondent, record: ConsentRecord, *, actor: User | None
) -> dict[str, str]:
    """Open the typed names of a consent (an audit event); empty once the key is destroyed."""
    if record.sealed_names is None:
        return {}
    try:
        opened = open_for_respondent(
            get_vault(session),
            respondent,
            record.sealed_names,
            actor_id=actor.id if actor else None,
            purpose="consent_names",
        )
    except KeyDestroyedError:
        return {}
    return json.loads(opened)


def offers_choice(session: Session, record: ConsentRecord | None) -> bool:
    """Tell whether the letter consented to lets a withdrawing respondent keep what was analysed."""
    if record is None:
        return False
    letter = session.get(StepVersion, record.letter_version_id)
    return letter is not None and WITHDRAWAL_CHOICE in letter.content.get("needs", [])
